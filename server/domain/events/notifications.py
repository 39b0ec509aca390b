"""Who hears about an event, and what they read (SPEC §2.4 notifications). Pure:
the notification consumer resolves the audiences to users and passes the facts
the messages need, deadlines in each recipient's own timezone.

Audiences:
- assignment (HANDOFF_CREATED, HANDOFF_REASSIGNED): the new assignee; on a
  reassignment the previous assignee hears where it went;
- SLA_AT_RISK, SLA_BREACHED: the assignee and their managers (the accept
  breach says what the timeout action did: auto-accepted, moved, or waiting);
- HANDOFF_ESCALATED (the sweeper could not move a handoff on): the assignee's
  managers, and the assignee too unless they are the absent reason for it;
- sign-off requests: a proposal (AGREEMENT_PROPOSED) goes to the managers of
  marketing and sales but its proposer; a sign-off that leaves the proposal
  pending (AGREEMENT_SIGNED) to the managers of the team that has not signed;
- content-request changes (CONTENT_REQUEST_CHANGED): the requester and the
  assignee, never the one who made the change; votes tell nobody;
- an overdue meeting action item (ACTION_ITEM_OVERDUE, once per item): its owner.
Everything else (decisions, follow-ups, activations, …) notifies nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from server.domain.core.instants import local_time
from server.domain.core.outbox import EventKind
from server.domain.core.roles import Team


class NoticeKind(StrEnum):
    HANDOFF_ASSIGNED = "HANDOFF_ASSIGNED"
    HANDOFF_MOVED = "HANDOFF_MOVED"
    SLA_AT_RISK = "SLA_AT_RISK"
    SLA_BREACHED = "SLA_BREACHED"
    HANDOFF_AUTO_ACCEPTED = "HANDOFF_AUTO_ACCEPTED"
    HANDOFF_ESCALATED = "HANDOFF_ESCALATED"
    SIGN_OFF_REQUESTED = "SIGN_OFF_REQUESTED"
    CONTENT_REQUEST_CHANGED = "CONTENT_REQUEST_CHANGED"
    ACTION_ITEM_OVERDUE = "ACTION_ITEM_OVERDUE"


@dataclass(frozen=True)
class Person:
    """One user by id."""

    user_id: int


@dataclass(frozen=True)
class ManagersOf:
    """Every active manager of this user's team."""

    user_id: int


@dataclass(frozen=True)
class TeamManagers:
    team: Team


Audience = Person | ManagersOf | TeamManagers


@dataclass(frozen=True)
class Notice:
    """A kind of notice for some audiences, minus some users (the actor)."""

    kind: NoticeKind
    audiences: tuple[Audience, ...]
    excluded: frozenset[int] = frozenset()


SIGNING_TEAMS = (Team.MARKETING, Team.SALES)
STILL_PENDING = {"PROPOSED", "RETIREMENT_PROPOSED"}


def notices_for(
    kind: str, payload: Mapping[str, Any], actor_id: int | None
) -> list[Notice]:
    """The notices an outbox event gives rise to (none for most kinds)."""
    handler = _RULES.get(kind)
    return handler(payload, actor_id) if handler else []


