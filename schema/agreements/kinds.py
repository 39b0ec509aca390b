"""The four kinds of agreement as read, with what only some kinds have: goal
progress and measurements, persona evidence. Registers each kind for `node`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import strawberry

from schema.agreements.terms import (
    GoalTerms,
    PersonaTerms,
    QualificationModelTerms,
    ServiceLevelAgreementTerms,
    goal_terms,
    model_terms,
    persona_terms,
    sla_terms,
)
from schema.agreements.types import (
    Agreement,
    PaceStatus,
    PersonaEvidenceSource,
    Rejection,
    convert_terms,
    pending_terms_of,
)
from schema.context import Context, Info
from schema.core.money import Money, money
from schema.core.relay import NodeType
from schema.people.users import User, user_by_key
from server.domain.agreements.goals import MONEY_METRICS
from server.domain.agreements.lifecycle import AgreementKind as DomainAgreementKind
from server.domain.agreements.lifecycle import AgreementStatus as DomainAgreementStatus
from server.domain.agreements.lifecycle import PendingState as DomainPendingState
from server.domain.agreements.personas import EvidenceSource as DomainEvidenceSource
from server.services.agreements import goals
from server.services.agreements import reads as agreement_reads
from server.services.agreements import store as agreement_store

if TYPE_CHECKING:
    from server import models


@strawberry.type
class GoalProgress:
    current: Decimal = strawberry.field(description="The latest measurement.")
    target: Decimal
    ratio: float = strawberry.field(description="current ÷ target.")
    expected_ratio: float = strawberry.field(
        description="The elapsed share of the period (reporting timezone)."
    )
    status: PaceStatus
    ended: bool = strawberry.field(description="The period is over.")
    measured_at: datetime | None
    _money: strawberry.Private[bool] = False

    @strawberry.field(
        description="current with its currency, for a money metric (PIPELINE_VALUE, "
        "WON_REVENUE, RECURRING_REVENUE); null for counts and MANUAL goals."
    )
    def current_money(self, info: Info) -> Money | None:
        return money(info, self.current) if self._money else None

    @strawberry.field(description="target with its currency, for a money metric.")
    def target_money(self, info: Info) -> Money | None:
        return money(info, self.target) if self._money else None


@strawberry.type
class GoalMeasurement:
    value: Decimal
    as_of: datetime
    note: str
    recorded_at: datetime
    _by: strawberry.Private[int | None]

    @strawberry.field
    async def recorded_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._by)


def measurement_type(row: models.GoalMeasurement) -> GoalMeasurement:
    return GoalMeasurement(
        value=goals.measured_value(row),
        as_of=row.as_of,
        note=row.note,
        recorded_at=row.recorded_at,
        _by=row.recorded_by_id,
    )


@strawberry.type
class Goal(Agreement):
    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> GoalTerms | None:
        return convert_terms(goal_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> GoalTerms | None:
        return convert_terms(goal_terms, pending_terms_of(self._row))

    @strawberry.field(
        description="For a goal in force: computed metrics measured over the "
        "goal's period (docs/metrics.md), MANUAL ones from the latest measurement."
    )
    async def progress(self, info: Info) -> GoalProgress | None:
        latest = await info.context.loader("goalLatestMeasurement").load(self._row.id)
        timezone = info.context.settings.reporting_timezone
        found = goals.progress_of(self._row, latest, timezone)
        if found is None:
            terms = goals.computed_terms(self._row)
            if terms is None:
                return None
            key = (self._row.id, self._row.terms, timezone)
            found = await info.context.loader("goalComputedProgress").load(key)
            latest = None
        if found is None:
            return None
        return GoalProgress(
            current=found.current,
            target=found.target,
            ratio=float(found.ratio),
            expected_ratio=float(found.expected_ratio),
            status=found.status,
            ended=found.ended,
            measured_at=latest.as_of if latest else None,
            _money=_is_money(self._row),
        )


def _is_money(row: models.Agreement) -> bool:
    metric = (agreement_store.terms_of(row.terms) or {}).get("metric")
    return metric in {m.value for m in MONEY_METRICS}


@strawberry.type
class PersonaEvidence:
    source: PersonaEvidenceSource
    note: str
    added_at: datetime
    _by: strawberry.Private[int | None]

    @strawberry.field
    async def added_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._by)


def evidence_type(row: models.PersonaEvidence) -> PersonaEvidence:
    return PersonaEvidence(
        source=DomainEvidenceSource(row.source),
        note=row.note,
        added_at=row.added_at,
        _by=row.added_by_id,
    )


@lru_cache(maxsize=1024)
def _persona_name(terms_text: str | None) -> str | None:
    """A page lists the same few personas many times: parse each text once."""
    terms = agreement_store.terms_of(terms_text)
    return str(terms["name"]) if terms else None


@strawberry.type
class Persona(Agreement):
    @strawberry.field(description="The persona's name in force (else its title).")
    def name(self) -> str:
        return _persona_name(self._row.terms) or self.title

    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> PersonaTerms | None:
        return convert_terms(persona_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> PersonaTerms | None:
        return convert_terms(persona_terms, pending_terms_of(self._row))

    @strawberry.field(description="What backs the persona up; outside the terms.")
    async def evidence(self, info: Info) -> list[PersonaEvidence]:
        rows = await info.context.loader("personaEvidence").load(self._row.id)
        return [evidence_type(e) for e in rows]


@strawberry.type
class QualificationModel(Agreement):
    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> QualificationModelTerms | None:
        return convert_terms(model_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> QualificationModelTerms | None:
        return convert_terms(model_terms, pending_terms_of(self._row))


@strawberry.type
class ServiceLevelAgreement(Agreement):
    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> ServiceLevelAgreementTerms | None:
        return convert_terms(sla_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> ServiceLevelAgreementTerms | None:
        return convert_terms(sla_terms, pending_terms_of(self._row))


CLASSES: dict[str, type[Agreement]] = {
    DomainAgreementKind.GOAL.value: Goal,
    DomainAgreementKind.PERSONA.value: Persona,
    DomainAgreementKind.QUALIFICATION_MODEL.value: QualificationModel,
    DomainAgreementKind.SERVICE_LEVEL_AGREEMENT.value: ServiceLevelAgreement,
}


# What each plain field of an agreement holds, read from its row (a model or a
# `Record`): `agreement_type` builds the executor's objects with these, and the
# compiled reads (`schema.agreements.compiled`) answer a persona's with them.
AGREEMENT_VALUES: dict[str, Callable[[Any], Any]] = {
    "id": lambda r: strawberry.ID(agreement_store.global_id(r)),
    "kind": lambda r: DomainAgreementKind(r.kind),
    "title": attrgetter("title"),
    "status": lambda r: DomainAgreementStatus(r.status),
    "pending": lambda r: DomainPendingState(r.pending),
    "revision": attrgetter("revision"),
    "version": attrgetter("version"),
    "content_hash": attrgetter("content_hash"),
    "proposed_at": attrgetter("proposed_at"),
    "activated_at": attrgetter("activated_at"),
    "retired_at": attrgetter("retired_at"),
    "created_at": attrgetter("created_at"),
    "updated_at": attrgetter("updated_at"),
}
# A persona's, with its name; and the columns each reads (the kind always:
# the id is made from it, and a row read as it comes is checked by it).
PERSONA_VALUES: dict[str, Callable[[Any], Any]] = {
    **AGREEMENT_VALUES,
    "name": lambda r: _persona_name(r.terms) or r.title,
}
PERSONA_COLUMNS: dict[str, tuple[str, ...]] = {
    **{name: (name, "kind") for name in AGREEMENT_VALUES},
    "id": ("id", "kind"),
    "name": ("terms", "title", "kind"),
}


def agreement_type(row: models.Agreement) -> Agreement:
    rejection = None
    if row.rejection_reason is not None and row.rejected_at is not None:
        rejection = Rejection(
            reason=row.rejection_reason,
            rejected_at=row.rejected_at,
            _by=row.rejected_by_id,
        )
    return CLASSES[row.kind](
        **{name: read(row) for name, read in AGREEMENT_VALUES.items()},
        last_rejection=rejection,
        _row=row,
    )


def _node_fetch(kind: DomainAgreementKind) -> NodeType:
    async def fetch(context: Context, keys: list[int]) -> dict[int, Any]:
        if context.actor is None:
            return {}
        rows = await agreement_reads.agreements_by_ids(keys, kind)
        return {k: agreement_type(v) for k, v in rows.items()}

    return NodeType(fetch)


NODE_TYPES = {name: _node_fetch(kind) for kind, name in agreement_store.TYPE_OF.items()}
