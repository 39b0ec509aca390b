"""Leads in: `upsertLeads` and `updateLead` (SPEC §2.3, §3).

An upsert row finds its lead by external id first, then by email; a row whose
keys point at two different leads is a CONFLICT. Rows apply in order, so a later
row of the same call sees what an earlier one created or changed. An invalid or
stale row is reported and never blocks the valid ones; the call is one
transaction writing every lead in bulk, with one audit entry listing the rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.core.outbox import EventKind
from server.domain.leads.erasure import is_erased_email
from server.domain.leads.intake import (
    MAX_UPSERT_ROWS,
    IncomingLead,
    is_stale,
    read_lead_row,
    read_lead_update,
)
from server.domain.leads.qualification import Trigger
from server.domain.leads.stages import LeadStage
from server.services.core import ids, mutations
from server.services.core.actors import Actor
from server.services.leads import aliases, backfill
from server.services.leads import store as lead_store
from server.services.leads.refresh import refresh
from server.services.leads.scoring import StageMoves, personas_in_force
from server.services.leads.store import ConcurrentInsert, load_lead

ATTEMPTS = 3
# Stored leads are keyed by id, leads new in this call by ("new", n).
Key = int | tuple[str, int]


class RowOutcome(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    STALE = "STALE"
    FAILED = "FAILED"


@dataclass
class RowResult:
    index: int
    outcome: RowOutcome
    lead_key: Key | None = None
    errors: list[UserError] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return self.outcome is RowOutcome.CREATED


@dataclass
class Upserted:
    rows: list[RowResult]
    leads: dict[int, lead_store.LeadRecord]

    def lead_of(self, row: RowResult) -> lead_store.LeadRecord | None:
        key = row.lead_key
        return self.leads.get(key) if isinstance(key, int) else None

    def count(self, outcome: RowOutcome) -> int:
        return sum(1 for r in self.rows if r.outcome is outcome)


@dataclass
class _Batch:
    """Leads the call works on: stored ones by id, new ones by ("new", n)."""

    leads: dict[Key, lead_store.LeadRecord]
    by_email: dict[str, Key]
    by_external: dict[tuple[str, str], Key]
    external_ids: dict[Key, dict[str, str]]
    dirty: set[Key] = field(default_factory=set)
    renamed: set[int] = field(default_factory=set)
    changed_ids: dict[Key, dict[str, str]] = field(default_factory=dict)
    new: int = 0
    imports: backfill.Imports = field(default_factory=backfill.Imports)
    erased: set[str] = field(default_factory=set)  # addresses of erased people
    flagged: list[int] = field(default_factory=list)  # rows re-importing one


async def upsert_leads(
    actor: Actor, raw_rows: Sequence[Mapping[str, Any]], *, backfill: bool = False
) -> mutations.Outcome[Upserted]:
    """``backfill``: a historical import (`server.services.leads.backfill`)."""
    return await _retrying(
        actor, "upsertLeads", lambda tx: _upsert(tx, raw_rows, backfill)
    )


async def _retrying(actor: Actor, operation: str, body: Any) -> mutations.Outcome[Any]:
    """Run again when a concurrent call inserted the same lead first: the retry
    finds it and updates it instead."""
    for attempt in range(ATTEMPTS):
        try:
            return await mutations.run(actor, operation, body)
        except (ConcurrentInsert, IntegrityError):
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _parse(
    raw_rows: Sequence[Mapping[str, Any]], backfilling: bool, now: datetime
) -> list[IncomingLead | list[UserError]]:
    parsed: list[IncomingLead | list[UserError]] = []
    for index, raw in enumerate(raw_rows):
        errors: list[UserError] = []
        try:
            row = read_lead_row(raw, ("leads", index))
        except UserErrors as refusal:
            errors = refusal.errors
        try:
            fill = backfill.read_row(raw, index, backfilling, now)
        except UserErrors as refusal:
            errors = errors + refusal.errors
        if errors:
            parsed.append(errors)
        else:
            parsed.append(dataclasses.replace(row, backfill=fill))
    return parsed


async def _upsert(
    tx: mutations.Tx, raw_rows: Sequence[Mapping[str, Any]], backfilling: bool
) -> Upserted:
    # Inside the use case, so the caller's rights are checked first and the
    # refusal is audited like any other.
    if len(raw_rows) > MAX_UPSERT_ROWS:
        message = f"send at most {MAX_UPSERT_ROWS} leads per call"
        raise refuse(ErrorCode.LIMIT_EXCEEDED, message, "leads")
    if backfilling:
        backfill.check_caller(tx.actor, raw_rows)
    parsed = _parse(raw_rows, backfilling, tx.now)
    rows = [p for p in parsed if isinstance(p, IncomingLead)]
    batch = await _load_batch(rows)
    if backfilling:
        batch.imports = await backfill.Imports.load(rows, list(batch.leads))
    results = []
    for index, row in enumerate(parsed):
        if isinstance(row, IncomingLead):
            results.append(_apply_row(batch, index, row, tx.now))
        else:
            results.append(RowResult(index, RowOutcome.FAILED, errors=row))
    keys = await _write(tx, batch)
    for result in results:
        if result.lead_key is not None:
            result.lead_key = keys[result.lead_key]
    leads = {keys[k]: row for k, row in batch.leads.items()}
    touched = sorted(keys[k] for k in batch.dirty)
    summary = _row_summary(results)
    if batch.flagged:
        summary["reimportedErased"] = batch.flagged
    extra = batch.imports.summary(keys) if backfilling else {}
    tx.audit("Lead", None, leads=touched, **summary, **extra)
    return Upserted(results, leads)


def _row_summary(results: list[RowResult]) -> dict[str, list[int]]:
    """Row indexes by outcome, for the call's one audit entry."""
    summary: dict[str, list[int]] = {}
    for result in results:
        summary.setdefault(result.outcome.value.lower(), []).append(result.index)
    return summary


