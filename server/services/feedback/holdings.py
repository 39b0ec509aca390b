"""What merging and erasure do with lead-quality feedback (`leads.holdings`).

A merge moves the duplicate's feedback; a user who rated both leads keeps the
rating they gave last (the other is deleted, counted in the merge's audit
entry). Erasure replaces the comments; ratings and reasons stay for the
feedback summaries.
"""

from __future__ import annotations

from server import db
from server.services.leads.holdings import (
    Erasing,
    KeyColumn,
    Merging,
    TableData,
    ids_of,
    move_rows,
    replace_text,
)


async def _feedback(merging: Merging) -> None:
    keep, drop = merging.survivor["id"], merging.duplicate["id"]
    rows = await db.fetch(
        "SELECT id, lead_id, user_id, updated_at FROM lead_feedback "
        "WHERE lead_id IN (?, ?) ORDER BY updated_at, id",
        keep,
        drop,
    )
    latest: dict[int, int] = {}
    for row in rows:  # later rows win
        latest[int(row["user_id"])] = int(row["id"])
    older = [int(r["id"]) for r in rows if latest[int(r["user_id"])] != int(r["id"])]
    if older:
        await db.execute(
            f"DELETE FROM lead_feedback WHERE id IN ({', '.join('?' for _ in older)})",
            *older,
        )
        merging.count("lead_feedback_superseded", len(older))
    await move_rows(merging, "lead_feedback")


async def _erase(erasing: Erasing) -> None:
    key = erasing.lead_id
    erasing.subjects["LeadFeedback"] = await ids_of("lead_feedback", "lead_id", key)
    await replace_text(erasing, "lead_feedback", ("comment",), "lead_id = ?", key)


HOLDINGS = (
    KeyColumn("lead_feedback", "lead_id", _feedback, ""),
    TableData("lead_feedback", personal=("comment",), other=("reasons",), erase=_erase),
)
