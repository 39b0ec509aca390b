"""Scoring leads under the agreements in force, and what a qualification does.

`Scorer.load` reads the qualification model and the personas in force (two
statements, whatever the number of leads; the parsed model is cached per
revision). `Scorer.rescore` then scores lead rows from their engagement, applies
the qualification-cycle rules of `server.domain.leads.qualification`, moves newly
qualified leads to MQL and records the events, all in memory on the rows the
use case writes back in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from server.domain.agreements.lifecycle import AgreementKind
from server.domain.core.outbox import EventKind
from server.domain.leads.attributes import LeadAttributes
from server.domain.leads.engagement import EngagementState
from server.domain.leads.persona_match import (
    PersonaProfile,
    match_many,
    profile_from_terms,
)
from server.domain.leads.qualification import (
    Cycle,
    Qualification,
    QualifiedBy,
    Step,
    Trigger,
    apply_score,
    begin_cycle,
    qualify_manually,
)
from server.domain.leads.qualification_model import QualificationModel, read_model
from server.domain.leads.scoring import FitPoints, Score, quick_score, score_state
from server.domain.leads.stages import (
    QUALIFIABLE,
    LeadStage,
    Via,
    sets_customer,
    starts_cycle,
)
from server.services.agreements import in_force
from server.services.core import mutations
from server.services.leads import engagement_store
from server.services.leads import store as lead_store
from server.services.leads.store import LeadRecord


@dataclass
class StageMoves:
    """Stage moves made in a use case, recorded in bulk at its end."""

    rows: list[lead_store.StageChangeRow] = field(default_factory=list)

    def created(self, tx: mutations.Tx, lead: LeadRecord) -> None:
        """A new lead's first history row (no stage before), and LEAD_CREATED."""
        actor = tx.actor.user_id if tx.actor else None
        stage = lead["stage"]
        self.rows.append(
            (
                lead["id"],
                None,
                stage,
                tx.now,
                actor,
                Via.CREATED,
                None,
                *_as_of_move(lead, stage),
            )
        )
        tx.emit(EventKind.LEAD_CREATED, "Lead", lead["id"], {"email": lead["email"]})

    def move(
        self,
        tx: mutations.Tx,
        lead: LeadRecord,
        to: LeadStage,
        via: Via,
        reason: str | None = None,
    ) -> None:
        """Move a lead (row changed in place) and emit LEAD_STAGE_CHANGED."""
        before = lead["stage"]
        actor = tx.actor.user_id if tx.actor and via is not Via.QUALIFICATION else None
        lead["stage"], lead["stage_entered_at"] = to.value, tx.now
        self.rows.append(
            (
                lead["id"],
                before,
                to.value,
                tx.now,
                actor,
                via.value,
                reason,
                *_as_of_move(lead, to.value),
            )
        )
        tx.emit(
            EventKind.LEAD_STAGE_CHANGED,
            "Lead",
            lead["id"],
            {"from": before, "to": to.value, "via": via.value, "reason": reason},
        )


def _as_of_move(lead: LeadRecord, to: str) -> tuple[int | None, str | None]:
    """The lead's persona at a move and, entering MQL, its `qualifiedBy` (set
    by `qualify` before the move): what the metrics count a qualification by."""
    by = lead["qualified_by"] if to == LeadStage.MQL.value else None
    return lead["persona_id"], by


@dataclass(frozen=True)
class Scorer:
    model: QualificationModel | None
    personas: tuple[PersonaProfile, ...]
    now: datetime

    @classmethod
    async def load(cls, now: datetime) -> Scorer:
        return cls(await model_in_force(), await personas_in_force(), now)

    def match_personas(self, leads: list[LeadRecord]) -> None:
        """Set the best-fitting persona of leads whose persona is not by hand."""
        automatic = {r["id"]: r for r in leads if not r["persona_by_hand"]}
        matches = match_many(
            {k: attributes(r) for k, r in automatic.items()}, self.personas
        )
        for key, row in automatic.items():
            row["persona_id"] = matches[key]

    def rescore(
        self,
        tx: mutations.Tx,
        leads: list[LeadRecord],
        states: Mapping[int, EngagementState],
        trigger: Trigger,
        moves: StageMoves,
        *,
        explain: bool = True,
    ) -> list[int]:
        """Score the leads, qualify those that meet the definition and move them
        to MQL; return the ids qualified now. Without a model nothing changes.
        Only leads marketing still works (NEW, NURTURING, RECYCLED) qualify
        automatically: a lead in sales' hands or closed keeps its score moving
        but is not counted as newly qualified. ``explain=False`` skips building
        breakdowns (rebuilt when read)."""
        if self.model is None:
            return []
        model, promoted = self.model, []
        fits = FitPoints(model)
        for lead in leads:
            alike, state = attributes(lead), states[lead["id"]]
            if explain:
                score = score_state(model, alike, state, tx.now)
            else:
                score = quick_score(model, alike, state, tx.now, fits.of(alike))
            write_score(lead, score, tx.now)
            if LeadStage(lead["stage"]) not in QUALIFIABLE:
                continue
            step = apply_score(cycle_of(lead), score, trigger, tx.now)
            if step.promoted:
                qualify(tx, lead, step, moves, _reason(score))
                promoted.append(lead["id"])
        return promoted


def _reason(score: Score) -> str:
    if score.hand_raise is not None:
        return f"hand-raise: {score.hand_raise.kind}"
    return f"score {score.score} reached the threshold"


