"""`eraseLead`: a person's data removed everywhere it is stored (SPEC §2.3, §2.9).

One transaction: the lead is locked, every table the registry (`holdings`)
knows clears the person's data (records first — the lead, its activities, its
history, the waterfall's notes… — then traces: audit entries, outbox payloads,
notifications and their e-mails), and the address's keyed hash is kept so a
later import of it is refused or flagged. The record itself stays, anonymous,
with its stage, dates, scores and non-identifying attributes: every count and
sum reads the same before and after. ``LEAD_ERASED`` carries no personal data;
the erasure's own audit entry names the lead by id only.
"""

from __future__ import annotations

from server import db
from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.outbox import EventKind
from server.domain.leads.erasure import (
    PROFILE_ERASED,
    erased_email,
    hashed_key,
    is_erased_email,
    needles_of,
    scrub_text,
)
from server.services.core import bulk, ids, mutations
from server.services.core.actors import Actor
from server.services.leads import store as lead_store
from server.services.leads.aliases import AliasKind, add, digest
from server.services.leads.holdings import (
    REGISTRY,
    Erasing,
    TableData,
    replace_text,
    scrub_rows,
    subject_condition,
)

MAX_REASON = 500


async def erase_lead(
    actor: Actor, lead_id: str, reason: str
) -> mutations.Outcome[lead_store.LeadRecord]:
    async def body(tx: mutations.Tx) -> lead_store.LeadRecord:
        why = _reason(reason)
        lead = await lead_store.load_lead(lead_id, None)
        if is_erased_email(lead["email"]):
            raise refuse(ErrorCode.CONFLICT, "this lead is already erased", "leadId")
        return await _erase(tx, lead, why)

    return await mutations.run(actor, "eraseLead", body)


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text or len(text) > MAX_REASON:
        message = f"say why, in 1 to {MAX_REASON} characters"
        raise refuse(ErrorCode.INVALID_INPUT, message, "reason")
    return text


async def _erase(
    tx: mutations.Tx, lead: lead_store.LeadRecord, reason: str
) -> lead_store.LeadRecord:
    key = lead["id"]
    emails = [lead["email"], *await _alias_values(key, AliasKind.EMAIL)]
    # the leads merged into this one keep their own audit entries and events
    merged = [int(v) for v in await _alias_values(key, AliasKind.ID)]
    subjects = {"Lead": [key, *merged]}
    erasing = Erasing(tx, key, await _needles(lead, emails), subjects)
    await REGISTRY.erase(erasing)
    await add(key, AliasKind.ERASED_EMAIL, [("", digest(e)) for e in emails], tx.now)
    erased = (await lead_store.load_leads([key]))[key]
    gid = ids.encode("Lead", key)
    cleared = dict(sorted(erasing.cleared.items()))
    tx.audit(
        "Lead",
        key,
        lead=gid,
        reason=scrub_text(reason, erasing.needles),
        cleared=cleared,
    )
    tx.emit(EventKind.LEAD_ERASED, "Lead", key, {"leadId": gid, "cleared": cleared})
    return erased


async def _alias_values(lead_id: int, kind: AliasKind) -> list[str]:
    rows = await db.fetch(
        "SELECT value FROM lead_alias WHERE lead_id = ? AND kind = ?",
        lead_id,
        kind.value,
    )
    return [r["value"] for r in rows]


async def _needles(lead: lead_store.LeadRecord, emails: list[str]) -> tuple[str, ...]:
    """The person's identifying strings: addresses (and their local parts),
    names, company, title, external ids."""
    key = lead["id"]
    held = (await lead_store.external_ids_of([key])).get(key, {})
    first, last = lead["first_name"], lead["last_name"]
    full = f"{first} {last}" if first and last else None
    return needles_of(
        [
            *emails,
            *(e.split("@")[0] for e in emails),
            first,
            last,
            full,
            lead["company"],
            lead["job_title"],
            *held.values(),
            *await _alias_values(key, AliasKind.EXTERNAL_ID),
        ]
    )


# -- what erasure does with the leads' own tables and earlier ones ----------


async def _lead(erasing: Erasing) -> None:
    sets = ", ".join(f"{c} = ?" for c in PROFILE_ERASED)
    values = [
        bulk.json_param(v) if isinstance(v, list) else v
        for v in PROFILE_ERASED.values()
    ]
    count = await db.execute(
        f"UPDATE lead SET email = ?, {sets}, version = version + 1, updated_at = ? "
        "WHERE id = ?",
        erased_email(erasing.lead_id),
        *values,
        erasing.tx.now,
        erasing.lead_id,
    )
    erasing.count("lead", count)


async def _external_ids(erasing: Erasing) -> None:
    count = await db.execute(
        "DELETE FROM lead_external_id WHERE lead_id = ?", erasing.lead_id
    )
    erasing.count("lead_external_id", count)


