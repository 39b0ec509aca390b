"""Notifications and their e-mails for merging and erasure (`leads.holdings`).

A merge points the duplicate's notices at the survivor (their links keep
working either way: the duplicate's id resolves to the survivor). Erasure
scrubs the person's name and address out of every notice about their records
(the lead, its handoffs, chains, follow-ups, feedback) and out of the queued
and sent e-mails made from those notices.
"""

from __future__ import annotations

from server import db
from server.services.leads.holdings import (
    Erasing,
    KeyColumn,
    Merging,
    TableData,
    scrub_rows,
    subject_condition,
)


async def _notifications(merging: Merging) -> None:
    moved = await db.execute(
        "UPDATE notification SET subject_id = ? "
        "WHERE subject_type = 'Lead' AND subject_id = ?",
        merging.survivor["id"],
        merging.duplicate["id"],
    )
    merging.count("notification", moved)


async def _erase_notifications(erasing: Erasing) -> None:
    where, params = subject_condition(erasing.subjects, "subject_type", "subject_id")
    await scrub_rows(erasing, "notification", ("title", "body"), (), where, *params)


async def _erase_emails(erasing: Erasing) -> None:
    where, params = subject_condition(erasing.subjects, "subject_type", "subject_id")
    await scrub_rows(
        erasing,
        "email_delivery",
        ("subject", "body"),
        (),
        f"notification_id IN (SELECT id FROM notification WHERE {where})",
        *params,
    )


HOLDINGS = (
    KeyColumn("notification", "subject_id", _notifications, ""),
    # e-mails first: they are found through their notices' subjects, before
    # those notices are scrubbed (either order works; this one reads plainly)
    TableData(
        "email_delivery",
        personal=("subject", "body"),
        other=("to_address", "dedupe_key", "last_error"),
        erase=_erase_emails,
        traces=True,
        why="to_address is a user's",
    ),
    TableData(
        "notification",
        personal=("title", "body"),
        other=("kind", "subject_type", "link", "dedupe_key"),
        erase=_erase_notifications,
        traces=True,
    ),
)