async def _load_batch(rows: Sequence[IncomingLead]) -> _Batch:
    pairs = {pair for row in rows for pair in row.external_ids}
    emails = {row.email for row in rows if row.email}
    owners = await lead_store.leads_by_external_ids(pairs)
    stored = await lead_store.load_leads(owners.values(), emails)
    by_email: dict[str, Key] = {row["email"]: key for key, row in stored.items()}
    by_external: dict[tuple[str, str], Key] = dict(owners)
    # Keys no lead holds may be a merged duplicate's (they update the survivor)
    # or an erased person's address: one more statement, only for those.
    found = await aliases.resolve(
        emails=emails - by_email.keys(), pairs=pairs - by_external.keys()
    )
    if found.leads - stored.keys():
        stored.update(await lead_store.load_leads(found.leads - stored.keys()))
    by_email.update({e: k for e, k in found.emails.items() if k in stored})
    by_external.update({p: k for p, k in found.external.items() if k in stored})
    external = await lead_store.external_ids_of(stored)
    return _Batch(
        leads={key: row for key, row in stored.items()},
        by_email=by_email,
        by_external=by_external,
        external_ids={key: dict(external.get(key, {})) for key in stored},
        erased=found.erased,
    )


def _apply_row(
    batch: _Batch, index: int, row: IncomingLead, now: datetime
) -> RowResult:
    found = {batch.by_external[p] for p in row.external_ids if p in batch.by_external}
    if row.email in batch.by_email:
        found.add(batch.by_email[row.email])
    if len(found) > 1:
        message = "the email and external ids of this row belong to different leads"
        error = UserError(ErrorCode.CONFLICT, message, ("leads", str(index)))
        return RowResult(index, RowOutcome.FAILED, errors=[error])
    if not found:
        return _create(batch, index, row, now)
    key = found.pop()
    lead = batch.leads[key]
    if is_stale(row.source_updated_at, lead["source_updated_at"]):
        return RowResult(index, RowOutcome.STALE, key)
    if row.backfill is not None:
        errors = batch.imports.refusals(index, key, lead, row.backfill)
        if errors:
            return RowResult(index, RowOutcome.FAILED, errors=errors)
    changed = _change(batch, key, row)
    if row.backfill is not None:
        changed = batch.imports.apply(key, lead, row.backfill, now) or changed
    if changed or (row.backfill is not None and row.backfill.activities):
        batch.dirty.add(key)  # imported activities rescore the lead
    return RowResult(
        index, RowOutcome.UPDATED if changed else RowOutcome.UNCHANGED, key
    )


