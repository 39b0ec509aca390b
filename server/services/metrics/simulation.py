"""`simulateQualificationModel(terms)` (SPEC §2.2): what draft model terms
would do, beside the model in force.

For every lead, scored now by the one scoring implementation
(`server.domain.leads.scoring.quick_score`, as rescoring does) under the draft
and under the model in force:
- `qualifyNow`: leads whose score meets the definition now (in their current
  qualification cycle; the sticky flag of an earlier qualification is not
  counted: this is what the terms say of each lead today);
- precision and recall against past outcomes: a lead accepted by sales (any
  handoff chain decided ACCEPTED) or won is a good lead; one rejected and never
  accepted or won a bad one; leads without a decision are left out.

Reads only, in chunks of `CHUNK` leads by id, each one statement (two when
some lead needs its tallies) outside any transaction, yielding between chunks:
on SQLite the chunks are read on a read connection (`server.sqlite`), beside
the writer, which is never held; nothing is written, not even engagement sums
rebuilt for a draft's other half-lives (those are computed from the activities
in memory and dropped). The statement gives each lead's engagement as the
database estimates it (`server.services.metrics.estimates`): a verdict the
estimate makes certain is `quick_score`'s without building the lead's state;
only the leads near a line are scored by `quick_score` itself.

At most one simulation runs per user: a second is refused with LIMIT_EXCEEDED
while the first runs (in this process by a set of user ids; across workers on
PostgreSQL by a session advisory lock keyed by the user).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from server import db
from server.clock import clock
from server.domain.agreements.fit_rules import FitField
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.leads.attributes import LeadAttributes
from server.domain.leads.engagement import EngagementState, fits_model
from server.domain.leads.qualification_model import QualificationModel, read_model
from server.domain.leads.scoring import fit_points, quick_score, quick_scores
from server.domain.metrics.model_report import Confusion
from server.models.agreements import Agreement
from server.models.leads import Lead
from server.services.agreements import store
from server.services.core import fetched, ids
from server.services.core.actors import Actor
from server.services.leads import activity_store, engagement_store
from server.services.leads.scoring import model_in_force
from server.services.metrics.estimates import Estimates, Line, line_of

CHUNK = 2000
ADVISORY_SPACE = 7_324_002  # "simulate", per user, in this database's lock space
_running: set[int] = set()

# The lead column holding each field a fit rule may test, and the attribute of
# `LeadAttributes` it becomes.
_FIT_COLUMNS = {
    FitField.companySize: ("company_size", "company_size"),
    FitField.industry: ("industry", "industry"),
    FitField.jobTitle: ("job_title", "job_title"),
    FitField.seniority: ("seniority", "seniority"),
    FitField.country: ("country", "country"),
    FitField.source: ("source", "source"),
    FitField.persona: ("persona_id", "persona"),
    FitField.isCustomer: ("is_customer", "is_customer"),
}
# (the positions `estimates.Estimates` reads: the cycle's start is the 10th)
_LEAD_COLUMNS = (
    "id",
    *(column for column, _ in _FIT_COLUMNS.values()),
    "cycle_counts_after",
)
_CONVERT = fetched.converters(Lead)


@dataclass
class Tally:
    """One model's verdicts over the leads."""

    qualify_now: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, qualifies: bool, outcome: int | None, leads: int = 1) -> None:
        if qualifies:
            self.qualify_now += leads
        if outcome is None:
            return
        if qualifies:
            if outcome:
                self.tp += leads
            else:
                self.fp += leads
        elif outcome:
            self.fn += leads
        else:
            self.tn += leads

    @classmethod
    def of(cls, verdicts: Mapping[tuple[bool, int | None], int]) -> Tally:
        """The tally of the leads counted by (verdict, outcome)."""
        found = cls()
        for (qualifies, outcome), leads in verdicts.items():
            found.add(qualifies, outcome, leads)
        return found

    @property
    def confusion(self) -> Confusion:
        return Confusion(self.tp, self.fp, self.fn, self.tn)


@dataclass(frozen=True)
class Simulation:
    at: datetime
    leads: int
    with_outcome: int
    good: int
    draft: Tally
    in_force: Tally | None
    in_force_revision: int | None = None
    terms: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SimulationRequest:
    terms: Mapping[str, Any] | None = None
    qualification_model_id: str | None = None


