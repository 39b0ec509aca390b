"""In-app notifications (and their e-mails), made from outbox events after commit.

`consume` is an outbox consumer: it runs in the dispatcher's transaction, so
its rows commit with the events' "dispatched" mark. The audiences and texts
are `server.domain.events.notifications`'; here they are resolved to active users in
a fixed number of statements per batch (the people, the leads, the
agreements), written in bulk with ``ON CONFLICT (dedupe_key) DO NOTHING`` —
the key is the event id and the recipient, so a batch dispatched again adds
nothing. With SMTP configured each new notification also queues an e-mail
(`mailer`), its deadline in the recipient's timezone and a link under
``ACCORD_PUBLIC_URL``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from server.clock import clock
from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.roles import Role
from server.domain.events.notifications import (
    Facts,
    ManagersOf,
    Notice,
    Person,
    TeamManagers,
    message,
    notices_for,
)
from server.models.agreements import Agreement
from server.models.core import OutboxEvent
from server.models.events import Notification
from server.models.leads import Lead
from server.models.people import User
from server.services.core import bulk, ids, mutations
from server.services.core import mail as mailer
from server.services.core.actors import Actor
from server.services.core.pagination import Ordering, Page, PageRequest, paginate

ORDERING = Ordering("CREATED:D", (("created_at", True),))
COLUMNS = (
    "user_id",
    "kind",
    "subject_type",
    "subject_id",
    "title",
    "body",
    "link",
    "event_id",
    "dedupe_key",
    "created_at",
)
NAMED_IN_PAYLOADS = (
    "assignee",
    "previousAssignee",
    "reassignedTo",
    "requester",
    "owner",
)
FOOTER = (
    "\n\n--\nYou get this because of your role in Accord. Set yourself out of "
    "office or stop taking new leads under My account."
)


async def consume(batch: Sequence[OutboxEvent]) -> None:
    """The outbox consumer: notices for a batch of events."""
    planned = [
        (event, notice)
        for event in batch
        for notice in notices_for(event.kind, event.payload, event.actor_id)
        if _may_reach(notice)
    ]
    if not planned:
        return
    world = await _World.load(planned)
    rows: list[tuple[Any, ...]] = []
    for event, recipients in _recipients(planned, world):
        rows += [world.row(event, notice, user) for notice, user in recipients]
    written = await bulk.insert(
        "notification",
        COLUMNS,
        [row[:-1] for row in rows],
        conflict="ON CONFLICT (dedupe_key) DO NOTHING",
        returning=("id", "dedupe_key"),
    )
    if mailer.enabled():
        await _queue_mail(rows, written)


def _may_reach(notice: Notice) -> bool:
    """Whether a notice can have a recipient: not when it names only the
    people it leaves out (a requester changing their own content request),
    so such a batch reads nothing."""
    return any(
        not isinstance(a, Person) or a.user_id not in notice.excluded
        for a in notice.audiences
    )


def _recipients(
    planned: list[tuple[OutboxEvent, Notice]], world: _World
) -> Iterable[tuple[OutboxEvent, list[tuple[Notice, User]]]]:
    """Each event's recipients, once each (the first notice naming them wins),
    active users only."""
    by_event: dict[int, tuple[OutboxEvent, list[tuple[Notice, User]], set[int]]] = {}
    for event, notice in planned:
        _, found, seen = by_event.setdefault(event.id, (event, [], set()))
        for user in world.audience(notice):
            if user.id not in seen and user.id not in notice.excluded:
                seen.add(user.id)
                found.append((notice, user))
    return ((event, found) for event, found, _ in by_event.values())


@dataclass
class _World:
    """What a batch's notices need: people, managers by team, leads, agreements."""

    people: dict[int, User]
    leads: dict[int, Lead]
    agreements: dict[int, Agreement]
    now: datetime

    @classmethod
    async def load(cls, planned: list[tuple[OutboxEvent, Notice]]) -> _World:
        """Managers are read only when a notice goes to managers."""
        events = [event for event, _ in planned]
        named = {
            int(e.payload[key])
            for e in events
            for key in NAMED_IN_PAYLOADS
            if e.payload.get(key) is not None
        } | {e.actor_id for e in events if e.actor_id is not None}
        wanted = Q(id__in=named)
        if any(
            not isinstance(a, Person) for _, notice in planned for a in notice.audiences
        ):
            wanted |= Q(role=Role.MANAGER.value, active=True)
        people = await User.filter(wanted)
        lead_keys = {int(e.payload["lead"]) for e in events if "lead" in e.payload}
        agreement_keys = {e.subject_id for e in events if e.subject_type == "Agreement"}
        return cls(
            {u.id: u for u in people},
            {r.id: r for r in await Lead.filter(id__in=lead_keys)},
            {r.id: r for r in await Agreement.filter(id__in=agreement_keys)},
            clock.now(),
        )

    def audience(self, notice: Notice) -> list[User]:
        found: list[User] = []
        for audience in notice.audiences:
            if isinstance(audience, Person):
                person = self.people.get(audience.user_id)
                found += [person] if person is not None else []
            elif isinstance(audience, ManagersOf):
                person = self.people.get(audience.user_id)
                found += self._managers(person.team) if person is not None else []
            elif isinstance(audience, TeamManagers):
                found += self._managers(audience.team.value)
        return [u for u in found if u.active]

    def _managers(self, team: str) -> list[User]:
        return [
            u
            for u in sorted(self.people.values(), key=lambda u: u.id)
            if u.team == team and u.role == Role.MANAGER.value and u.active
        ]

    def row(self, event: OutboxEvent, notice: Notice, user: User) -> tuple[Any, ...]:
        written = message(self.facts(event, notice, user))
        link = self.link(event)
        return (
            user.id,
            notice.kind.value,
            event.subject_type,
            event.subject_id,
            written.title[:300],
            written.body,
            link,
            event.id,
            f"{event.id}:{user.id}",
            self.now,
            (user.email, written, link),
        )

    def facts(self, event: OutboxEvent, notice: Notice, user: User) -> Facts:
        payload = event.payload
        other = payload.get("reassignedTo") or payload.get("assignee")
        if payload.get("previousAssignee") == user.id:
            other = payload.get("assignee")
        agreement = self.agreements.get(event.subject_id)
        return Facts(
            kind=notice.kind,
            payload=payload,
            timezone=user.timezone or "UTC",
            lead=self._lead_name(payload.get("lead")),
            assignee=self._name(payload.get("assignee")),
            other=self._name(other),
            agreement=_agreement_name(agreement) if agreement else "",
            actor=self._name(event.actor_id),
        )

    def link(self, event: OutboxEvent) -> str:
        if event.subject_type == "ContentRequest":
            return f"/#/content/{event.payload.get('requestId', '')}"
        if event.subject_type == "ActionItem":
            return f"/#/meetings/{event.payload.get('meetingId', '')}"
        if event.subject_type == "Agreement":
            return f"/#/agreements/{event.payload.get('agreementId', '')}"
        lead = event.payload.get("lead")
        return f"/#/leads/{ids.encode('Lead', int(lead))}" if lead else "/#/"

    def _name(self, key: Any) -> str:
        person = self.people.get(int(key)) if key is not None else None
        return person.name if person is not None else "someone"

    def _lead_name(self, key: Any) -> str:
        lead = self.leads.get(int(key)) if key is not None else None
        if lead is None:
            return "a lead"
        name = " ".join(p for p in (lead.first_name, lead.last_name) if p)
        who = name or lead.email
        return f"{who} ({lead.company})" if lead.company else who


