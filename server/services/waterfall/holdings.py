"""What merging and erasure do with the waterfall's tables (`leads.holdings`).

A merge moves the duplicate's chains, handoffs and follow-ups to the survivor.
Two open handoffs are refused until one is decided; so is an open handoff on
the lead whose stage loses (the merged lead takes the other's stage, which an
open handoff's MQL would contradict). Erasure replaces the free text sales and
marketing wrote about the person (notes, override reasons, rejection comments).
"""

from __future__ import annotations

from server import db
from server.domain.core.errors import ErrorCode, refuse
from server.services.leads.holdings import (
    Erasing,
    KeyColumn,
    Merging,
    TableData,
    ids_of,
    move_rows,
    replace_text,
)


async def _open_handoffs(merging: Merging) -> None:
    keep, drop = merging.survivor["id"], merging.duplicate["id"]
    rows = await db.fetch(
        "SELECT open_lead FROM handoff WHERE open_lead IN (?, ?)", keep, drop
    )
    open_on = {int(r["open_lead"]) for r in rows}
    if len(open_on) == 2:
        raise refuse(
            ErrorCode.CONFLICT,
            "both leads have an open handoff: accept, reject or withdraw one "
            "before merging",
            "duplicateId",
        )
    loser = keep if merging.duplicate_stage_wins else drop
    if loser in open_on:
        raise refuse(
            ErrorCode.CONFLICT,
            "the lead with the open handoff is behind the other one: decide the "
            "handoff before merging",
            "duplicateId",
        )
    moved = await db.execute(
        "UPDATE handoff SET open_lead = ? WHERE open_lead = ?", keep, drop
    )
    merging.count("handoff_open", moved)


async def _chains(merging: Merging) -> None:
    await move_rows(merging, "handoff_chain")


async def _handoffs(merging: Merging) -> None:
    await move_rows(merging, "handoff")


async def _follow_ups(merging: Merging) -> None:
    await move_rows(merging, "follow_up")


async def _erase_handoffs(erasing: Erasing) -> None:
    key = erasing.lead_id
    erasing.subjects["Handoff"] = await ids_of("handoff", "lead_id", key)
    erasing.subjects["HandoffChain"] = await ids_of("handoff_chain", "lead_id", key)
    await replace_text(
        erasing,
        "handoff",
        ("note", "override_reason", "rejection_comment"),
        "lead_id = ?",
        key,
    )


async def _erase_follow_ups(erasing: Erasing) -> None:
    key = erasing.lead_id
    erasing.subjects["FollowUp"] = await ids_of("follow_up", "lead_id", key)
    await replace_text(erasing, "follow_up", ("note",), "lead_id = ?", key)


HOLDINGS = (
    KeyColumn("handoff", "open_lead", _open_handoffs, ""),
    KeyColumn("handoff_chain", "lead_id", _chains, ""),
    KeyColumn("handoff", "lead_id", _handoffs, ""),
    KeyColumn("follow_up", "lead_id", _follow_ups, ""),
    TableData(
        "handoff",
        personal=("note", "override_reason", "rejection_comment"),
        other=("status", "reassign_cause", "rejection_reason", "disposition"),
        erase=_erase_handoffs,
    ),
    TableData("handoff_chain", other=("decision", "qualified_by")),
    TableData(
        "follow_up",
        personal=("note",),
        other=("channel", "outcome"),
        erase=_erase_follow_ups,
    ),
    TableData("routing_cursor", other=("name",)),
)
