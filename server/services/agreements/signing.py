"""Signing: sign-offs, the countersignature, rejection and withdrawal.

The countersignature makes the proposal the next revision in force (or retires
the agreement) in the same transaction as the sign-off. Concurrent requests are
serialised in a fixed lock order, so none can deadlock another:

1. the kind's *slot* (a PostgreSQL transaction advisory lock; SQLite runs one
   write transaction at a time anyway) for qualification models and SLAs, and
   for personas the model's slot, since a model in force pins its personas;
2. the signer's user row (so a concurrent role change voids or sees the
   sign-off, never misses it);
3. the agreement row, then the agreement it supersedes.

Two managers signing at the same instant therefore queue on the agreement row;
the second sees the first's sign-off and countersigns: one activation, always.
"""

from __future__ import annotations

import hashlib

from server import db
from server.domain.agreements.lifecycle import (
    SINGLE_IN_FORCE,
    Action,
    AgreementKind,
    AgreementStatus,
    Effect,
    PendingState,
    SignOffAction,
    VoidReason,
    decide,
)
from server.domain.agreements.personas import check_retirable
from server.domain.core.errors import ErrorCode, UserErrors, refuse
from server.domain.core.outbox import EventKind
from server.models.agreements import Agreement, AgreementRevision, AgreementSignOff
from server.models.people import User
from server.services.agreements import in_force, store
from server.services.core import mutations
from server.services.core.actors import Actor
from server.services.core.hooks import Hook

MAX_REASON = 2000
# Run inside the transaction when a revision that scoring reads comes into force
# or is retired, with the reason; `server/wiring.py` connects the leads' rescoring.
scoring_changed: Hook[[mutations.Tx, str]] = Hook("scoring changed")
# A new model revision rescores every lead; a persona revision re-matches them.
RESCORED_BY = {
    AgreementKind.QUALIFICATION_MODEL: "MODEL_CHANGE",
    AgreementKind.PERSONA: "PERSONA_CHANGE",
}


async def lock_slots(kind: AgreementKind) -> None:
    """Serialise changes to what is in force for this kind (see the module doc)."""
    slot = AgreementKind.QUALIFICATION_MODEL if kind is AgreementKind.PERSONA else kind
    if slot not in SINGLE_IN_FORCE or db.dialect() != "postgres":
        return
    digest = hashlib.sha256(f"accord:agreement-slot:{slot.value}".encode()).digest()
    await db.fetch(
        "SELECT pg_advisory_xact_lock(?)", int.from_bytes(digest[:8], signed=True)
    )


async def refuse_if_persona_in_use(row: Agreement) -> None:
    """A persona the model in force names cannot be retired (CONFLICT)."""
    if row.kind != AgreementKind.PERSONA.value:
        return
    model = await in_force.one(AgreementKind.QUALIFICATION_MODEL, in_force.terms)
    check_retirable(row.id, model.value if model else None)


async def sign_off(
    actor: Actor, agreement_id: str, content_hash: str
) -> mutations.Outcome[Agreement]:
    """Sign the pending proposal for one's own team; the second team's sign-off
    is the countersignature and takes effect at once."""

    async def body(tx: mutations.Tx) -> Agreement:
        kind, key = store.decode_agreement_id(agreement_id, "agreementId")
        await lock_slots(kind)
        signer = await User.filter(id=actor.user_id).select_for_update().get()
        row = await _lock_with_the_one_in_force(kind, key)
        live = await store.live_sign_offs(row.id)
        party = store.party_of(actor, signer, tx.now)
        try:
            step = decide(store.state_of(row, live), Action.SIGN, party, content_hash)
        except UserErrors as refusal:
            await _refuse_if_team_signed_meanwhile(refusal, row, signer, content_hash)
            raise
        live.append(await _record_sign_off(tx, row, signer))
        row.status, row.pending = step.state.status.value, step.state.pending.value
        store.emit(
            tx,
            EventKind.AGREEMENT_SIGNED,
            row,
            team=signer.team,
            contentHash=content_hash,
        )
        if step.effect is Effect.ACTIVATE:
            await _activate(tx, row, live)
        elif step.effect is Effect.RETIRE:
            await _retire(tx, row, live)
        await store.save(tx, row, step)
        store.audit(tx, row, signedFor=signer.team, contentHash=content_hash)
        return row

    return await mutations.run(actor, "signOff", body)


