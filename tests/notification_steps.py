"""Notification documents, a local SMTP server for the e-mail tests, and steps."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from server.models.events import Notification
from server.models.people import User
from tests.agreement_steps import Table

ERRORS = "userErrors { code field message }"
NOTIFICATIONS = """
query($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    edges { cursor node { id kind title body link read readAt createdAt } }
    pageInfo { hasNextPage endCursor }
    totalCount unreadCount
  }
}"""
MARK_READ = f"""
mutation($input: MarkNotificationsReadInput!) {{
  markNotificationsRead(input: $input) {{ marked unreadCount {ERRORS} }}
}}"""
PREFERENCES = f"""
mutation($input: UpdatePreferencesInput!) {{
  updatePreferences(input: $input) {{
    user {{ id name outOfOffice acceptsLeads timezone version }} {ERRORS}
  }}
}}"""


async def inbox_of(table: Table, who: str, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await table.query(who, NOTIFICATIONS, **variables))[
        "notifications"
    ]
    return found


async def notified(*kinds: str) -> list[tuple[str, str]]:
    """(recipient name, kind) of the notifications of these kinds (of every
    kind but sign-off requests, which setting up agreements makes), in order."""
    names = {u.id: u.name for u in await User.all()}
    rows = await Notification.all().order_by("id")
    wanted = set(kinds) if kinds else None
    return [
        (names[r.user_id], r.kind)
        for r in rows
        if (r.kind in wanted if wanted else r.kind != "SIGN_OFF_REQUESTED")
    ]


@dataclass
class Inbox:
    """What the local SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 try again later"
        self.recipients.append(list(envelope.rcpt_tos))
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.messages.append(mail)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 for one test (use as a fixture body)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
