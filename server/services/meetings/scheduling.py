"""`scheduleMeeting`, `updateMeeting` and `completeMeeting` (SPEC §2.7).

Scheduling pre-fills the agenda from the reviewed period's data
(`server.services.meetings.agenda`). Completing locks the meeting, reads the
dashboard, the feedback by persona and the agenda once, and writes them as the
snapshot (canonical JSON, never rewritten) with ``MEETING_COMPLETED`` in the
same transaction; of many completions at once one wins, the others find it
completed (``INVALID_TRANSITION``).

Where the spec is silent:
- the reviewed period defaults to the SLA's ``reviewCadenceDays`` (else 30
  days) before the scheduled time;
- a meeting may be completed before its scheduled time (held early);
- the scheduler need not attend; attendees are active users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.instants import as_utc
from server.domain.core.outbox import EventKind
from server.domain.core.periods import Period
from server.domain.feedback.summary import FeedbackGroupBy
from server.domain.meetings import inputs
from server.domain.meetings.lifecycle import (
    MeetingKind,
    MeetingStatus,
    check_complete,
    check_edit,
)
from server.models import Meeting
from server.services.core import ids, mutations
from server.services.core.actors import Actor
from server.services.feedback.summary import Summary, feedback_summary
from server.services.meetings import agenda as agendas
from server.services.meetings import store
from server.services.meetings.snapshot import canonical, dashboard_json
from server.services.metrics.dashboard import dashboard
from server.services.metrics.reviews import review_cadence

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Scheduling:
    kind: str
    title: str
    scheduled_for: datetime
    attendee_ids: Sequence[str]
    period: Period | None = None
    timezone: str = "UTC"
    topics: Sequence[str] = ()


async def schedule_meeting(
    actor: Actor, given: Scheduling
) -> mutations.Outcome[Meeting]:
    async def body(tx: mutations.Tx) -> Meeting:
        if given.kind not in MeetingKind.__members__:
            raise refuse(ErrorCode.INVALID_INPUT, "not a meeting kind", "kind")
        title = store.taken(inputs.read_title(given.title))
        topics = store.taken(inputs.read_lines(given.topics, "agendaTopics"))
        keys = await store.active_users(given.attendee_ids, "attendeeIds")
        attendees = store.taken(inputs.read_attendees(keys))
        when = as_utc(given.scheduled_for)
        period = given.period or await _default_period(when, tx.now)
        store.checked(inputs.check_period(period))
        review = agendas.Review(
            MeetingKind(given.kind), period, ZoneInfo(given.timezone), tx.now, topics
        )
        meeting = await Meeting.create(
            kind=given.kind,
            title=title,
            scheduled_for=when,
            period_from=as_utc(period.opens),
            period_to=as_utc(period.closes),
            timezone=given.timezone,
            attendees=attendees,
            topics=topics,
            agenda=await agendas.agenda(review),
            status=MeetingStatus.SCHEDULED.value,
            created_by_id=actor.user_id,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.audit(
            store.SUBJECT,
            meeting.id,
            kind=given.kind,
            title=title,
            scheduledFor=when.isoformat(),
            attendees=attendees,
            reviewedPeriod=[period.opens.isoformat(), period.closes.isoformat()],
        )
        return meeting

    return await mutations.run(actor, "scheduleMeeting", body)


async def _default_period(when: datetime, now: datetime) -> Period:
    cadence = (await review_cadence(now)).cadence_days or DEFAULT_DAYS
    return Period(when - timedelta(days=cadence), when)


@dataclass(frozen=True)
class Update:
    id: str
    expected_version: int
    title: str | None = None
    scheduled_for: datetime | None = None
    attendee_ids: Sequence[str] | None = None
    notes: str | None = None
    decisions: Sequence[str] | None = None
    topics: Sequence[str] | None = None


async def update_meeting(actor: Actor, given: Update) -> mutations.Outcome[Meeting]:
    async def body(tx: mutations.Tx) -> Meeting:
        meeting = await store.load_meeting(given.id)
        problem = check_edit(
            store.participant(actor), meeting.attendees, store.status_of(meeting)
        )
        store.checked(problem)
        if meeting.version != given.expected_version:
            message = f"the meeting changed meanwhile (version {meeting.version})"
            raise refuse(ErrorCode.CONFLICT, message, "expectedVersion")
        changes = await _apply(meeting, given)
        await store.touch(meeting, tx)
        tx.audit(store.SUBJECT, meeting.id, version=meeting.version, **changes)
        return meeting

    return await mutations.run(actor, "updateMeeting", body)


async def _apply(meeting: Meeting, given: Update) -> dict[str, object]:
    changes: dict[str, object] = {}
    if given.title is not None:
        meeting.title = changes["title"] = store.taken(inputs.read_title(given.title))
    if given.scheduled_for is not None:
        meeting.scheduled_for = as_utc(given.scheduled_for)
        changes["scheduledFor"] = meeting.scheduled_for.isoformat()
    if given.attendee_ids is not None:
        keys = await store.active_users(given.attendee_ids, "attendeeIds")
        meeting.attendees = store.taken(inputs.read_attendees(keys))
        changes["attendees"] = meeting.attendees
    if given.notes is not None:
        meeting.notes = store.taken(inputs.read_notes(given.notes))
        changes["notes"] = len(meeting.notes)
    if given.decisions is not None:
        decisions = store.taken(inputs.read_lines(given.decisions, "decisions"))
        meeting.decisions = changes["decisions"] = decisions
    if given.topics is not None:
        topics = store.taken(inputs.read_lines(given.topics, "agendaTopics"))
        meeting.topics = changes["agendaTopics"] = topics
    return changes


async def complete_meeting(
    actor: Actor, key: str, expected_version: int | None = None
) -> mutations.Outcome[Meeting]:
    async def body(tx: mutations.Tx) -> Meeting:
        meeting = await store.load_meeting(key, expected_version)
        store.checked(check_complete(store.status_of(meeting)))
        review = review_of(meeting, tx.now)
        figures = await dashboard(review.period, None, review.zone, tx.now)
        frozen = await agendas.agenda(review, figures)
        summary = await feedback_summary(review.period, FeedbackGroupBy.PERSONA)
        meeting.snapshot = canonical(
            {
                "kind": meeting.kind,
                "takenAt": tx.now.isoformat(),
                "reviewedPeriod": {
                    "from": review.period.opens.isoformat(),
                    "to": review.period.closes.isoformat(),
                    "timezone": review.zone.key,
                },
                "dashboard": dashboard_json(figures),
                "feedbackByPersona": _feedback_json(summary),
                "agenda": list(frozen),
            }
        )
        meeting.agenda = list(frozen)  # type: ignore[arg-type]
        meeting.status = MeetingStatus.COMPLETED.value
        meeting.completed_at, meeting.completed_by_id = tx.now, actor.user_id
        await store.touch(meeting, tx)
        tx.audit(store.SUBJECT, meeting.id, status=meeting.status)
        tx.emit(
            EventKind.MEETING_COMPLETED.value,
            store.SUBJECT,
            meeting.id,
            {
                "meeting": meeting.id,
                "meetingId": ids.encode(store.SUBJECT, meeting.id),
                "kind": meeting.kind,
                "title": meeting.title,
                "attendees": meeting.attendees,
                "decisions": meeting.decisions,
            },
        )
        return meeting

    return await mutations.run(actor, "completeMeeting", body)


def review_of(meeting: Meeting, now: datetime) -> agendas.Review:
    return agendas.Review(
        MeetingKind(meeting.kind),
        Period(as_utc(meeting.period_from), as_utc(meeting.period_to)),
        ZoneInfo(meeting.timezone),
        now,
        tuple(meeting.topics),
    )


def _feedback_json(summary: Summary) -> list[dict[str, object]]:
    return [
        {
            "personaId": ids.encode("Persona", g.key)
            if isinstance(g.key, int)
            else None,
            "count": g.count,
            "meanRating": float(g.mean_rating) if g.mean_rating is not None else None,
            "distribution": {str(k): v for k, v in sorted(g.distribution.items())},
            "topReasons": [{"reason": r, "count": n} for r, n in g.top_reasons(5)],
            "rejections": g.rejections,
        }
        for g in summary.groups
    ]