async def _refuse_if_team_signed_meanwhile(
    refusal: UserErrors, row: Agreement, signer: User, content_hash: str
) -> None:
    """A colleague's countersignature may land while this sign-off waits for the
    row lock: the proposal took effect with their signature, so the caller's
    team already signed it (ALREADY_SIGNED, SPEC §3), not a wrong transition.
    A countersignature consumes one sign-off per team, the newest two."""
    if refusal.errors[0].code is not ErrorCode.INVALID_TRANSITION:
        return
    if row.pending != PendingState.NONE.value:
        return
    consumed = (
        await AgreementSignOff.filter(
            agreement_id=row.id, live_key__isnull=True, voided_at__isnull=True
        )
        .order_by("-id")
        .limit(2)
    )
    if any(s.team == signer.team and s.content_hash == content_hash for s in consumed):
        raise refuse(
            ErrorCode.ALREADY_SIGNED,
            f"{signer.team.lower()} has already signed this proposal; it took effect",
            "agreementId",
        )


async def _lock_with_the_one_in_force(kind: AgreementKind, key: int) -> Agreement:
    """Lock the agreement and, for a model or SLA, the one in force it may
    supersede, in key order (under the slot lock, which one is in force cannot
    change meanwhile)."""
    keys = {key}
    if kind in SINGLE_IN_FORCE:
        current = await Agreement.get_or_none(in_force_slot=kind.value).only("id")
        keys |= {current.id} if current else set()
    rows = (
        await Agreement.filter(id__in=sorted(keys)).order_by("id").select_for_update()
    )
    row = next((r for r in rows if r.id == key and r.kind == kind.value), None)
    if row is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such agreement", "agreementId")
    return row


async def _record_sign_off(
    tx: mutations.Tx, row: Agreement, signer: User
) -> AgreementSignOff:
    action = (
        SignOffAction.RETIRE
        if row.pending == PendingState.RETIREMENT_PROPOSED.value
        else SignOffAction.ACTIVATE
    )
    return await AgreementSignOff.create(
        agreement_id=row.id,
        action=action.value,
        content_hash=row.content_hash,
        user_id=signer.id,
        team=signer.team,
        role=signer.role,
        signed_at=tx.now,
        role_granted_by_id=signer.role_granted_by_id,
        role_granted_at=signer.role_granted_at,
        live_key=store.live_key(row.id, signer.team),
    )


async def _activate(
    tx: mutations.Tx, row: Agreement, signed: list[AgreementSignOff]
) -> None:
    """The countersigned proposal becomes the next revision in force; for a model
    or SLA, the one in force before it is retired in this same transaction."""
    kind = AgreementKind(row.kind)
    terms = store.terms_of(row.pending_terms) or {}
    await store.check_personas(terms, in_force=True, code=ErrorCode.CONFLICT)
    if kind in SINGLE_IN_FORCE:
        await _supersede_other(tx, row, kind)
    await _close_revision(row, tx)
    revision = await AgreementRevision.create(
        agreement_id=row.id,
        number=row.revision + 1,
        terms=row.pending_terms,
        content_hash=row.content_hash,
        activated_at=tx.now,
    )
    await _consume(signed, revision)
    row.revision, row.terms, row.pending_terms = (
        revision.number,
        row.pending_terms,
        None,
    )
    row.activated_at = tx.now
    row.in_force_slot = kind.value if kind in SINGLE_IN_FORCE else None
    if kind in RESCORED_BY:
        await scoring_changed(tx, RESCORED_BY[kind])
    store.emit(
        tx,
        EventKind.AGREEMENT_ACTIVATED,
        row,
        revision=revision.number,
        contentHash=row.content_hash,
    )


async def _supersede_other(
    tx: mutations.Tx, row: Agreement, kind: AgreementKind
) -> None:
    previous = (
        await Agreement.filter(in_force_slot=kind.value)
        .exclude(id=row.id)
        .select_for_update()
        .first()
    )
    if previous is None:
        return
    await store.void_sign_offs(
        tx, await store.live_sign_offs(previous.id), VoidReason.SUPERSEDED
    )
    await _close_revision(previous, tx)
    previous.status, previous.pending = (
        AgreementStatus.RETIRED.value,
        PendingState.NONE.value,
    )
    previous.in_force_slot, previous.retired_at = None, tx.now
    previous.pending_terms, previous.content_hash = None, None
    previous.proposed_at, previous.proposed_by_id = None, None
    await store.touch(tx, previous)
    store.emit(
        tx, EventKind.AGREEMENT_RETIRED, previous, supersededBy=store.global_id(row)
    )