def qualify(
    tx: mutations.Tx, lead: LeadRecord, step: Step, moves: StageMoves, reason: str
) -> None:
    """Record a qualification decided by `server.domain.leads.qualification`."""
    found = step.cycle.qualification
    assert found is not None
    lead["qualified"], lead["qualified_at"] = True, found.at
    lead["qualified_under"], lead["qualified_by"] = found.under, found.by.value
    tx.emit(
        EventKind.LEAD_QUALIFIED,
        "Lead",
        lead["id"],
        {"by": found.by.value, "under": found.under, "score": lead["score"]},
    )
    manual = found.by is QualifiedBy.MANUAL
    if LeadStage(lead["stage"]) in QUALIFIABLE:
        via = Via.MANUAL_QUALIFICATION if manual else Via.QUALIFICATION
        moves.move(tx, lead, LeadStage.MQL, via, reason)


def write_score(lead: LeadRecord, score: Score, now: datetime) -> None:
    lead["score"] = score.score
    lead["fit_score"] = score.fit_score
    lead["engagement_score"] = score.engagement_score
    lead["raw_score"] = score.raw_score
    lead["grade"] = score.grade.value
    lead["scored_under"] = score.model_revision
    lead["scored_at"] = now
    lead["score_breakdown"] = breakdown_json(score)


def breakdown_json(score: Score) -> list[dict[str, str]]:
    """The breakdown as stored: points as exact decimal strings."""
    return [
        {
            "label": e.label,
            "kind": e.kind.value,
            "points": str(e.points),
            "detail": e.detail,
        }
        for e in score.breakdown
    ]


def attributes(lead: LeadRecord) -> LeadAttributes:
    persona = lead.get("persona_id")
    return LeadAttributes(
        company_size=lead["company_size"],
        industry=lead["industry"],
        job_title=lead["job_title"],
        seniority=lead["seniority"],
        country=lead["country"],
        source=lead["source"],
        persona=str(persona) if persona is not None else None,
        is_customer=lead["is_customer"],
    )


def cycle_of(lead: LeadRecord) -> Cycle:
    qualification = None
    if lead["qualified"]:
        at, by = lead["qualified_at"], lead["qualified_by"]
        assert at is not None and by is not None  # set whenever qualified is
        qualification = Qualification(at, lead["qualified_under"], QualifiedBy(by))
    return Cycle(lead["cycle_started_at"], lead["cycle_counts_after"], qualification)


def model_of(revision: in_force.Revision) -> QualificationModel:
    return read_model(revision.terms, revision.revision)


def _persona(revision: in_force.Revision) -> PersonaProfile:
    return profile_from_terms(revision.agreement_id, revision.terms)


async def model_in_force() -> QualificationModel | None:
    current = await in_force.one(AgreementKind.QUALIFICATION_MODEL, model_of)
    return current.value if current else None


async def personas_in_force() -> tuple[PersonaProfile, ...]:
    found = await in_force.every(AgreementKind.PERSONA, _persona)
    return tuple(p.value for p in found)


async def qualify_by_hand(
    tx: mutations.Tx, lead: LeadRecord, moves: StageMoves, reason: str
) -> None:
    """A marketing manager's qualification (moveLeadStage to MQL, or a handoff
    override): MANUAL, under the model in force if any."""
    model = await model_in_force()
    revision = model.revision if model is not None else None
    step = qualify_manually(cycle_of(lead), revision, tx.now)
    if step.promoted:
        qualify(tx, lead, step, moves, reason)
    else:  # qualified already in this cycle: the move alone
        moves.move(tx, lead, LeadStage.MQL, Via.MANUAL_QUALIFICATION, reason)


async def enter_stage(lead: LeadRecord, target: LeadStage, tx: mutations.Tx) -> None:
    """What entering a stage does besides the move: WON makes a customer;
    NURTURING and RECYCLED begin a new qualification cycle."""
    if sets_customer(target):
        lead["is_customer"] = True
    if starts_cycle(target):
        cycle = begin_cycle(tx.now)
        lead["cycle_started_at"] = cycle.started_at
        lead["cycle_counts_after"] = cycle.counts_after
        lead["qualified"] = False
        lead["qualified_at"] = None
        lead["qualified_under"] = None
        lead["qualified_by"] = None
        await engagement_store.clear([lead["id"]])


async def breakdowns(keys: list[int]) -> dict[int, list[dict[str, str]]]:
    """Each lead's `scoreBreakdown` as of its stored score.

    A lead scored under the model in force gets it rebuilt from its stored
    engagement sums at ``scored_at`` (the periodic decay pass rewrites only the
    numbers), so the entries always sum to the stored ``rawScore``; any other
    lead (no model in force, or not rescored yet) keeps the breakdown stored at
    its last scoring. Three statements whatever the number of leads."""
    found = await lead_store.load_leads(keys, lock=False)
    model = await model_in_force()
    current = {
        key: lead
        for key, lead in found.items()
        if model is not None
        and lead["scored_under"] == model.revision
        and lead["scored_at"] is not None
    }
    tallies = await engagement_store.load_tallies(current)
    result = {key: list(lead["score_breakdown"] or []) for key, lead in found.items()}
    for key, lead in current.items():
        scored_at = lead["scored_at"]
        assert model is not None and scored_at is not None
        state = EngagementState(lead["cycle_counts_after"], tallies.get(key, {}))
        score = score_state(model, attributes(lead), state, scored_at)
        result[key] = breakdown_json(score)
    return result
