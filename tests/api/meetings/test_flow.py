"""Meetings (SPEC §2.7) on both databases: the agenda of a scheduled review
lists the right figures, reasons and sample; completing freezes a snapshot
that later data never changes; a completed meeting refuses every edit but its
action items; the dashboard's review cadence reads the last lead review."""

from __future__ import annotations

from typing import Any

from server.models import Meeting
from server.models.core import AuditEntry, OutboxEvent
from server.services.core import ids
from tests.api.meetings.steps import (
    ADD_ITEM,
    COMPLETE,
    NODE,
    SUMMARY,
    UPDATE,
    UPDATE_ITEM,
    Room,
    around_now,
    room_of,
)
from tests.handoff_steps import user_id
from tests.helpers import Api

DASHBOARD = """
query($period: PeriodInput!) {
  dashboard(period: $period) { reviewOverdue reviewCadence { lastReviewAt } }
}"""


def item(meeting: dict[str, Any], topic: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in meeting["agenda"] if a["topic"] == topic)
    return found


async def two_rejections_and_an_acceptance(room: Room) -> list[str]:
    first = await room.decided("ana@logistics.example", reject="NO_BUDGET")
    await room.rate(first, 2, ["NO_BUDGET", "NOT_READY"])
    second = await room.decided("bo@logistics.example", reject="NO_BUDGET")
    accepted = await room.decided("cy@logistics.example")
    return [first, second, accepted]


async def test_a_scheduled_lead_review_lists_compliance_reasons_and_the_rejected_sample(
    api: Api,
) -> None:
    # given two rejections for lack of budget, one rated, and one acceptance
    room = await room_of(api)
    first, second, _ = await two_rejections_and_an_acceptance(room)

    # when a marketing manager schedules a lead review over the week
    done = await room.schedule()

    # then the agenda is pre-filled from the data, each item with its records
    assert done["userErrors"] == [], done
    meeting = done["meeting"]
    assert meeting["status"] == "SCHEDULED" and meeting["version"] == 1
    assert [a["topic"] for a in meeting["agenda"]] == [
        "SLA_COMPLIANCE",
        "REJECTION_REASONS",
        "FEEDBACK_BY_PERSONA",
        "REJECTED_SAMPLE",
    ]
    accepted = item(meeting, "SLA_COMPLIANCE")["figures"][1]
    assert accepted["label"] == "Sales: handoffs accepted on time"
    assert accepted["handoffs"]["acceptStatus"] == ["MET", "BREACHED"]
    reasons = item(meeting, "REJECTION_REASONS")["figures"]
    assert [(r["label"], r["count"]) for r in reasons] == [("No budget", 2)]
    assert reasons[0]["handoffs"]["rejectionReasons"] == ["NO_BUDGET"]
    sample = item(meeting, "REJECTED_SAMPLE")
    assert {r["id"] for r in sample["records"]} == {first, second}
    rated = next(r for r in sample["records"] if r["id"] == first)
    assert "Rejected: No budget" in rated["detail"]
    assert "Feedback 2/5 (No budget, Not ready)" in rated["detail"]
    by_persona = item(meeting, "FEEDBACK_BY_PERSONA")["figures"]
    assert sum(f["count"] for f in by_persona) == 1
    assert meeting["snapshotText"] is None
    assert [a["name"] for a in meeting["attendees"]] == ["Marketing", "Sales"]


async def test_a_rejection_and_the_same_reps_feedback_count_their_reason_once(
    api: Api,
) -> None:
    # given a lead rejected for lack of budget and rated by the same rep with
    # that reason again, and another rejection without feedback
    room = await room_of(api)
    await two_rejections_and_an_acceptance(room)

    # when the summary is read by rep
    found = await room.query("marketing", SUMMARY, period=around_now(), groupBy="REP")

    # then the rated lead's NO_BUDGET counts once: two leads, not three mentions
    summary = found["leadFeedbackSummary"]
    total = summary["total"]
    assert total["count"] == 1 and total["meanRating"] == 2.0
    assert total["rejections"] == 2
    assert total["topReasons"] == [
        {"reason": "NO_BUDGET", "count": 2},
        {"reason": "NOT_READY", "count": 1},
    ]
    assert [d["count"] for d in total["distribution"]] == [0, 1, 0, 0, 0]
    [rep] = summary["groups"]
    assert rep["rep"]["name"] == "Rep" and rep["key"] == await user_id("rep")
    assert [e["rating"] for e in rep["entries"]] == [2]


