"""Agreements as read: the `Agreement` interface, its four kinds, sign-offs,
revisions, the diff and goal progress. To-many fields load through per-request
DataLoaders, so a page of agreements costs a fixed number of statements."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import strawberry
from strawberry.scalars import JSON

from schema.agreement_terms import (
    AgreementTerms,
    GoalTerms,
    PersonaTerms,
    QualificationModelTerms,
    ServiceLevelAgreementTerms,
    goal_terms,
    model_terms,
    persona_terms,
    sla_terms,
    terms_type,
)
from schema.context import LOADERS, Context, Info
from schema.relay import Node, NodeType, register_node
from schema.users import Role, Team, User, user_type
from server.domain.agreements import AgreementKind as DomainAgreementKind
from server.domain.agreements import AgreementStatus as DomainAgreementStatus
from server.domain.agreements import PendingState as DomainPendingState
from server.domain.agreements import SignOffAction as DomainSignOffAction
from server.domain.agreements import VoidReason as DomainVoidReason
from server.domain.agreements import diff
from server.domain.goals import PaceStatus as DomainPaceStatus
from server.domain.personas import EvidenceSource as DomainEvidenceSource
from server.domain.users import Role as DomainRole
from server.domain.users import Team as DomainTeam
from server.services import agreement_reads, agreement_store, goals

if TYPE_CHECKING:
    from server import models

T = TypeVar("T")


async def user_by_key(info: Info, key: int | None) -> User | None:
    if key is None:
        return None
    row = await info.context.loader("user").load(key)
    return user_type(row) if row else None


strawberry.enum(DomainAgreementKind, name="AgreementKind")
strawberry.enum(DomainAgreementStatus, name="AgreementStatus")
strawberry.enum(DomainPendingState, name="PendingState")
strawberry.enum(DomainSignOffAction, name="SignOffAction")
strawberry.enum(DomainVoidReason, name="SignOffVoidReason")
strawberry.enum(DomainPaceStatus, name="PaceStatus")
strawberry.enum(DomainEvidenceSource, name="PersonaEvidenceSource")
AgreementKind: TypeAlias = DomainAgreementKind
AgreementStatus: TypeAlias = DomainAgreementStatus
PendingState: TypeAlias = DomainPendingState
SignOffAction: TypeAlias = DomainSignOffAction
SignOffVoidReason: TypeAlias = DomainVoidReason
PaceStatus: TypeAlias = DomainPaceStatus
PersonaEvidenceSource: TypeAlias = DomainEvidenceSource


@strawberry.type
class SignOff:
    team: Team = strawberry.field(description="The signer's team when signing.")
    role: Role = strawberry.field(description="The signer's role when signing.")
    action: SignOffAction
    signed_at: datetime
    content_hash: str
    role_granted_at: datetime | None
    voided_at: datetime | None
    void_reason: SignOffVoidReason | None
    _user: strawberry.Private[int]
    _granted_by: strawberry.Private[int | None]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await user_by_key(info, self._user)

    @strawberry.field(description="The admin who last granted the signer's role.")
    async def role_granted_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._granted_by)


def sign_off_type(row: models.AgreementSignOff) -> SignOff:
    return SignOff(
        team=DomainTeam(row.team),
        role=DomainRole(row.role),
        action=DomainSignOffAction(row.action),
        signed_at=row.signed_at,
        content_hash=row.content_hash,
        role_granted_at=row.role_granted_at,
        voided_at=row.voided_at,
        void_reason=DomainVoidReason(row.void_reason) if row.void_reason else None,
        _user=row.user_id,
        _granted_by=row.role_granted_by_id,
    )


@strawberry.type
class AgreementRevision:
    number: int
    terms: AgreementTerms
    content_hash: str
    sign_offs: list[SignOff]
    activated_at: datetime
    superseded_at: datetime | None


def revision_type(
    kind: str, record: agreement_reads.RevisionRecord
) -> AgreementRevision:
    row = record.revision
    terms = terms_type(kind, agreement_store.terms_of(row.terms))
    assert terms is not None  # a revision always has terms
    return AgreementRevision(
        number=row.number,
        terms=terms,
        content_hash=row.content_hash,
        sign_offs=[sign_off_type(s) for s in record.sign_offs],
        activated_at=row.activated_at,
        superseded_at=row.superseded_at,
    )


@strawberry.type
class TermChange:
    path: list[str] = strawberry.field(
        description="Where in the terms, e.g. fitRules.2.points."
    )
    before: JSON | None = strawberry.field(description="In force; null when new.")
    after: JSON | None = strawberry.field(description="Pending; null when removed.")


@strawberry.type
class Rejection:
    reason: str
    rejected_at: datetime
    _by: strawberry.Private[int | None]

    @strawberry.field
    async def rejected_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._by)


@strawberry.interface(description="A goal, persona, qualification model or SLA.")
class Agreement(Node):
    id: strawberry.ID
    kind: AgreementKind
    title: str
    status: AgreementStatus
    pending: PendingState
    revision: int = strawberry.field(description="The revision in force; 0 if none.")
    version: int
    content_hash: str | None = strawberry.field(
        description="Of the pending proposal: what both teams sign."
    )
    proposed_at: datetime | None
    activated_at: datetime | None = strawberry.field(
        description="When the revision in force came into force."
    )
    retired_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_rejection: Rejection | None
    _row: strawberry.Private[Any]

    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> AgreementTerms | None:
        return terms_type(self._row.kind, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> AgreementTerms | None:
        return terms_type(self._row.kind, _pending_terms(self._row))

    @strawberry.field(description="Field by field, pending terms vs terms in force.")
    def diff(self) -> list[TermChange]:
        pending = _pending_terms(self._row)
        if pending is None:
            return []
        in_force = agreement_store.terms_of(self._row.terms)
        return [
            TermChange(
                path=list(c.path),
                before=agreement_store.plain(c.before),
                after=agreement_store.plain(c.after),
            )
            for c in diff(in_force, pending)
        ]

    @strawberry.field(description="Sign-offs on the pending proposal.")
    async def sign_offs(self, info: Info) -> list[SignOff]:
        rows = await info.context.loader("agreementSignOffs").load(self._row.id)
        return [sign_off_type(s) for s in rows]

    @strawberry.field(description="Every sign-off given, voided ones included.")
    async def sign_off_history(self, info: Info) -> list[SignOff]:
        rows = await info.context.loader("agreementSignOffHistory").load(self._row.id)
        return [sign_off_type(s) for s in rows]

    @strawberry.field(description="Every revision that was in force, oldest first.")
    async def revisions(self, info: Info) -> list[AgreementRevision]:
        records = await info.context.loader("agreementRevisions").load(self._row.id)
        return [revision_type(self._row.kind, r) for r in records]

    @strawberry.field
    async def proposed_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._row.proposed_by_id)

    @strawberry.field
    async def created_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._row.created_by_id)


def _convert(
    convert: Callable[[Mapping[str, Any]], T], terms: Mapping[str, Any] | None
) -> T | None:
    return None if terms is None else convert(terms)


def _pending_terms(row: models.Agreement) -> dict[str, Any] | None:
    if row.pending not in ("DRAFT", "PROPOSED"):
        return None
    return agreement_store.terms_of(row.pending_terms)


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
        return _convert(goal_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> GoalTerms | None:
        return _convert(goal_terms, _pending_terms(self._row))

    @strawberry.field(
        description="For a goal in force on a MANUAL metric; computed metrics "
        "report progress once the metrics capability feeds them."
    )
    async def progress(self, info: Info) -> GoalProgress | None:
        latest = await info.context.loader("goalLatestMeasurement").load(self._row.id)
        found = goals.progress_of(
            self._row, latest, info.context.settings.reporting_timezone
        )
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
        )


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


@strawberry.type
class Persona(Agreement):
    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> PersonaTerms | None:
        return _convert(persona_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> PersonaTerms | None:
        return _convert(persona_terms, _pending_terms(self._row))

    @strawberry.field(description="What backs the persona up; outside the terms.")
    async def evidence(self, info: Info) -> list[PersonaEvidence]:
        rows = await info.context.loader("personaEvidence").load(self._row.id)
        return [evidence_type(e) for e in rows]


@strawberry.type
class QualificationModel(Agreement):
    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> QualificationModelTerms | None:
        return _convert(model_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> QualificationModelTerms | None:
        return _convert(model_terms, _pending_terms(self._row))


@strawberry.type
class ServiceLevelAgreement(Agreement):
    @strawberry.field(description="The terms in force (null when none is).")
    def terms(self) -> ServiceLevelAgreementTerms | None:
        return _convert(sla_terms, agreement_store.terms_of(self._row.terms))

    @strawberry.field(description="The draft or proposal being negotiated.")
    def pending_terms(self) -> ServiceLevelAgreementTerms | None:
        return _convert(sla_terms, _pending_terms(self._row))


CLASSES: dict[str, type[Agreement]] = {
    DomainAgreementKind.GOAL.value: Goal,
    DomainAgreementKind.PERSONA.value: Persona,
    DomainAgreementKind.QUALIFICATION_MODEL.value: QualificationModel,
    DomainAgreementKind.SERVICE_LEVEL_AGREEMENT.value: ServiceLevelAgreement,
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
        id=strawberry.ID(agreement_store.global_id(row)),
        kind=DomainAgreementKind(row.kind),
        title=row.title,
        status=DomainAgreementStatus(row.status),
        pending=DomainPendingState(row.pending),
        revision=row.revision,
        version=row.version,
        content_hash=row.content_hash,
        proposed_at=row.proposed_at,
        activated_at=row.activated_at,
        retired_at=row.retired_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_rejection=rejection,
        _row=row,
    )


# ---- loaders and nodes ----------------------------------------------------------


def _batch(fetch: Any, empty: Any) -> Any:
    async def load(keys: list[int]) -> list[Any]:
        found = await fetch(keys)
        return [found.get(k, empty) for k in keys]

    return load


LOADERS.update(
    {
        "agreementSignOffs": _batch(agreement_reads.live_sign_offs, []),
        "agreementSignOffHistory": _batch(agreement_reads.sign_off_history, []),
        "agreementRevisions": _batch(agreement_reads.revisions, []),
        "personaEvidence": _batch(agreement_reads.evidence, []),
        "goalLatestMeasurement": _batch(agreement_reads.latest_measurements, None),
    }
)


def _node_fetch(kind: DomainAgreementKind) -> NodeType:
    async def fetch(context: Context, keys: list[int]) -> dict[int, Any]:
        if context.actor is None:
            return {}
        rows = await agreement_reads.agreements_by_ids(keys, kind)
        return {k: agreement_type(v) for k, v in rows.items()}

    return NodeType(fetch)


for _kind, _name in agreement_store.TYPE_OF.items():
    register_node(_name, _node_fetch(_kind))
