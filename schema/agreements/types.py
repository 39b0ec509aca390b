"""Agreements as read: the `Agreement` interface, its four kinds, sign-offs,
revisions, the diff and goal progress. To-many fields load through per-request
DataLoaders, so a page of agreements costs a fixed number of statements."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from schema.agreements.terms import AgreementTerms, terms_type
from schema.context import LOADERS, Info
from schema.core.relay import Node
from schema.people.users import Role, Team, User, user_by_key
from server.domain.agreements.canonical import diff
from server.domain.agreements.goals import PaceStatus as DomainPaceStatus
from server.domain.agreements.lifecycle import AgreementKind as DomainAgreementKind
from server.domain.agreements.lifecycle import AgreementStatus as DomainAgreementStatus
from server.domain.agreements.lifecycle import PendingState as DomainPendingState
from server.domain.agreements.lifecycle import SignOffAction as DomainSignOffAction
from server.domain.agreements.lifecycle import VoidReason as DomainVoidReason
from server.domain.agreements.personas import EvidenceSource as DomainEvidenceSource
from server.domain.core.roles import Role as DomainRole
from server.domain.core.roles import Team as DomainTeam
from server.services.agreements import goals
from server.services.agreements import reads as agreement_reads
from server.services.agreements import store as agreement_store

if TYPE_CHECKING:
    from server import models

T = TypeVar("T")


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
        return terms_type(self._row.kind, pending_terms_of(self._row))

    @strawberry.field(description="Field by field, pending terms vs terms in force.")
    def diff(self) -> list[TermChange]:
        pending = pending_terms_of(self._row)
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


def convert_terms(
    convert: Callable[[Mapping[str, Any]], T], terms: Mapping[str, Any] | None
) -> T | None:
    return None if terms is None else convert(terms)


def pending_terms_of(row: models.Agreement) -> dict[str, Any] | None:
    if row.pending not in ("DRAFT", "PROPOSED"):
        return None
    return agreement_store.terms_of(row.pending_terms)


# ---- loaders and nodes ----------------------------------------------------------


def _batch(fetch: Any, empty: Any) -> Any:
    async def load(keys: list[int]) -> list[Any]:
        found = await fetch(keys)
        return [found.get(k, empty) for k in keys]

    return load


async def _computed_progress(keys: list[tuple[int, str, str]]) -> list[Any]:
    """Goals on computed metrics, keyed by (id, terms in force, timezone):
    measured together, one statement per timezone asked for (one, in practice)."""
    found: dict[tuple[int, str, str], Any] = {}
    for timezone in sorted({zone for _, _, zone in keys}):
        wanted = {
            key: agreement_store.terms_of(text) or {}
            for key, text, zone in keys
            if zone == timezone
        }
        done = await goals.computed_progresses(list(wanted.items()), timezone)
        for key, text, zone in keys:
            if zone == timezone:
                found[(key, text, zone)] = done.get(key)
    return [found.get(k) for k in keys]


LOADERS.update(
    {
        "agreementSignOffs": _batch(agreement_reads.live_sign_offs, []),
        "agreementSignOffHistory": _batch(agreement_reads.sign_off_history, []),
        "agreementRevisions": _batch(agreement_reads.revisions, []),
        "personaEvidence": _batch(agreement_reads.evidence, []),
        "goalLatestMeasurement": _batch(agreement_reads.latest_measurements, None),
        "goalComputedProgress": cast(Any, _computed_progress),
    }
)
