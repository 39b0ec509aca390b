"""Meetings for merging and erasure (`leads.holdings`).

No meeting table holds a lead key: an agenda and a frozen snapshot name leads
by global id inside their documents, and those ids keep resolving after a merge
(the duplicate's id leads to the survivor). But an agenda's sample of rejected
MQLs and a snapshot copy the person's name and address, and notes, decisions
and action items are free text people write about them: erasure scrubs the
person's strings out of every meeting, completed ones included (a frozen
snapshot stays byte-identical against later data, never against an erasure).
"""

from __future__ import annotations

from server.services.leads.holdings import Erasing, TableData, scrub_rows


async def _erase_meetings(erasing: Erasing) -> None:
    # keys=False: a snapshot's "name" is a persona's or a rep's, not the lead's
    await scrub_rows(
        erasing,
        "meeting",
        ("title", "notes", "snapshot"),
        ("agenda", "decisions"),
        "1 = 1",
        keys=False,
    )


async def _erase_action_items(erasing: Erasing) -> None:
    await scrub_rows(erasing, "meeting_action_item", ("description",), (), "1 = 1")


HOLDINGS = (
    TableData(
        "meeting",
        personal=("title", "notes", "snapshot", "agenda", "decisions"),
        other=("kind", "timezone", "attendees", "topics", "status"),
        erase=_erase_meetings,
        traces=True,
        why="attendees are user ids, topics the agenda's sections",
    ),
    TableData(
        "meeting_action_item",
        personal=("description",),
        other=("status",),
        erase=_erase_action_items,
        traces=True,
    ),
)