def _create(batch: _Batch, index: int, row: IncomingLead, now: datetime) -> RowResult:
    if row.email is None:
        error = UserError(
            ErrorCode.INVALID_INPUT,
            "no lead has these external ids; a new lead needs an email",
            ("leads", str(index), "email"),
        )
        return RowResult(index, RowOutcome.FAILED, errors=[error])
    erased = row.email in batch.erased
    if erased and aliases.reimport_policy() is aliases.ReimportPolicy.REFUSE:
        error = UserError(
            ErrorCode.DUPLICATE,
            "this address belongs to a person whose data was erased",
            ("leads", str(index), "email"),
        )
        return RowResult(index, RowOutcome.FAILED, errors=[error])
    lead = new_lead(row.email, now)
    if row.backfill is not None:
        errors = batch.imports.refusals(index, None, lead, row.backfill)
        if errors:
            return RowResult(index, RowOutcome.FAILED, errors=errors)
    if erased:
        batch.flagged.append(index)
    key: Key = ("new", batch.new)
    batch.new += 1
    batch.leads[key] = lead
    batch.external_ids[key] = {}
    _change(batch, key, row)
    if row.backfill is not None:
        batch.imports.apply(key, lead, row.backfill, now)
    if erased:  # flagged: never contacted without a look
        lead["do_not_contact"] = True
    batch.dirty.add(key)
    return RowResult(index, RowOutcome.CREATED, key)


def new_lead(email: str, now: datetime) -> lead_store.LeadRecord:
    """A lead as created: NEW, unscored, in the cycle that began at creation."""
    blank: dict[str, Any] = {column: None for column in lead_store.COLUMNS}
    return cast(
        lead_store.LeadRecord,
        blank
        | {
            "email": email,
            "is_customer": False,
            "products": [],
            "do_not_contact": False,
            "persona_by_hand": False,
            "stage": LeadStage.NEW.value,
            "stage_entered_at": now,
            "score": 0,
            "score_breakdown": [],
            "qualified": False,
            "cycle_started_at": now,
            "recurring": False,
            "version": 0,
            "created_at": now,
            "updated_at": now,
        },
    )


def _change(batch: _Batch, key: Key, row: IncomingLead) -> bool:
    """Apply a row to a lead; whether anything changed."""
    lead = batch.leads[key]
    columns = cast(dict[str, Any], lead)  # the row names its columns by name
    changed = False
    for column, value in row.changes.items():
        if columns[column] != value:
            columns[column], changed = value, True
    if row.email and lead["email"] != row.email:
        batch.by_email.pop(lead["email"], None)
        lead["email"], batch.by_email[row.email], changed = row.email, key, True
        if isinstance(key, int):
            batch.renamed.add(key)
    if row.email:
        batch.by_email[row.email] = key
    held = batch.external_ids[key]
    for system, value in row.external_ids:
        if held.get(system) != value:
            batch.by_external.pop((system, held.get(system, "")), None)
            batch.by_external[(system, value)] = key
            held[system] = value
            batch.changed_ids.setdefault(key, {})[system] = value
            changed = True
    stamp = row.source_updated_at
    if stamp is not None and (lead["source_updated_at"] or stamp) <= stamp:
        lead["source_updated_at"] = stamp
    return changed


