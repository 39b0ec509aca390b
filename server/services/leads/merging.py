"""`mergeLeads`: two records of one person become one (SPEC §2.3).

One transaction: both leads are locked (in id order, so two merges of the same
pair wait for each other and the second finds the duplicate gone), every table
holding a lead key moves the duplicate's rows to the survivor through the
registry (`holdings`), the contested fields follow `server.domain.leads.merging`,
the duplicate's id, address and leftover external ids become aliases of the
survivor, the duplicate row is deleted, and the survivor's decayed sums are
rebuilt from all its activities and rescored on the one scoring path
(`refresh`). Audited with what moved; ``LEAD_MERGED``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from server import db
from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.outbox import EventKind
from server.domain.leads.erasure import is_erased_email
from server.domain.leads.merging import duplicate_stage_wins, merged_fields
from server.domain.leads.qualification import Trigger
from server.domain.leads.stages import Via
from server.services.core import ids, mutations
from server.services.core.actors import Actor
from server.services.leads import activity_store, engagement_store
from server.services.leads import store as lead_store
from server.services.leads.aliases import AliasKind, add
from server.services.leads.holdings import REGISTRY, KeyColumn, Merging, move_rows
from server.services.leads.refresh import refresh
from server.services.leads.scoring import Scorer, StageMoves


async def merge_leads(
    actor: Actor,
    survivor_id: str,
    duplicate_id: str,
    expected_versions: Mapping[str, int],
) -> mutations.Outcome[lead_store.LeadRecord]:
    async def body(tx: mutations.Tx) -> lead_store.LeadRecord:
        survivor, duplicate = await _load_pair(survivor_id, duplicate_id)
        _check_versions(survivor, duplicate, expected_versions)
        return await _merge(tx, survivor, duplicate)

    return await mutations.run(actor, "mergeLeads", body)


async def _load_pair(
    survivor_id: str, duplicate_id: str
) -> tuple[lead_store.LeadRecord, lead_store.LeadRecord]:
    keep = ids.decode(survivor_id, "Lead", "survivorId")
    drop = ids.decode(duplicate_id, "Lead", "duplicateId")
    if keep == drop:
        raise refuse(
            ErrorCode.INVALID_INPUT, "a lead is not its own duplicate", "duplicateId"
        )
    found = await lead_store.load_leads([keep, drop])
    for key, name in ((keep, "survivorId"), (drop, "duplicateId")):
        if key not in found:
            raise refuse(ErrorCode.NOT_FOUND, "no such lead (merged already?)", name)
        if is_erased_email(found[key]["email"]):
            raise refuse(ErrorCode.INVALID_INPUT, "this lead was erased", name)
    return found[keep], found[drop]


def _check_versions(
    survivor: lead_store.LeadRecord,
    duplicate: lead_store.LeadRecord,
    expected: Mapping[str, int],
) -> None:
    for name, lead in (("survivor", survivor), ("duplicate", duplicate)):
        if expected.get(name) != lead["version"]:
            raise refuse(
                ErrorCode.CONFLICT,
                f"the {name} changed meanwhile (version {lead['version']})",
                "expectedVersions",
                name,
            )


async def _merge(
    tx: mutations.Tx,
    survivor: lead_store.LeadRecord,
    duplicate: lead_store.LeadRecord,
) -> lead_store.LeadRecord:
    was = survivor["stage"]
    wins = duplicate_stage_wins(survivor["stage"], duplicate["stage"])
    merging = Merging(tx, survivor, duplicate, wins)
    await REGISTRY.merge(merging)
    changes = merged_fields(survivor, duplicate)
    columns = cast(dict[str, Any], survivor)
    columns.update(changes)
    moves = StageMoves()
    if wins:
        _record_stage(tx, moves, survivor, was, duplicate)
    await _retire(tx, survivor, duplicate)
    await _rebuild_engagement(survivor, tx)
    await refresh(tx, [survivor], moves, Trigger.ACTIVITY)
    survivor_gid = ids.encode("Lead", survivor["id"])
    duplicate_gid = ids.encode("Lead", duplicate["id"])
    tx.audit(
        "Lead",
        survivor["id"],
        survivor=survivor_gid,
        duplicate=duplicate_gid,
        duplicateEmail=duplicate["email"],
        moved=dict(sorted(merging.moved.items())),
        fields=sorted(changes),
        stage={
            "survivor": was,
            "duplicate": duplicate["stage"],
            "result": survivor["stage"],
        },
    )
    tx.emit(
        EventKind.LEAD_MERGED,
        "Lead",
        survivor["id"],
        {
            "survivorId": survivor_gid,
            "duplicateId": duplicate_gid,
            "moved": dict(sorted(merging.moved.items())),
        },
    )
    return survivor


def _record_stage(
    tx: mutations.Tx,
    moves: StageMoves,
    survivor: lead_store.LeadRecord,
    was: str,
    duplicate: lead_store.LeadRecord,
) -> None:
    """The duplicate was further along: the survivor takes its stage, recorded
    as a move (the instant it entered stays the duplicate's)."""
    actor = tx.actor.user_id if tx.actor else None
    reason = f"merged with {ids.encode('Lead', duplicate['id'])}"
    moves.rows.append(
        (
            survivor["id"],
            was,
            survivor["stage"],
            tx.now,
            actor,
            Via.MERGE.value,
            reason,
            survivor["persona_id"],
            None,
        )
    )
    tx.emit(
        EventKind.LEAD_STAGE_CHANGED,
        "Lead",
        survivor["id"],
        {
            "from": was,
            "to": survivor["stage"],
            "via": Via.MERGE.value,
            "reason": reason,
        },
    )


async def _retire(
    tx: mutations.Tx, survivor: lead_store.LeadRecord, duplicate: lead_store.LeadRecord
) -> None:
    """The duplicate's id and address become the survivor's aliases; its row
    goes, and with it its place in the live funnel."""
    await db.execute("DELETE FROM lead WHERE id = ?", duplicate["id"])
    await add(survivor["id"], AliasKind.ID, [("", str(duplicate["id"]))], tx.now)
    await add(survivor["id"], AliasKind.EMAIL, [("", duplicate["email"])], tx.now)
    await db.execute(
        "INSERT INTO stage_count_delta (stage, delta) VALUES (?, ?)",
        duplicate["stage"],
        -1,
    )


async def _rebuild_engagement(lead: lead_store.LeadRecord, tx: mutations.Tx) -> None:
    """The survivor's decayed sums from all its activities now (both leads'),
    in its cycle, as the rescoring path rebuilds stale ones."""
    scorer = await Scorer.load(tx.now)
    if scorer.model is None:
        return
    states = await activity_store.tally_from_activities(
        {lead["id"]: lead["cycle_counts_after"]}, scorer.model, tx.now
    )
    await engagement_store.save_states(states)


# -- what a merge does with the leads' own tables (`holdings`) ---------------


async def _external_ids(merging: Merging) -> None:
    """External ids of systems the survivor has none for move; the others stay
    as the survivor's aliases (a later upsert with them updates the survivor)."""
    keep, drop = merging.survivor["id"], merging.duplicate["id"]
    held = await lead_store.external_ids_of([keep, drop])
    mine, theirs = held.get(keep, {}), held.get(drop, {})
    clashing = [(s, v) for s, v in theirs.items() if s in mine]
    await db.execute(
        "DELETE FROM lead_external_id WHERE lead_id = ? AND system IN "
        "(SELECT system FROM lead_external_id WHERE lead_id = ?)",
        drop,
        keep,
    )
    await add(keep, AliasKind.EXTERNAL_ID, clashing, merging.tx.now)
    await move_rows(merging, "lead_external_id")
    merging.count("lead_alias", len(clashing))


async def _activities(merging: Merging) -> None:
    """The duplicate's activities move; one both leads recorded (same dedupe
    key) is kept once."""
    keep, drop = merging.survivor["id"], merging.duplicate["id"]
    twice = await db.execute(
        "DELETE FROM lead_activity WHERE lead_id = ? AND dedupe_key IN "
        "(SELECT dedupe_key FROM lead_activity WHERE lead_id = ?)",
        drop,
        keep,
    )
    merging.count("lead_activity_deduplicated", twice)
    await move_rows(merging, "lead_activity")


async def _engagement(merging: Merging) -> None:
    """Rebuilt from the activities after the move (`_rebuild_engagement`)."""
    await engagement_store.clear([merging.duplicate["id"]])


async def _stage_changes(merging: Merging) -> None:
    """The duplicate's moves join the survivor's history, which is settled
    again (what each move's successors say changes as they interleave) —
    here, or by `record_stage_changes` when the survivor takes the
    duplicate's stage and the merge's own move is recorded after this step."""
    await move_rows(merging, "stage_change")
    if not merging.duplicate_stage_wins:
        await lead_store.settle_stage_history([merging.survivor["id"]])


async def _aliases(merging: Merging) -> None:
    await move_rows(merging, "lead_alias")


HOLDINGS = (
    KeyColumn("lead_external_id", "lead_id", _external_ids, ""),
    KeyColumn("lead_activity", "lead_id", _activities, ""),
    KeyColumn("lead_engagement", "lead_id", _engagement, ""),
    KeyColumn("stage_change", "lead_id", _stage_changes, ""),
    KeyColumn("lead_alias", "lead_id", _aliases, ""),
    KeyColumn(
        "audit_entry",
        "entity_id",
        None,
        "the audit log is history: entries about the duplicate stay about it; "
        "the merge's own entry names both",
    ),
    KeyColumn(
        "outbox_event",
        "subject_id",
        None,
        "an event belongs to its subject's numbered stream; the duplicate's "
        "stream ends with the merge, LEAD_MERGED names both",
    ),
    KeyColumn(
        "rescore_job",
        "after_lead_id",
        None,
        "a rescoring job's resume point, not a reference to one lead",
    ),
)