def _created(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
    return [Notice(NoticeKind.HANDOFF_ASSIGNED, (Person(payload["assignee"]),))]


def _reassigned(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
    found = _created(payload, actor_id)
    previous = payload.get("previousAssignee")
    if previous is not None and previous != payload["assignee"]:
        found.append(Notice(NoticeKind.HANDOFF_MOVED, (Person(previous),)))
    return found


Rule = Callable[[Mapping[str, Any], int | None], list[Notice]]


def _sla(kind: NoticeKind) -> Rule:
    """SLA events: the assignee and their managers; an accept breach the sweeper
    answered with AUTO_ACCEPT is told as the auto-acceptance."""

    def rule(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
        assignee = payload["assignee"]
        auto = payload.get("timeoutAction") == "AUTO_ACCEPT"
        told = NoticeKind.HANDOFF_AUTO_ACCEPTED if auto else kind
        return [Notice(told, (Person(assignee), ManagersOf(assignee)))]

    return rule


def _escalated(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
    assignee = payload["assignee"]
    absent = payload.get("cause") in {"OUT_OF_OFFICE", "DEACTIVATED"}
    audiences: tuple[Audience, ...] = (ManagersOf(assignee),)
    if not absent:
        audiences = (Person(assignee), *audiences)
    return [Notice(NoticeKind.HANDOFF_ESCALATED, audiences)]


def _proposed(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
    teams = tuple(TeamManagers(team) for team in SIGNING_TEAMS)
    excluded = frozenset({actor_id}) if actor_id is not None else frozenset()
    return [Notice(NoticeKind.SIGN_OFF_REQUESTED, teams, excluded)]


def _signed(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
    if payload.get("pending") not in STILL_PENDING:
        return []  # the countersignature: nothing awaits anyone
    others = tuple(TeamManagers(t) for t in SIGNING_TEAMS if t != payload.get("team"))
    return [Notice(NoticeKind.SIGN_OFF_REQUESTED, others)]


SILENT_CONTENT_ACTIONS = frozenset({"VOTE", "UNVOTE"})


def _content(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
    if payload.get("action") in SILENT_CONTENT_ACTIONS:
        return []
    people = (payload.get("requester"), payload.get("assignee"))
    audiences = tuple(Person(int(p)) for p in dict.fromkeys(people) if p is not None)
    excluded = frozenset({actor_id}) if actor_id is not None else frozenset()
    return [Notice(NoticeKind.CONTENT_REQUEST_CHANGED, audiences, excluded)]


def _overdue(payload: Mapping[str, Any], actor_id: int | None) -> list[Notice]:
    return [Notice(NoticeKind.ACTION_ITEM_OVERDUE, (Person(int(payload["owner"])),))]


_RULES: dict[str, Rule] = {
    EventKind.HANDOFF_CREATED.value: _created,
    EventKind.HANDOFF_REASSIGNED.value: _reassigned,
    EventKind.SLA_AT_RISK.value: _sla(NoticeKind.SLA_AT_RISK),
    EventKind.SLA_BREACHED.value: _sla(NoticeKind.SLA_BREACHED),
    EventKind.HANDOFF_ESCALATED.value: _escalated,
    EventKind.AGREEMENT_PROPOSED.value: _proposed,
    EventKind.AGREEMENT_SIGNED.value: _signed,
    EventKind.CONTENT_REQUEST_CHANGED.value: _content,
    EventKind.ACTION_ITEM_OVERDUE.value: _overdue,
}


# ---- messages -------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a message says, resolved by the consumer for one recipient."""

    kind: NoticeKind
    payload: Mapping[str, Any]
    timezone: str
    lead: str = ""
    assignee: str = ""
    other: str = ""  # the previous or next assignee, where one is named
    agreement: str = ""
    actor: str = ""


@dataclass(frozen=True)
class Message:
    title: str
    body: str


CLOCK_WORDS = {"ACCEPT": "accept", "FIRST_TOUCH": "first touch"}
CAUSE_WORDS = {
    "TIMEOUT": "nobody accepted it in time",
    "OUT_OF_OFFICE": "its assignee is out of office",
    "DEACTIVATED": "its assignee was deactivated",
    "MANUAL": "a sales manager reassigned it",
}
WHY_WORDS = {
    "LIMIT_REACHED": "it was already moved twice by the sweeper",
    "EMPTY_POOL": "nobody else in the routing pool takes leads",
    "NOTIFY_ACTION": "the SLA says to notify",
}


def message(facts: Facts) -> Message:
    """The title and plain-text body of one notice."""
    return _WRITERS[facts.kind](facts)


def _due(facts: Facts, key: str) -> str:
    return local_time(facts.payload.get(key), facts.timezone)


def _assigned(f: Facts) -> Message:
    body = (
        f"{f.lead} is yours to accept or reject by {_due(f, 'acceptDueAt')}; "
        f"first touch due by {_due(f, 'firstTouchDueAt')}."
    )
    cause = f.payload.get("cause")
    if cause:
        body = f"It was reassigned to you ({CAUSE_WORDS.get(cause, cause)}). {body}"
    return Message(f"New lead for you: {f.lead}", body)


def _moved(f: Facts) -> Message:
    cause = CAUSE_WORDS.get(f.payload.get("cause", ""), "it was reassigned")
    body = f"{f.lead} now belongs to {f.other}: {cause}."
    return Message(f"{f.lead} was reassigned to {f.other}", body)


def _at_risk(f: Facts) -> Message:
    clock = CLOCK_WORDS[f.payload["clock"]]
    due = _due(f, "dueAt")
    body = f"{f.assignee} has until {due} to meet the {clock} deadline for {f.lead}."
    return Message(f"At risk: {clock} deadline for {f.lead} at {due}", body)


def _breached(f: Facts) -> Message:
    clock = CLOCK_WORDS[f.payload["clock"]]
    due = _due(f, "dueAt")
    body = f"The {clock} deadline for {f.lead} ({f.assignee}) passed at {due}."
    action = f.payload.get("timeoutAction")
    if action == "REASSIGN":
        body += f" It was reassigned to {f.other}."
    elif action == "NOTIFY":
        body += f" It still waits for {f.assignee} to accept or reject it."
    return Message(f"Breached: {clock} deadline for {f.lead}", body)


def _auto_accepted(f: Facts) -> Message:
    body = (
        f"Nobody decided on {f.lead} by {_due(f, 'dueAt')}, so it was accepted "
        f"for {f.assignee} automatically. It counts as accepted, not on time."
    )
    return Message(f"Accepted automatically, late: {f.lead}", body)


def _escalated_message(f: Facts) -> Message:
    cause = CAUSE_WORDS.get(f.payload.get("cause", ""), "")
    why = WHY_WORDS.get(f.payload.get("why", ""), "")
    body = (
        f"{f.lead} waits with {f.assignee}: {cause}, and the sweeper cannot "
        f"move it because {why}. Reassign it or decide on it."
    )
    return Message(f"Needs attention: {f.lead}", body)


def _sign_off(f: Facts) -> Message:
    body = (
        f"{f.agreement} awaits your team's sign-off. Review it and sign or reject it."
    )
    return Message(f"Sign-off requested: {f.agreement}", body)


CONTENT_WORDS = {
    "REQUEST": "asked for",
    "UPDATE": "edited",
    "ACCEPT": "accepted",
    "DECLINE": "declined",
    "START": "started work on",
    "SUBMIT_FOR_REVIEW": "put in review",
    "REQUEST_CHANGES": "asked for changes to",
    "DELIVER": "delivered",
    "CANCEL": "cancelled",
    "REOPEN": "reopened",
    "COMMENT": "commented on",
    "RATE": "rated",
}


def _content_message(f: Facts) -> Message:
    title = str(f.payload.get("title", "a content request"))
    did = CONTENT_WORDS.get(str(f.payload.get("action")), "changed")
    body = f"{f.actor} {did} \u201c{title}\u201d."
    if f.payload.get("to") and f.payload.get("to") != f.payload.get("from"):
        status = str(f.payload["to"]).lower().replace("_", " ")
        body += f" It is now {status}."
    if f.payload.get("action") == "ACCEPT" and f.payload.get("committedDueDate"):
        body += f" Committed for {f.payload['committedDueDate']}."
    if f.payload.get("comment"):
        body += f"\n\n{f.payload['comment']}"
    return Message(f"{f.actor} {did} {title}", body)


def _overdue_message(f: Facts) -> Message:
    text = str(f.payload.get("description", "an action item"))
    due = f.payload.get("dueDate")
    body = f"\u201c{text}\u201d was due on {due} and is still open. Do it, "
    body += "move its date or mark it done on the meeting page."
    return Message(f"Overdue action item: {text}"[:300], body)


_WRITERS = {
    NoticeKind.HANDOFF_ASSIGNED: _assigned,
    NoticeKind.HANDOFF_MOVED: _moved,
    NoticeKind.SLA_AT_RISK: _at_risk,
    NoticeKind.SLA_BREACHED: _breached,
    NoticeKind.HANDOFF_AUTO_ACCEPTED: _auto_accepted,
    NoticeKind.HANDOFF_ESCALATED: _escalated_message,
    NoticeKind.SIGN_OFF_REQUESTED: _sign_off,
    NoticeKind.CONTENT_REQUEST_CHANGED: _content_message,
    NoticeKind.ACTION_ITEM_OVERDUE: _overdue_message,
}