async def _activities(erasing: Erasing) -> None:
    """Metadata and external ids go; dedupe keys stay unique, unreadable."""
    rows = await db.fetch(
        "SELECT id, dedupe_key FROM lead_activity WHERE lead_id = ?", erasing.lead_id
    )
    await bulk.update_columns(
        "lead_activity",
        (("dedupe_key", "varchar"),),
        [
            (r["id"], hashed_key(r["dedupe_key"]))
            for r in rows
            if not r["dedupe_key"].startswith("erased:")
        ],
    )
    await db.execute(
        "UPDATE lead_activity SET metadata = NULL, external_id = NULL "
        "WHERE lead_id = ?",
        erasing.lead_id,
    )
    erasing.count("lead_activity", len(rows))


async def _aliases(erasing: Erasing) -> None:
    """The merged duplicates' addresses and external ids go (their hashes are
    kept by the use case); ids stay, so old links reach the anonymous record."""
    count = await db.execute(
        "DELETE FROM lead_alias WHERE lead_id = ? AND kind IN (?, ?)",
        erasing.lead_id,
        AliasKind.EMAIL.value,
        AliasKind.EXTERNAL_ID.value,
    )
    erasing.count("lead_alias", count)


async def _stage_changes(erasing: Erasing) -> None:
    await replace_text(
        erasing, "stage_change", ("reason",), "lead_id = ?", erasing.lead_id
    )


async def _audit(erasing: Erasing) -> None:
    """Entries about the person's records, and any other entry that quotes
    one of their addresses (a scan of the log: erasure is rare)."""
    where, params = subject_condition(erasing.subjects, "entity_type", "entity_id")
    await scrub_rows(erasing, "audit_entry", (), ("changes",), where, *params)
    emails = [n for n in erasing.needles if "@" in n]
    for email in emails:
        await scrub_rows(
            erasing,
            "audit_entry",
            (),
            ("changes",),
            "CAST(changes AS TEXT) LIKE ?",
            f"%{email}%",
            keys=False,
        )


async def _outbox(erasing: Erasing) -> None:
    where, params = subject_condition(erasing.subjects, "subject_type", "subject_id")
    await scrub_rows(erasing, "outbox_event", (), ("payload",), where, *params)


_NOT_LEADS = "a user's or an agreement's data, not a lead's"
HOLDINGS = (
    TableData(
        "lead",
        personal=(
            "email",
            "first_name",
            "last_name",
            "company",
            "job_title",
            "products",
            "score_breakdown",
        ),
        other=(
            "industry",
            "seniority",
            "country",
            "source",
            "campaign",
            "stage",
            "grade",
            "qualified_by",
        ),
        erase=_lead,
        why="segment attributes stay so that segments and funnels keep counting",
    ),
    TableData(
        "lead_external_id", personal=("value",), other=("system",), erase=_external_ids
    ),
    TableData(
        "lead_activity",
        personal=("dedupe_key", "external_id", "metadata"),
        other=("kind", "source"),
        erase=_activities,
    ),
    TableData(
        "lead_alias", personal=("value",), other=("kind", "system"), erase=_aliases
    ),
    TableData(
        "stage_change",
        personal=("reason",),
        other=("from_stage", "to_stage", "via", "qualified_by"),
        erase=_stage_changes,
    ),
    TableData("lead_engagement", other=("kind",)),
    TableData("rescore_job", other=("reason",)),
    TableData("stage_count", other=("stage",)),
    TableData("stage_count_delta", other=("stage",)),
    TableData(
        "audit_entry",
        personal=("changes",),
        other=("credential", "action", "outcome", "entity_type", "request_id"),
        erase=_audit,
        traces=True,
    ),
    TableData(
        "outbox_event",
        personal=("payload",),
        other=("kind", "subject_type", "last_error"),
        erase=_outbox,
        traces=True,
    ),
    TableData(
        "idempotency_record",
        other=("key", "operation", "request_hash", "result"),
        why="results are ids; requests are kept as a hash",
    ),
    TableData("subject_sequence", other=("subject",)),
    TableData(
        "app_user",
        other=("email", "name", "team", "role", "timezone", "password_hash"),
        why=_NOT_LEADS,
    ),
    TableData(
        "api_token", other=("name", "secret_hash", "prefix", "scopes"), why=_NOT_LEADS
    ),
    TableData(
        "user_session",
        other=("secret_hash", "user_agent", "client_address"),
        why=_NOT_LEADS,
    ),
    TableData("set_password_link", other=("secret_hash",), why=_NOT_LEADS),
    TableData("saved_filter", other=("screen", "name", "criteria"), why=_NOT_LEADS),
    TableData(
        "agreement",
        other=(
            "kind",
            "status",
            "pending",
            "title",
            "terms",
            "pending_terms",
            "content_hash",
            "in_force_slot",
            "rejection_reason",
        ),
        why=_NOT_LEADS,
    ),
    TableData("agreement_revision", other=("terms", "content_hash"), why=_NOT_LEADS),
    TableData(
        "agreement_sign_off",
        other=("action", "content_hash", "team", "role", "live_key", "void_reason"),
        why=_NOT_LEADS,
    ),
    TableData("goal_measurement", other=("note",), why=_NOT_LEADS),
    TableData(
        "persona_evidence",
        other=("source", "note"),
        why="evidence about a segment of buyers, not about one lead",
    ),
)
