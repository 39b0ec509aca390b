"""Steps of the meeting tests: a sales floor with handoffs decided and rated,
and the meeting documents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.clock import clock
from tests.api.waterfall.test_handoff_refusals import ready
from tests.handoff_steps import ACCEPT, REJECT, Floor, user_id
from tests.helpers import Api

ERRORS = "userErrors { code field message }"
MEETING = """
  id kind title scheduledFor status notes decisions agendaTopics version
  completedAt reviewedPeriod { from to timezone }
  attendees { name }
  agenda { topic title summary
           figures { label value count ratio leads handoffs contentRequests }
           records { id type label detail } }
  actionItems { id description dueDate status overdue owner { name } version }
  snapshotText
"""
SCHEDULE = f"""
mutation($input: ScheduleMeetingInput!) {{
  scheduleMeeting(input: $input) {{ meeting {{ {MEETING} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation($input: UpdateMeetingInput!) {{
  updateMeeting(input: $input) {{ meeting {{ {MEETING} }} {ERRORS} }}
}}"""
COMPLETE = """
mutation($input: CompleteMeetingInput!) {
  completeMeeting(input: $input) {
    meeting { id status version completedAt snapshotText }
    userErrors { code field message }
  }
}"""
ADD_ITEM = f"""
mutation($input: AddActionItemInput!) {{
  addActionItem(input: $input) {{
    actionItem {{ id description dueDate status overdue version owner {{ name }} }}
    meeting {{ id status }}
    {ERRORS}
  }}
}}"""
UPDATE_ITEM = f"""
mutation($input: UpdateActionItemInput!) {{
  updateActionItem(input: $input) {{
    actionItem {{ id description dueDate status overdue version }}
    {ERRORS}
  }}
}}"""
NODE = f"""
query($id: ID!) {{ node(id: $id) {{ ... on Meeting {{ {MEETING} }} }} }}"""
FEEDBACK = """
mutation($input: SubmitLeadFeedbackInput!) {
  submitLeadFeedback(input: $input) { feedback { id } userErrors { code } }
}"""
SUMMARY = """
query($period: PeriodInput!, $groupBy: FeedbackGroupBy!) {
  leadFeedbackSummary(period: $period, groupBy: $groupBy) {
    total { count meanRating distribution { rating count }
            topReasons { reason count } rejections }
    groups { key count meanRating topReasons { reason count } rejections
             persona { id } rep { name } entries { id rating } }
  }
}"""


def around_now(days: int = 7) -> dict[str, str]:
    now = clock.now()
    return {
        "from": (now - timedelta(days=days)).isoformat(),
        "to": (now + timedelta(days=1)).isoformat(),
    }


class Room(Floor):
    """The handoff floor, with meeting steps."""

    async def decided(
        self, email: str, reject: str | None = None, who: str = "rep"
    ) -> str:
        """A qualified lead handed to the rep and accepted, or rejected for
        ``reject``; its id."""
        lead_id = await self.qualified_lead(email)
        done = await self.hand_off(lead_id, assigneeId=await user_id(who))
        assert done["userErrors"] == [], done
        handoff = done["handoff"]["id"]
        if reject is None:
            answer = await self.call(who, ACCEPT, {"handoffId": handoff})
        else:
            answer = await self.call(
                who,
                REJECT,
                {"handoffId": handoff, "reason": reject, "disposition": "RECYCLE"},
            )
        assert answer["userErrors"] == [], answer
        return lead_id

    async def rate(
        self, lead_id: str, rating: int, reasons: list[str], who: str = "rep"
    ) -> None:
        done = await self.call(
            who,
            FEEDBACK,
            {"leadId": lead_id, "rating": rating, "reasons": reasons, "comment": "Hm"},
        )
        assert done["userErrors"] == [], done

    async def schedule(self, who: str = "marketing", **extra: Any) -> dict[str, Any]:
        given = {
            "kind": "LEAD_REVIEW",
            "title": "Weekly lead review",
            "scheduledFor": (clock.now() + timedelta(hours=2)).isoformat(),
            "attendeeIds": [await user_id("marketing"), await user_id("sales")],
            "reviewedPeriod": around_now(),
            **extra,
        }
        done: dict[str, Any] = await self.call(who, SCHEDULE, given)
        return done


async def room_of(api: Api) -> Room:
    floor = await ready(api)
    return Room(floor.api, floor.sessions)