async def test_completing_freezes_a_snapshot_that_later_data_never_changes(
    api: Api,
) -> None:
    # given a scheduled review with a decision noted
    room = await room_of(api)
    await two_rejections_and_an_acceptance(room)
    meeting = (await room.schedule())["meeting"]
    noted = await room.call(
        "sales",
        UPDATE,
        {
            "id": meeting["id"],
            "expectedVersion": 1,
            "notes": "Budget questions first.",
            "decisions": ["Ask for budget on the demo form"],
        },
    )
    assert noted["userErrors"] == [], noted
    events = await OutboxEvent.filter(kind="MEETING_COMPLETED").count()

    # when a manager completes it
    done = await room.call("marketing", COMPLETE, {"id": meeting["id"]})

    # then the snapshot is frozen and MEETING_COMPLETED written with it
    assert done["userErrors"] == [], done
    frozen = done["meeting"]["snapshotText"]
    assert done["meeting"]["status"] == "COMPLETED"
    assert '"rejected":{"count":2' in frozen
    assert await OutboxEvent.filter(kind="MEETING_COMPLETED").count() == events + 1
    before = (await room.query("sales", NODE, id=meeting["id"]))["node"]

    # and more leads, handoffs and feedback change nothing in it
    later = await room.decided("dee@logistics.example", reject="NOT_A_FIT")
    await room.rate(later, 1, ["NOT_A_FIT"])
    await room.decided("eve@logistics.example")
    after = (await room.query("sales", NODE, id=meeting["id"]))["node"]
    assert after["snapshotText"] == frozen
    assert after["agenda"] == before["agenda"]
    assert after["decisions"] == ["Ask for budget on the demo form"]


async def test_a_completed_meeting_refuses_edits_but_its_action_items_change(
    api: Api,
) -> None:
    # given a completed review
    room = await room_of(api)
    meeting = (await room.schedule())["meeting"]
    done = await room.call("sales", COMPLETE, {"id": meeting["id"]})
    assert done["userErrors"] == [], done
    version = done["meeting"]["version"]
    audited = await AuditEntry.all().count()

    # when anyone edits it or completes it again
    edit = await room.call(
        "marketing",
        UPDATE,
        {"id": meeting["id"], "expectedVersion": version, "notes": "late"},
    )
    again = await room.call("marketing", COMPLETE, {"id": meeting["id"]})

    # then both are INVALID_TRANSITION, audited, and nothing changed
    assert [e["code"] for e in edit["userErrors"]] == ["INVALID_TRANSITION"]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]
    assert await AuditEntry.all().count() == audited + 2
    row = await Meeting.get(id=ids.decode(meeting["id"], "Meeting"))
    assert row.notes == "" and row.version == version

    # but an action item for the sales manager is added and marked done
    added = await room.call(
        "marketing",
        ADD_ITEM,
        {
            "meetingId": meeting["id"],
            "description": "Share the rejected list with marketing ops",
            "ownerId": await user_id("sales"),
            "dueDate": "2026-12-01",
        },
    )
    assert added["userErrors"] == [], added
    assert added["actionItem"]["status"] == "OPEN"
    marked = await room.call(
        "sales", UPDATE_ITEM, {"id": added["actionItem"]["id"], "status": "DONE"}
    )
    assert marked["userErrors"] == [], marked
    assert marked["actionItem"]["status"] == "DONE"
    assert marked["actionItem"]["version"] == 2


async def test_the_dashboard_reads_the_last_completed_lead_review(api: Api) -> None:
    room = await room_of(api)
    meeting = (await room.schedule())["meeting"]
    done = await room.call("marketing", COMPLETE, {"id": meeting["id"]})
    found = await room.query("leader", DASHBOARD, period=around_now())
    cadence = found["dashboard"]["reviewCadence"]
    assert cadence["lastReviewAt"] == done["meeting"]["completedAt"]
    assert found["dashboard"]["reviewOverdue"] is False


async def test_only_managers_schedule_and_only_attendees_and_managers_edit(
    api: Api,
) -> None:
    room = await room_of(api)
    response = await room.send(
        "rep",
        "mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) "
        "{ userErrors { code } } }",
        {
            "kind": "LEAD_REVIEW",
            "title": "x",
            "scheduledFor": "2026-12-01T10:00:00+00:00",
            "attendeeIds": [await user_id("rep")],
        },
    )
    assert response.error_codes == ["FORBIDDEN"]
    meeting = (await room.schedule())["meeting"]
    edit = await room.call(
        "rep", UPDATE, {"id": meeting["id"], "expectedVersion": 1, "notes": "hi"}
    )
    assert [e["code"] for e in edit["userErrors"]] == ["FORBIDDEN"]
    stale = await room.call(
        "sales", UPDATE, {"id": meeting["id"], "expectedVersion": 7, "notes": "hi"}
    )
    assert [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]
    blank = await room.schedule(title="  ")
    assert [(e["code"], e["field"]) for e in blank["userErrors"]] == [
        ("INVALID_INPUT", ["title"])
    ]