async def simulate(actor: Actor, given: SimulationRequest) -> Simulation:
    """Raises `UserErrors` for terms that do not read, no draft to simulate,
    or a simulation of the caller's already running."""
    terms = await _terms(given)
    draft = read_model(store.terms_of(store.terms_text(terms)) or {}, 0)
    async with _one_per_user(actor.user_id):
        return await _run(draft, terms)


async def _terms(given: SimulationRequest) -> dict[str, Any]:
    kind = AgreementKind.QUALIFICATION_MODEL
    if (given.terms is None) == (given.qualification_model_id is None):
        raise refuse(
            ErrorCode.INVALID_INPUT,
            "give either terms or a qualificationModelId (whose draft is simulated)",
            "terms",
        )
    if given.terms is not None:
        terms = store.read_terms(kind, given.terms)
        await store.check_personas(terms, in_force=False, code=ErrorCode.INVALID_INPUT)
        return terms
    assert given.qualification_model_id is not None
    key = ids.decode(
        given.qualification_model_id, "QualificationModel", "qualificationModelId"
    )
    row = await Agreement.get_or_none(id=key, kind=kind.value)
    if row is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such model", "qualificationModelId")
    found = store.terms_of(row.pending_terms)
    if found is None:
        raise refuse(
            ErrorCode.INVALID_TRANSITION,
            "this model has no pending draft to simulate",
            "qualificationModelId",
        )
    return found


@asynccontextmanager
async def _one_per_user(user_id: int) -> AsyncIterator[None]:
    busy = UserErrors(
        [
            UserError(
                ErrorCode.LIMIT_EXCEEDED,
                "a simulation of yours is already running; wait for its result",
                ("terms",),
            )
        ]
    )
    if user_id in _running:
        raise busy
    _running.add(user_id)
    try:
        if db.dialect() == "sqlite":
            yield
            return
        async with db.connection().acquire_connection() as session:
            got = await session.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", ADVISORY_SPACE, user_id
            )
            if not got:
                raise busy
            try:
                yield
            finally:
                await session.fetchval(
                    "SELECT pg_advisory_unlock($1, $2)", ADVISORY_SPACE, user_id
                )
    finally:
        _running.discard(user_id)


async def _run(draft: QualificationModel, terms: Mapping[str, Any]) -> Simulation:
    now = clock.now()
    current = await model_in_force()
    models = (draft,) if current is None else (draft, current)
    estimates = Estimates(models, db.dialect())
    verdicts: list[Counter[tuple[bool, int | None]]] = [Counter() for _ in models]
    leads = with_outcome = good = 0
    alike = _Alike(models)

    def chunk_after(after: int) -> asyncio.Future[list[Sequence[Any]]]:
        sql, params = estimates.statement(_LEAD_COLUMNS, after, CHUNK, now)
        return asyncio.ensure_future(db.read_values(sql, *params))

    # The next chunk is read while this one is sorted (by another connection
    # of PostgreSQL's pool, or SQLite's read connection's own thread: the
    # database and Python work at once).
    coming: asyncio.Future[list[Sequence[Any]]] | None = chunk_after(0)
    try:
        while coming is not None:
            rows = await coming
            coming = chunk_after(int(rows[-1][0])) if len(rows) == CHUNK else None
            unsure: list[Row] = []
            for row in rows:
                outcome = None if row[10] is None else int(row[10])
                leads += 1
                if outcome is not None:
                    with_outcome += 1
                    good += outcome
                fitted = alike.of(row)
                found = estimates.verdicts(row, fitted[2])
                if None in found:
                    unsure.append(_lead(row, fitted))
                    continue
                for counted, verdict in zip(verdicts, found, strict=True):
                    counted[bool(verdict), outcome] += 1
            if unsure:
                await _score_exactly(unsure, models, now, verdicts)
            await asyncio.sleep(0)  # let waiting requests (and SQLite writers) in
    finally:
        if coming is not None:
            coming.cancel()
    mine, *theirs = (Tally.of(counted) for counted in verdicts)
    return Simulation(
        now,
        leads,
        with_outcome,
        good,
        mine,
        theirs[0] if theirs else None,
        current.revision if current is not None else None,
        terms,
    )