async def _retire(
    tx: mutations.Tx, row: Agreement, signed: list[AgreementSignOff]
) -> None:
    await refuse_if_persona_in_use(row)
    current = await _close_revision(row, tx)
    await _consume(signed, current)
    row.in_force_slot, row.retired_at = None, tx.now
    if AgreementKind(row.kind) is AgreementKind.PERSONA:
        await scoring_changed(tx, RESCORED_BY[AgreementKind.PERSONA])
    store.emit(tx, EventKind.AGREEMENT_RETIRED, row, contentHash=row.content_hash)


async def _close_revision(row: Agreement, tx: mutations.Tx) -> AgreementRevision | None:
    """Mark the revision in force as superseded now; return it."""
    if row.revision == 0:
        return None
    current = await AgreementRevision.get(agreement_id=row.id, number=row.revision)
    current.superseded_at = tx.now
    await current.save(update_fields=["superseded_at"])
    return current


async def _consume(
    signed: list[AgreementSignOff], revision: AgreementRevision | None
) -> None:
    await AgreementSignOff.filter(id__in=[s.id for s in signed]).update(
        live_key=None, revision_id=revision.id if revision else None
    )


async def reject_proposal(
    actor: Actor, agreement_id: str, reason: str
) -> mutations.Outcome[Agreement]:
    """Send a proposal back: pending returns to DRAFT (a retirement proposal to
    NONE), its sign-offs are voided, the revision in force stays in force."""

    async def body(tx: mutations.Tx) -> Agreement:
        kind, key = store.decode_agreement_id(agreement_id, "agreementId")
        row = await store.load_for_update(kind, key, "agreementId")
        live = await store.live_sign_offs(row.id)
        step = decide(store.state_of(row, live), Action.REJECT, store.party_of(actor))
        why = reason.strip()
        if not why or len(why) > MAX_REASON:
            raise refuse(
                ErrorCode.INVALID_INPUT,
                f"give a reason of 1–{MAX_REASON} characters",
                "reason",
            )
        if step.void_reason is not None:
            await store.void_sign_offs(tx, live, step.void_reason)
        proposed_hash = row.content_hash
        row.rejection_reason, row.rejected_by_id, row.rejected_at = (
            why,
            actor.user_id,
            tx.now,
        )
        await store.save(tx, row, step)
        store.emit(
            tx, EventKind.AGREEMENT_REJECTED, row, reason=why, contentHash=proposed_hash
        )
        store.audit(tx, row, reason=why, contentHash=proposed_hash)
        return row

    return await mutations.run(actor, "rejectProposal", body)


async def withdraw_sign_off(
    actor: Actor, agreement_id: str
) -> mutations.Outcome[Agreement]:
    """Take back one's own sign-off before the countersignature."""

    async def body(tx: mutations.Tx) -> Agreement:
        kind, key = store.decode_agreement_id(agreement_id, "agreementId")
        row = await store.load_for_update(kind, key, "agreementId")
        live = await store.live_sign_offs(row.id)
        step = decide(store.state_of(row, live), Action.WITHDRAW, store.party_of(actor))
        mine = [s for s in live if s.user_id == actor.user_id]
        await store.void_sign_offs(tx, mine, VoidReason.WITHDRAWN)
        await store.save(tx, row, step)
        store.audit(tx, row, withdrawnFor=actor.team.value)
        return row

    return await mutations.run(actor, "withdrawSignOff", body)


async def void_sign_offs_of(tx: mutations.Tx, user: User) -> None:
    """A change of team or role, or deactivation, voids the user's sign-offs on
    pending proposals (runs inside the user change's transaction, which holds the
    user's row; the agreements are locked in key order before their sign-offs,
    as every other use case does)."""
    signed = await AgreementSignOff.filter(user_id=user.id, live_key__isnull=False)
    if not signed:
        return
    keys = sorted({s.agreement_id for s in signed})
    rows = await Agreement.filter(id__in=keys).order_by("id").select_for_update()
    live = await AgreementSignOff.filter(user_id=user.id, live_key__isnull=False)
    reason = VoidReason.ROLE_CHANGED if user.active else VoidReason.DEACTIVATED
    await store.void_sign_offs(tx, live, reason)
    for row in rows:
        await store.touch(tx, row)
