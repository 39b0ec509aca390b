"""What the agreement use cases share: loading rows locked, reading terms, the
lifecycle state of a row, sign-off bookkeeping and event payloads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from server.domain.agreements import lifecycle
from server.domain.agreements.canonical import canonical_json, load_terms
from server.domain.agreements.goals import read_goal_terms
from server.domain.agreements.lifecycle import (
    AgreementKind,
    AgreementStatus,
    Party,
    PendingState,
    State,
    VoidReason,
    granted_recently,
)
from server.domain.agreements.model_terms import persona_keys, read_model_terms
from server.domain.agreements.personas import read_persona_terms
from server.domain.agreements.sla_terms import read_sla_terms
from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.core.roles import Role, Team
from server.models.agreements import Agreement, AgreementSignOff
from server.models.people import User
from server.services.core import ids, mutations
from server.services.core.actors import Actor

# The global ID type of each kind (all four share the agreement table's keys).
TYPE_OF = {
    AgreementKind.GOAL: "Goal",
    AgreementKind.PERSONA: "Persona",
    AgreementKind.QUALIFICATION_MODEL: "QualificationModel",
    AgreementKind.SERVICE_LEVEL_AGREEMENT: "ServiceLevelAgreement",
}
KIND_OF = {name: kind for kind, name in TYPE_OF.items()}


def global_id(row: Agreement) -> str:
    return ids.encode(TYPE_OF[AgreementKind(row.kind)], row.id)


def decode_agreement_id(value: str, *field: str) -> tuple[AgreementKind, int]:
    """The kind and key of an ID of any of the four agreement types."""
    found = ids.decode_any(value)
    if found is None or found[0] not in KIND_OF:
        raise refuse(ErrorCode.INVALID_INPUT, "this is not an agreement ID", *field)
    return KIND_OF[found[0]], found[1]


async def load_for_update(kind: AgreementKind, key: int, *field: str) -> Agreement:
    row = await Agreement.filter(id=key, kind=kind.value).select_for_update().first()
    if row is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such agreement", *field)
    return row


def read_terms(kind: AgreementKind, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised terms of a kind, or every problem with its input path."""
    if kind is AgreementKind.GOAL:
        return read_goal_terms(raw)
    if kind is AgreementKind.PERSONA:
        return read_persona_terms(raw)
    if kind is AgreementKind.QUALIFICATION_MODEL:
        return read_model_terms(raw, _persona_key)
    return read_sla_terms(raw)


def _persona_key(value: str) -> str | None:
    found = ids.decode_any(value)
    return str(found[1]) if found and found[0] == "Persona" else None


def title_of(kind: AgreementKind, terms: Mapping[str, Any]) -> str:
    if kind is AgreementKind.GOAL:
        return str(terms["title"])
    if kind is AgreementKind.PERSONA:
        return str(terms["name"])
    if kind is AgreementKind.QUALIFICATION_MODEL:
        return "Qualification model"
    return "Service-level agreement"


async def check_personas(
    terms: Mapping[str, Any], *, in_force: bool, code: ErrorCode
) -> None:
    """Personas a model names must exist (and be in force, when asked)."""
    wanted = persona_keys(terms)
    if not wanted:
        return
    allowed = (
        [AgreementStatus.ACTIVE.value]
        if in_force
        else [AgreementStatus.DRAFT.value, AgreementStatus.ACTIVE.value]
    )
    rows = await Agreement.filter(
        id__in=wanted, kind=AgreementKind.PERSONA.value, status__in=allowed
    ).only("id")
    found = {row.id for row in rows}
    errors = [
        UserError(code, _persona_problem(in_force), path)
        for path, key in _persona_paths(terms)
        if key not in found
    ]
    if errors:
        raise UserErrors(errors)


def _persona_problem(in_force: bool) -> str:
    if in_force:
        return "this persona is not in force"
    return "no such persona (or it was retired or discarded)"


def _persona_paths(terms: Mapping[str, Any]) -> list[tuple[tuple[str, ...], int]]:
    return [
        (("terms", "fitRules", str(i), "values", str(j)), int(value))
        for i, rule in enumerate(terms.get("fitRules", []))
        if rule["field"] == "persona"
        for j, value in enumerate(rule["values"])
    ]


def state_of(row: Agreement, live: list[AgreementSignOff]) -> State:
    return State(
        AgreementStatus(row.status),
        PendingState(row.pending),
        row.content_hash,
        {Team(s.team): s.user_id for s in live},
    )


def party_of(
    actor: Actor, user: User | None = None, now: datetime | None = None
) -> Party:
    """The actor as the lifecycle sees them; with their (locked) row, from its
    current team and role, and the 24-hour rule after an admin's grant."""
    if user is None or now is None:
        return Party(actor.user_id, actor.team, actor.role, actor.in_session)
    return Party(
        user.id,
        Team(user.team),
        Role(user.role) if user.active else Role.MEMBER,
        actor.in_session,
        granted_recently=granted_recently(
            now,
            (user.role_granted_by_id, user.role_granted_at),
            (user.credentials_issued_by_id, user.credentials_issued_at),
        ),
    )


async def live_sign_offs(agreement_id: int) -> list[AgreementSignOff]:
    return await AgreementSignOff.filter(
        agreement_id=agreement_id, live_key__isnull=False
    ).order_by("signed_at", "id")


def live_key(agreement_id: int, team: str) -> str:
    return f"{agreement_id}:{team}"


async def void_sign_offs(
    tx: mutations.Tx, sign_offs: list[AgreementSignOff], reason: VoidReason
) -> None:
    """Stop sign-offs counting; they stay on record with when and why."""
    if not sign_offs:
        return
    await AgreementSignOff.filter(id__in=[s.id for s in sign_offs]).update(
        live_key=None, voided_at=tx.now, void_reason=reason.value
    )
    tx.changes.setdefault("voidedSignOffs", []).extend(
        {"user": ids.encode("User", s.user_id), "team": s.team, "reason": reason.value}
        for s in sign_offs
    )


async def save(tx: mutations.Tx, row: Agreement, step: lifecycle.Step) -> None:
    """Write the lifecycle's next state and bump the version."""
    row.status = step.state.status.value
    row.pending = step.state.pending.value
    if step.state.pending not in lifecycle.NEGOTIATING:
        row.content_hash = None
        row.proposed_at = None
        row.proposed_by_id = None
    await touch(tx, row)


async def touch(tx: mutations.Tx, row: Agreement) -> None:
    row.version += 1
    row.updated_at = tx.now
    await row.save()


def audit(tx: mutations.Tx, row: Agreement, **changes: Any) -> None:
    tx.audit(
        TYPE_OF[AgreementKind(row.kind)],
        row.id,
        status=row.status,
        pending=row.pending,
        revision=row.revision,
        **changes,
    )


def emit(tx: mutations.Tx, kind: str, row: Agreement, **payload: Any) -> None:
    body = {
        "agreementId": global_id(row),
        "kind": row.kind,
        "status": row.status,
        "pending": row.pending,
        "revision": row.revision,
        **payload,
    }
    tx.emit(kind, "Agreement", row.id, body)


def plain(value: Any) -> Any:
    """Terms as JSON values for the audit log, events and the diff: numbers as
    numbers, except a decimal a float cannot hold exactly, kept as its string."""
    return json.loads(canonical_json(value), parse_float=_exact_float)


def _exact_float(text: str) -> float | str:
    number = float(text)
    return number if repr(number) == text else text


def terms_text(terms: Mapping[str, Any]) -> str:
    return canonical_json(terms)


def terms_of(text: str | None) -> dict[str, Any] | None:
    return load_terms(text)
