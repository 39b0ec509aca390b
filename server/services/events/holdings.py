"""Notifications, their e-mails and webhook deliveries for merging and erasure
(`leads.holdings`).

A merge points the duplicate's notices at the survivor (their links keep
working either way: the duplicate's id resolves to the survivor). Erasure
scrubs the person's name and address out of every notice about their records
(the lead, its handoffs, chains, follow-ups, feedback) and out of the queued
and sent e-mails made from those notices. A webhook delivery is a copy of an
outbox event as sent: like the event it stays under the duplicate's id after a
merge (its receiver has seen it so), and erasure scrubs its payload and the
receiver's answer, which may echo the payload.
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


async def _erase_deliveries(erasing: Erasing) -> None:
    where, params = subject_condition(erasing.subjects, "subject_type", "subject_id")
    await scrub_rows(
        erasing, "webhook_delivery", ("response_body",), ("payload",), where, *params
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
    KeyColumn(
        "webhook_delivery",
        "subject_id",
        None,
        "a delivery is the outbox event as sent: it keeps its subject, as the event",
    ),
    TableData(
        "webhook_delivery",
        personal=("payload", "response_body"),
        other=("kind", "subject_type", "dedupe_key", "status", "error"),
        erase=_erase_deliveries,
        traces=True,
    ),
    TableData(
        "webhook",
        other=("url", "events", "secret_sealed", "previous_secret_sealed"),
        why="an admin's receiver and its sealed secrets, not a lead's",
    ),
)