async def _score_exactly(
    chunk: list[Row],
    models: tuple[QualificationModel, ...],
    now: datetime,
    verdicts: list[Counter[tuple[bool, int | None]]],
) -> None:
    """The leads the estimates left open, scored by `quick_score` (both models
    in one engagement pass when they share the engagement rules)."""
    draft, current = models[0], models[-1]
    stored = await _stored(chunk)
    states = await _fitted(stored, draft, now)
    other = states
    if current.engagement_rules != draft.engagement_rules:
        other = await _fitted(stored, current, now)
    for key, (attributes, fits, _lines), _counts_after, outcome in chunk:
        if len(models) == 1:
            scores = [quick_score(draft, attributes, states[key], now, fits[0])]
        elif states[key] is other[key]:  # the same half-lives: one pass
            scores = quick_scores(models, attributes, states[key], now, fits)
        else:
            scores = [
                quick_score(draft, attributes, states[key], now, fits[0]),
                quick_score(current, attributes, other[key], now, fits[1]),
            ]
        for counted, score in zip(verdicts, scores, strict=True):
            counted[score.qualifies, outcome] += 1


# A lead's id, its attributes and fits, its cycle's start, its outcome.
Row = tuple[int, "_Fitted", datetime | None, int | None]
_TO_BOOL = _CONVERT.get("is_customer", fetched.same)
_TO_INSTANT = _CONVERT.get("cycle_counts_after", fetched.same)


def _lead(row: Sequence[Any], fitted: _Fitted) -> Row:
    # (id, company_size … persona_id, is_customer, cycle_counts_after, outcome)
    outcome = row[10]
    return (
        int(row[0]),
        fitted,
        _TO_INSTANT(row[9]),
        None if outcome is None else int(outcome),
    )


class _Alike:
    """Leads alike in every attribute the fit rules read have the same fit:
    those attributes (the others left unknown), each model's fit points and
    what its verdict needs beside the engagement, computed once per set of
    values as fetched (100,000 leads share a few hundred)."""

    def __init__(self, models: tuple[QualificationModel, ...]) -> None:
        self.models = models
        read = {rule.field for model in models for rule in model.fit_rules}
        self.read = [
            (position, attribute)
            for position, (field, (_, attribute)) in enumerate(
                _FIT_COLUMNS.items(), start=1
            )
            if field in read
        ]
        self.key = itemgetter(*(position for position, _ in self.read), 0)
        self.seen: dict[tuple[Any, ...], _Fitted] = {}

    def of(self, row: Sequence[Any]) -> _Fitted:
        """The lead's fit (``row`` as `_LEAD_COLUMNS` selects it)."""
        key = self.key(row)[:-1]  # (the id makes it a tuple whatever is read)
        found = self.seen.get(key)
        if found is None:
            values = {attribute: row[n] for n, attribute in self.read}
            if values.get("persona") is not None:
                values["persona"] = str(values["persona"])
            if "is_customer" in values:
                values["is_customer"] = _TO_BOOL(values["is_customer"])
            attributes = LeadAttributes(**values)
            fits = [fit_points(model, attributes) for model in self.models]
            lines = [line_of(m, fit) for m, fit in zip(self.models, fits, strict=True)]
            found = (attributes, fits, lines)
            self.seen[key] = found
        return found


_Fitted = tuple[LeadAttributes, list[Decimal], list[Line | None]]
_Stored = dict[int, EngagementState]


async def _stored(chunk: list[Row]) -> _Stored:
    """Each lead's engagement as stored (one statement per chunk)."""
    stored = await engagement_store.load_tallies(key for key, *_ in chunk)
    return {
        key: engagement_store.state_of(stored.get(key, {}), counts_after)
        for key, _, counts_after, _ in chunk
    }


async def _fitted(stored: _Stored, model: QualificationModel, now: datetime) -> _Stored:
    """The stored states, tallied again in memory from the leads' activities
    where the model's half-lives differ from those they were stored with."""
    stale = {k: s.counts_after for k, s in stored.items() if not fits_model(s, model)}
    if not stale:
        return stored
    rebuilt = await activity_store.tally_from_activities(stale, model, now)
    return {**stored, **rebuilt}
