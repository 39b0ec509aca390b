"""Negotiating agreements: drafts, proposals and discarding them.

Every use case is one `mutations.run` transaction that locks the agreement row,
asks the lifecycle (`server.domain.agreements.lifecycle.decide`) what happens,
and writes the result with its audit entry and events. Signing lives in
`signing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.domain.agreements.canonical import activation_hash, retirement_hash
from server.domain.agreements.lifecycle import (
    Action,
    AgreementKind,
    AgreementStatus,
    PendingState,
    SignOffAction,
    State,
    Step,
    check_draft_changes,
    decide,
)
from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.outbox import EventKind
from server.models.agreements import Agreement
from server.services.agreements import store
from server.services.agreements.signing import lock_slots, refuse_if_persona_in_use
from server.services.core import ids, mutations
from server.services.core.actors import Actor


@dataclass(frozen=True)
class TermsChange:
    id: str
    expected_version: int
    terms: Mapping[str, Any]


def _operation(verb: str, kind: AgreementKind) -> str:
    return f"{verb}{store.TYPE_OF[kind]}"


async def create_agreement(
    actor: Actor, kind: AgreementKind, raw_terms: Mapping[str, Any]
) -> mutations.Outcome[Agreement]:
    """A new agreement: status DRAFT with its terms as the pending draft."""

    async def body(tx: mutations.Tx) -> Agreement:
        decide(
            State(AgreementStatus.DRAFT, PendingState.DRAFT), Action.EDIT, _party(actor)
        )
        terms = store.read_terms(kind, raw_terms)
        await store.check_personas(terms, in_force=False, code=ErrorCode.INVALID_INPUT)
        row = await Agreement.create(
            kind=kind.value,
            status=AgreementStatus.DRAFT.value,
            pending=PendingState.DRAFT.value,
            title=store.title_of(kind, terms),
            pending_terms=store.terms_text(terms),
            created_by_id=actor.user_id,
            created_at=tx.now,
            updated_at=tx.now,
        )
        store.audit(tx, row, terms=store.plain(terms))
        return row

    return await mutations.run(actor, _operation("create", kind), body)


async def update_agreement(
    actor: Actor, kind: AgreementKind, change: TermsChange
) -> mutations.Outcome[Agreement]:
    """Replace the pending draft's terms; editing a proposal returns it to DRAFT
    and voids its sign-offs. An amendment never touches the terms in force."""

    async def body(tx: mutations.Tx) -> Agreement:
        key = ids.decode(change.id, store.TYPE_OF[kind], "id")
        row = await store.load_for_update(kind, key, "id")
        if row.version != change.expected_version:
            raise refuse(
                ErrorCode.CONFLICT,
                f"the agreement changed meanwhile (version {row.version}); reload it",
                "expectedVersion",
            )
        live = await store.live_sign_offs(row.id)
        step = decide(store.state_of(row, live), Action.EDIT, _party(actor))
        terms = store.read_terms(kind, change.terms)
        await store.check_personas(terms, in_force=False, code=ErrorCode.INVALID_INPUT)
        if step.void_reason is not None:
            await store.void_sign_offs(tx, live, step.void_reason)
        row.pending_terms = store.terms_text(terms)
        row.title = store.title_of(kind, terms)
        await store.save(tx, row, step)
        store.audit(tx, row, terms=store.plain(terms))
        return row

    return await mutations.run(actor, _operation("update", kind), body)


async def discard_draft(
    actor: Actor, agreement_id: str
) -> mutations.Outcome[Agreement]:
    """Drop pending changes; a never-active agreement becomes DISCARDED (kept)."""

    async def body(tx: mutations.Tx) -> Agreement:
        row, live = await _locked(agreement_id)
        step = decide(store.state_of(row, live), Action.DISCARD, _party(actor))
        if step.void_reason is not None:
            await store.void_sign_offs(tx, live, step.void_reason)
        if step.state.status is AgreementStatus.ACTIVE:
            row.pending_terms = None
            row.title = store.title_of(AgreementKind(row.kind), _in_force(row))
        await store.save(tx, row, step)
        store.audit(tx, row, discarded=True)
        return row

    return await mutations.run(actor, "discardDraft", body)


async def propose_agreement(
    actor: Actor, agreement_id: str
) -> mutations.Outcome[Agreement]:
    """Freeze the draft and compute the content hash both teams will sign."""

    async def body(tx: mutations.Tx) -> Agreement:
        row, live = await _locked(agreement_id)
        step = decide(store.state_of(row, live), Action.PROPOSE, _party(actor))
        kind = AgreementKind(row.kind)
        terms = store.terms_of(row.pending_terms) or {}
        check_draft_changes(row.terms, row.pending_terms)
        await store.check_personas(terms, in_force=True, code=ErrorCode.CONFLICT)
        content_hash = activation_hash(kind, terms)
        await _propose(tx, row, actor, step, (SignOffAction.ACTIVATE, content_hash))
        return row

    return await mutations.run(actor, "proposeAgreement", body)


async def propose_retirement(
    actor: Actor, agreement_id: str
) -> mutations.Outcome[Agreement]:
    """Propose taking the revision in force out of force, for both to sign."""

    async def body(tx: mutations.Tx) -> Agreement:
        kind, key = store.decode_agreement_id(agreement_id, "agreementId")
        await lock_slots(kind)
        row = await store.load_for_update(kind, key, "agreementId")
        live = await store.live_sign_offs(row.id)
        step = decide(
            store.state_of(row, live), Action.PROPOSE_RETIREMENT, _party(actor)
        )
        await refuse_if_persona_in_use(row)
        content_hash = retirement_hash(kind, row.id, row.revision)
        await _propose(tx, row, actor, step, (SignOffAction.RETIRE, content_hash))
        return row

    return await mutations.run(actor, "proposeRetirement", body)


async def _propose(
    tx: mutations.Tx,
    row: Agreement,
    actor: Actor,
    step: Step,
    proposal: tuple[SignOffAction, str],
) -> None:
    """Put a proposal (what signing it does, and the hash signed) up for both
    teams, clearing any earlier rejection; saved, announced and audited."""
    action, content_hash = proposal
    row.content_hash = content_hash
    row.proposed_at, row.proposed_by_id = tx.now, actor.user_id
    row.rejection_reason, row.rejected_by_id, row.rejected_at = None, None, None
    await store.save(tx, row, step)
    store.emit(
        tx,
        EventKind.AGREEMENT_PROPOSED,
        row,
        action=action.value,
        contentHash=row.content_hash,
    )
    store.audit(tx, row, contentHash=row.content_hash)


async def _locked(agreement_id: str) -> tuple[Agreement, list[Any]]:
    kind, key = store.decode_agreement_id(agreement_id, "agreementId")
    row = await store.load_for_update(kind, key, "agreementId")
    return row, await store.live_sign_offs(row.id)


def _in_force(row: Agreement) -> dict[str, Any]:
    return store.terms_of(row.terms) or {}


def _party(actor: Actor) -> Any:
    return store.party_of(actor)