def _agreement_name(row: Agreement) -> str:
    kind = row.kind.replace("_", " ").lower()
    return f"the {kind} “{row.title}”"


async def _queue_mail(
    rows: list[tuple[Any, ...]], written: list[dict[str, Any]]
) -> None:
    """An e-mail for each notification written now (not for ones that existed)."""
    new = {str(r["dedupe_key"]): int(r["id"]) for r in written}
    mails = []
    for row in rows:
        key = row[8]
        if key not in new:
            continue
        address, text, link = row[-1]
        body = f"{text.body}\n\nOpen it: {mailer.absolute(link)}{FOOTER}"
        mails.append(mailer.Mail(address, text.title, body, key, new[key]))
    await mailer.queue(mails, clock.now())


# ---- reads and marking read ---------------------------------------------------------


async def list_notifications(
    user_id: int, unread_only: bool, page: PageRequest
) -> Page[Notification]:
    query = Notification.filter(user_id=user_id)
    if unread_only:
        query = query.filter(read_at__isnull=True)
    return await paginate(query, ORDERING, page)


async def unread_count(user_id: int) -> int:
    return await Notification.filter(user_id=user_id, read_at__isnull=True).count()


async def notifications_by_ids(
    user_id: int, keys: list[int]
) -> dict[int, Notification]:
    rows = await Notification.filter(user_id=user_id, id__in=keys)
    return {row.id: row for row in rows}


async def mark_read(
    actor: Actor, notification_ids: list[str], everything: bool
) -> mutations.Outcome[int]:
    """Mark one's own notifications read (others' ids are ignored); returns how
    many changed."""

    async def body(tx: mutations.Tx) -> int:
        if not everything and not notification_ids:
            raise refuse(ErrorCode.INVALID_INPUT, "give ids or all: true", "ids")
        query = Notification.filter(user_id=actor.user_id, read_at__isnull=True)
        if not everything:
            keys = [ids.decode(g, "Notification", "ids") for g in notification_ids]
            query = query.filter(id__in=keys)
        marked = await query.update(read_at=tx.now)
        tx.audit("Notification", None, marked=marked, all=everything)
        return int(marked)

    return await mutations.run(actor, "markNotificationsRead", body)
