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

Reads only, in chunks of `CHUNK` leads by id, each a couple of statements
outside any transaction, yielding between chunks: on SQLite the one connection
is never held in a transaction (writers go on between chunks); nothing is
written, not even engagement sums rebuilt for a draft's other half-lives (those
are computed from the activities in memory and dropped).

At most one simulation runs per user: a second is refused with LIMIT_EXCEEDED
while the first runs (in this process by a set of user ids; across workers on
PostgreSQL by a session advisory lock keyed by the user).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from server import db
from server.clock import clock
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

CHUNK = 2000
ADVISORY_SPACE = 7_324_002  # "simulate", per user, in this database's lock space
_running: set[int] = set()

_LEAD_COLUMNS = (
    "id",
    "company_size",
    "industry",
    "job_title",
    "seniority",
    "country",
    "source",
    "persona_id",
    "is_customer",
    "cycle_counts_after",
)
_CONVERT = fetched.converters(Lead)
# 1: a good lead (accepted or won), 0: a bad one (only rejected), NULL: none
_OUTCOME = (
    "CASE WHEN l.stage = 'WON' OR EXISTS (SELECT 1 FROM handoff_chain c WHERE "
    "c.lead_id = l.id AND c.decision = 'ACCEPTED') THEN 1 WHEN EXISTS (SELECT 1 "
    "FROM handoff_chain c WHERE c.lead_id = l.id AND c.decision = 'REJECTED') "
    "THEN 0 END AS outcome"
)


@dataclass
class Tally:
    """One model's verdicts over the leads."""

    qualify_now: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, qualifies: bool, outcome: int | None) -> None:
        if qualifies:
            self.qualify_now += 1
        if outcome is None:
            return
        if qualifies:
            if outcome:
                self.tp += 1
            else:
                self.fp += 1
        elif outcome:
            self.fn += 1
        else:
            self.tn += 1

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
    mine, theirs = Tally(), Tally() if current is not None else None
    leads = with_outcome = good = 0
    after = 0
    alike = _Alike(draft, current)
    while True:
        rows = await db.fetch_values(
            f"SELECT {', '.join('l.' + c for c in _LEAD_COLUMNS)}, {_OUTCOME} "
            "FROM lead l WHERE l.id > ? ORDER BY l.id LIMIT ?",
            after,
            CHUNK,
        )
        if not rows:
            break
        after = int(rows[-1][0])
        chunk = [_lead(row) for row in rows]
        stored = await _stored(chunk)
        states = await _fitted(stored, draft, now)
        other = states
        if current is None:
            other = {}
        elif current.engagement_rules != draft.engagement_rules:
            other = await _fitted(stored, current, now)
        for key, values, _counts_after, outcome in chunk:
            leads += 1
            if outcome is not None:
                with_outcome += 1
                good += outcome
            attributes, fit_draft, fit_current = alike.of(values)
            if theirs is None or current is None or fit_current is None:
                score = quick_score(draft, attributes, states[key], now, fit_draft)
                mine.add(score.qualifies, outcome)
            elif states[key] is other[key]:  # the same half-lives: one pass
                ours, in_force = quick_scores(
                    (draft, current),
                    attributes,
                    states[key],
                    now,
                    (fit_draft, fit_current),
                )
                mine.add(ours.qualifies, outcome)
                theirs.add(in_force.qualifies, outcome)
            else:
                score = quick_score(draft, attributes, states[key], now, fit_draft)
                mine.add(score.qualifies, outcome)
                score = quick_score(current, attributes, other[key], now, fit_current)
                theirs.add(score.qualifies, outcome)
        await asyncio.sleep(0)  # let waiting requests (and SQLite writers) in
    return Simulation(
        now,
        leads,
        with_outcome,
        good,
        mine,
        theirs,
        current.revision if current is not None else None,
        terms,
    )


# A lead's id, the values its fit reads (as fetched), its cycle's start, outcome.
Row = tuple[int, tuple[Any, ...], datetime | None, int | None]
_TO_BOOL = _CONVERT.get("is_customer", fetched.same)
_TO_INSTANT = _CONVERT.get("cycle_counts_after", fetched.same)


def _lead(row: Sequence[Any]) -> Row:
    # (id, company_size … persona_id, is_customer, cycle_counts_after, outcome)
    outcome = row[10]
    return (
        int(row[0]),
        tuple(row[1:9]),
        _TO_INSTANT(row[9]),
        None if outcome is None else int(outcome),
    )


class _Alike:
    """Leads alike in every attribute the fit rules read have the same fit:
    their attributes and both models' fit points, computed once per set of
    values as fetched (most of 100,000 leads share a few hundred)."""

    def __init__(
        self, draft: QualificationModel, current: QualificationModel | None
    ) -> None:
        self.draft, self.current = draft, current
        self.seen: dict[
            tuple[Any, ...], tuple[LeadAttributes, Decimal, Decimal | None]
        ] = {}

    def of(
        self, values: tuple[Any, ...]
    ) -> tuple[LeadAttributes, Decimal, Decimal | None]:
        found = self.seen.get(values)
        if found is None:
            size, industry, title, seniority, country, source, persona, customer = (
                values
            )
            attributes = LeadAttributes(
                company_size=size,
                industry=industry,
                job_title=title,
                seniority=seniority,
                country=country,
                source=source,
                persona=str(persona) if persona is not None else None,
                is_customer=_TO_BOOL(customer),
            )
            current = self.current
            found = (
                attributes,
                fit_points(self.draft, attributes),
                fit_points(current, attributes) if current is not None else None,
            )
            self.seen[values] = found
        return found


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