async def _write(tx: mutations.Tx, batch: _Batch) -> dict[Key, int]:
    """Insert new leads, rescore and save changed ones; every touched lead's id
    by key."""
    fresh = sorted(k for k in batch.dirty if isinstance(k, tuple))
    new = [batch.leads[k] for k in fresh]
    await lead_store.park_emails(batch.renamed)
    await lead_store.insert_leads(new)
    keys: dict[Key, int] = {k: batch.leads[k]["id"] for k in batch.leads}
    moves = StageMoves()
    for made in fresh:
        if not batch.imports.created(tx, made, batch.leads[made]):
            moves.created(tx, batch.leads[made])
    dirty = [batch.leads[k] for k in batch.dirty]
    for key in batch.dirty:
        if isinstance(key, int):
            tx.emit(EventKind.LEAD_UPDATED, "Lead", key, {})
    rebuild = await batch.imports.write_activities(tx, keys)
    await refresh(tx, dirty, moves, Trigger.ACTIVITY, rebuild)
    await batch.imports.write_history(tx, keys, batch.leads)
    await lead_store.replace_external_ids(
        {keys[k]: held for k, held in batch.changed_ids.items()}
    )
    return keys


async def update_lead(
    actor: Actor, lead_id: str, expected_version: int, fields: Mapping[str, Any]
) -> mutations.Outcome[lead_store.LeadRecord]:
    """Edit one lead: the upsert fields (absent unchanged, null clears) and
    ``persona`` (an ID sets it by hand; null returns it to automatic matching).
    An email or external id another lead holds is DUPLICATE."""

    async def body(tx: mutations.Tx) -> lead_store.LeadRecord:
        lead = await load_lead(lead_id, expected_version, "id")
        if is_erased_email(lead["email"]):
            message = (
                "this person's data was erased: the anonymous record cannot be edited"
            )
            raise refuse(ErrorCode.INVALID_TRANSITION, message, "id")
        key = lead["id"]
        raw = {k: v for k, v in fields.items() if k != "persona"}
        row = read_lead_update(raw, lead["email"])
        await _refuse_taken(key, row)
        held = (await lead_store.external_ids_of([key])).get(key, {})
        batch = _Batch(
            leads={key: lead},
            by_email={lead["email"]: key},
            by_external={(s, v): key for s, v in held.items()},
            external_ids={key: dict(held)},
        )
        changed = _change(batch, key, row)
        if "persona" in fields:
            changed = await _set_persona(lead, fields["persona"]) or changed
        if changed:
            await refresh(tx, [lead], StageMoves(), Trigger.ACTIVITY)
            await lead_store.replace_external_ids({key: batch.changed_ids.get(key, {})})
            tx.emit(EventKind.LEAD_UPDATED, "Lead", key, {})
        tx.audit("Lead", key, **row.changes, persona=fields.get("persona"))
        return lead

    return await _retrying(actor, "updateLead", body)


async def _refuse_taken(key: int, row: IncomingLead) -> None:
    owners = await lead_store.leads_by_external_ids(row.external_ids)
    if any(owner != key for owner in owners.values()):
        raise refuse(
            ErrorCode.DUPLICATE, "another lead has this external id", "externalIds"
        )
    if row.email:
        found = await lead_store.load_leads(emails=[row.email])
        if any(other != key for other in found):
            raise refuse(ErrorCode.DUPLICATE, "another lead has this email", "email")


async def _set_persona(lead: lead_store.LeadRecord, persona: str | None) -> bool:
    """Set the persona by hand (it must be in force), or return to matching."""
    before = (lead["persona_id"], lead["persona_by_hand"])
    if persona is None:
        lead["persona_by_hand"] = False
    else:
        key = ids.decode(persona, "Persona", "persona")
        if key not in {p.persona_id for p in await personas_in_force()}:
            raise refuse(
                ErrorCode.INVALID_INPUT, "this persona is not in force", "persona"
            )
        lead["persona_id"], lead["persona_by_hand"] = key, True
    return (lead["persona_id"], lead["persona_by_hand"]) != before
