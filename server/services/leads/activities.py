"""`recordLeadActivities`: buying signals in, scores and qualifications out.

Each row names its lead by ``leadId`` or ``leadEmail``; a row already recorded
(same lead and dedupe key: the external id, or a hash of the row) is reported
with ``created: false`` and changes nothing, so a retried call is harmless. The
call is one transaction of a fixed number of statements: the leads are read and
locked at once, the new activities inserted in bulk (``ON CONFLICT DO
NOTHING``), their leads' stored decayed sums updated in bulk, and the leads
rescored and written back in bulk, with one audit entry. Arriving activities
emit no ``LEAD_UPDATED`` (a score is not an edit, and the version stays);
qualifications emit ``LEAD_QUALIFIED`` and ``LEAD_STAGE_CHANGED`` and bump the
version, so a move decided on the lead as it was is refused as stale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.leads.activity_intake import (
    MAX_ACTIVITY_ROWS,
    ActivityRow,
    activity_dedupe_key,
    read_activity_row,
)
from server.domain.leads.attributes import Activity
from server.domain.leads.engagement import EngagementState, fold_activity
from server.domain.leads.qualification import Trigger
from server.domain.leads.qualification_model import NO_MODEL, QualificationModel
from server.services.core import bulk, ids, mutations
from server.services.core.actors import Actor
from server.services.leads import activity_store, aliases, engagement_store
from server.services.leads import store as lead_store
from server.services.leads.garbage import fewer_collections
from server.services.leads.refresh import load_states
from server.services.leads.scoring import Scorer, StageMoves


@dataclass
class ActivityResult:
    index: int
    lead_id: int | None = None
    created: bool = False
    errors: list[UserError] = field(default_factory=list)


@dataclass
class Recorded:
    rows: list[ActivityResult]
    leads: dict[int, lead_store.LeadRecord]
    qualified: list[int]

    def count(self, created: bool) -> int:
        return sum(1 for r in self.rows if not r.errors and r.created is created)


@dataclass
class _Row:
    index: int
    row: ActivityRow
    lead_id: int = 0
    key: str = ""


async def record_lead_activities(
    actor: Actor, raw_rows: Sequence[Mapping[str, Any]]
) -> mutations.Outcome[Recorded]:
    async def body(tx: mutations.Tx) -> Recorded:
        return await _record(tx, raw_rows)

    with fewer_collections():
        return await mutations.run(actor, "recordLeadActivities", body)


def _parse(
    tx: mutations.Tx, raw_rows: Sequence[Mapping[str, Any]]
) -> tuple[list[_Row], list[ActivityResult]]:
    rows, results = [], []
    for index, raw in enumerate(raw_rows):
        result = ActivityResult(index)
        results.append(result)
        try:
            row = read_activity_row(raw, ("activities", index), tx.now)
            lead_id = _lead_key(row, index)
        except UserErrors as refusal:
            result.errors = refusal.errors
            continue
        rows.append(_Row(index, row, lead_id))
    return rows, results


def _lead_key(row: ActivityRow, index: int) -> int:
    if row.lead_id is None:
        return 0
    return ids.decode(row.lead_id, "Lead", "activities", str(index), "leadId")


async def _record(tx: mutations.Tx, raw_rows: Sequence[Mapping[str, Any]]) -> Recorded:
    # Inside the use case: the caller's rights first, and the refusal audited.
    if len(raw_rows) > MAX_ACTIVITY_ROWS:
        message = f"send at most {MAX_ACTIVITY_ROWS} activities per call"
        raise refuse(ErrorCode.LIMIT_EXCEEDED, message, "activities")
    rows, results = _parse(tx, raw_rows)
    scorer = await Scorer.load(tx.now)
    # With a model in force every lead written is scored, its breakdown
    # written empty (rebuilt when read): the stored ones are not read.
    whole = scorer.model is None
    leads = await lead_store.load_leads(
        (r.lead_id for r in rows if r.lead_id),
        (r.row.lead_email for r in rows if r.row.lead_email),
        breakdowns=whole,
    )
    await _redirect(rows, leads, whole)
    rows = _resolve(rows, results, leads)
    touched = [leads[key] for key in sorted({r.lead_id for r in rows})]
    states = await load_states(touched, scorer)
    created = await activity_store.insert_new([_values(tx, r) for r in rows])
    new = [r for r in rows if (r.lead_id, r.key) in created]
    for r in new:
        results[r.index].created = True
    changed, kinds = _fold(states, new, scorer.model or NO_MODEL)
    await engagement_store.upsert_states(changed, kinds)
    moves = StageMoves()
    scored = [leads[key] for key in sorted(changed)]
    # Breakdowns are rebuilt when read (`lead_scoring.breakdowns`).
    qualified = scorer.rescore(
        tx, scored, states, Trigger.ACTIVITY, moves, explain=False
    )
    for key in qualified:
        leads[key]["version"] += 1
        leads[key]["updated_at"] = tx.now
    await lead_store.save_scored(scored, set(qualified))
    await lead_store.record_stage_changes(moves.rows)
    tx.audit(
        "Lead",
        None,
        activities=len(new),
        duplicates=len(rows) - len(new),
        failed=[r.index for r in results if r.errors],
        leads=sorted(changed),
        qualified=qualified,
    )
    return Recorded(results, leads, qualified)


async def _redirect(rows: list[_Row], leads: dict[int, Any], whole: bool) -> None:
    """Rows naming a merged duplicate (by id or address) go to its survivor;
    one more statement, only when some lead was not found directly."""
    emails = {lead["email"] for lead in leads.values()}
    missing_ids = {r.lead_id for r in rows if r.lead_id and r.lead_id not in leads}
    missing_emails = {
        e for r in rows if not r.lead_id and (e := r.row.lead_email) and e not in emails
    }
    if not missing_ids and not missing_emails:
        return
    found = await aliases.resolve(ids=missing_ids, emails=missing_emails)
    if found.leads - leads.keys():
        more = found.leads - leads.keys()
        leads.update(await lead_store.load_leads(more, breakdowns=whole))
    for r in rows:
        if r.lead_id in found.ids:
            r.lead_id = found.ids[r.lead_id]
        elif not r.lead_id and r.row.lead_email in found.emails:
            r.lead_id = found.emails[r.row.lead_email]


def _resolve(
    rows: list[_Row], results: list[ActivityResult], leads: dict[int, Any]
) -> list[_Row]:
    """Rows whose lead exists, each with its dedupe key; repeats in the call
    count once."""
    by_email = {lead["email"]: key for key, lead in leads.items()}
    kept, seen = [], set()
    for r in rows:
        lead_id = r.lead_id or by_email.get(r.row.lead_email or "", 0)
        result = results[r.index]
        if lead_id not in leads:
            field = "leadId" if r.row.lead_id else "leadEmail"
            result.errors = [
                UserError(
                    ErrorCode.NOT_FOUND,
                    "no such lead",
                    ("activities", str(r.index), field),
                )
            ]
            continue
        r.lead_id, r.key = lead_id, activity_dedupe_key(lead_id, r.row)
        result.lead_id = lead_id
        if (lead_id, r.key) not in seen:
            seen.add((lead_id, r.key))
            kept.append(r)
    return kept


def _values(tx: mutations.Tx, r: _Row) -> tuple[Any, ...]:
    row = r.row
    return (
        r.lead_id,
        row.kind.value,
        row.occurred_at,
        r.key,
        row.external_id,
        row.source,
        bulk.json_param(row.metadata) if row.metadata else None,
        tx.now,
    )


def _fold(
    states: dict[int, EngagementState], new: list[_Row], model: QualificationModel
) -> tuple[dict[int, EngagementState], dict[int, set[ActivityKind]]]:
    """Fold the new activities into their leads' states; the states changed,
    and the kinds changed in each."""
    changed: dict[int, EngagementState] = {}
    kinds: dict[int, set[ActivityKind]] = {}
    for r in new:
        activity = Activity(r.row.kind, r.row.occurred_at)
        state = fold_activity(states[r.lead_id], activity, model)
        if state is not states[r.lead_id]:
            states[r.lead_id] = changed[r.lead_id] = state
            kinds.setdefault(r.lead_id, set()).add(r.row.kind)
    return changed, kinds
