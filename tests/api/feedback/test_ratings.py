"""`submitLeadFeedback` and the lead page's `feedback` (SPEC §2.7): sales users
working a lead and sales managers rate it, once per user and lead (a second
submission edits); every refusal has its code, is audited and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from server import db
from server.models.core import AuditEntry, OutboxEvent
from server.models.feedback import LeadFeedback
from server.services.core import ids
from tests.api.waterfall.test_handoff_refusals import MONDAY, ready
from tests.handoff_steps import (
    ACCEPT,
    REJECT,
    Floor,
    handoff_snapshot,
    refused,
    user_id,
)
from tests.helpers import Api

FEEDBACK = """
  id rating reasons comment createdAt updatedAt version
  user { name } lead { id }
  rejection { reason comment }
"""
SUBMIT = f"""
mutation($input: SubmitLeadFeedbackInput!) {{
  submitLeadFeedback(input: $input) {{
    feedback {{ {FEEDBACK} }}
    lead {{ id stage }}
    userErrors {{ code field message }}
  }}
}}"""
LEAD_PAGE = f"""
query($id: ID!) {{
  node(id: $id) {{ ... on Lead {{ id feedback {{ {FEEDBACK} }} }} }}
}}"""
PAGE = """
query($first: Int) {
  leads(first: $first) { edges { node { id feedback { rating user { name } } } } }
}"""
NODE = f"""
query($id: ID!) {{ node(id: $id) {{ ... on LeadFeedback {{ {FEEDBACK} }} }} }}"""


async def handed_to(room: Floor, who: str, email: str = "ana@logistics.example") -> Any:
    """A qualified lead handed to ``who``; the lead id and the handoff."""
    lead_id = await room.qualified_lead(email)
    done = await room.hand_off(lead_id, assigneeId=await user_id(who))
    assert done["userErrors"] == [], done
    return lead_id, done["handoff"]


def given(lead_id: str, rating: int = 2, **extra: Any) -> dict[str, Any]:
    return {"leadId": lead_id, "rating": rating, **extra}


async def test_the_rep_who_rejected_a_lead_rates_it_and_sees_the_rejection_beside(
    api: Api,
) -> None:
    # given a lead the rep rejected for lack of budget
    room = await ready(api)
    lead_id, handoff = await handed_to(room, "rep")
    rejected = await room.call(
        "rep",
        REJECT,
        {"handoffId": handoff["id"], "reason": "NO_BUDGET", "disposition": "RECYCLE"},
    )
    assert rejected["userErrors"] == [], rejected
    audited = await AuditEntry.all().count()
    events = await OutboxEvent.all().count()

    # when the rep rates it, with reasons given twice and a comment
    done = await room.call(
        "rep",
        SUBMIT,
        given(
            lead_id,
            2,
            reasons=["NO_BUDGET", "NOT_READY", "NO_BUDGET"],
            comment="  Budget frozen until Q3.  ",
        ),
    )

    # then the feedback is stored once, reasons distinct, comment trimmed
    assert done["userErrors"] == [], done
    feedback = done["feedback"]
    assert feedback["rating"] == 2 and feedback["version"] == 1
    assert feedback["reasons"] == ["NO_BUDGET", "NOT_READY"]
    assert feedback["comment"] == "Budget frozen until Q3."
    assert feedback["user"] == {"name": "Rep"} and feedback["lead"]["id"] == lead_id
    assert feedback["rejection"] == {"reason": "NO_BUDGET", "comment": None}
    assert done["lead"]["id"] == lead_id
    # audited, and no event (EventKind names none)
    assert await AuditEntry.all().count() == audited + 1
    entry = await AuditEntry.all().order_by("-id").first()
    assert entry is not None and entry.action == "submitLeadFeedback"
    assert (entry.entity_type, entry.outcome) == ("LeadFeedback", "OK")
    assert await OutboxEvent.all().count() == events
    # and the lead page and node show it
    page = await room.query("marketing", LEAD_PAGE, id=lead_id)
    assert page["node"]["feedback"] == [feedback]
    assert (await room.query("member", NODE, id=feedback["id"]))["node"] == feedback


async def test_a_second_submission_edits_the_first(api: Api) -> None:
    room = await ready(api)
    lead_id, _ = await handed_to(room, "rep")
    first = await room.call("rep", SUBMIT, given(lead_id, 2, reasons=["NOT_A_FIT"]))
    assert first["userErrors"] == [], first

    # when the rep changes their mind an hour later
    await room.at(MONDAY + timedelta(hours=1))
    again = await room.call("rep", SUBMIT, given(lead_id, 4))

    # then the same feedback holds the new rating, a new version, no reasons
    assert again["userErrors"] == [], again
    edited = again["feedback"]
    assert edited["id"] == first["feedback"]["id"]
    assert (edited["rating"], edited["reasons"], edited["version"]) == (4, [], 2)
    assert edited["createdAt"] == first["feedback"]["createdAt"]
    assert edited["updatedAt"] > edited["createdAt"]
    assert await LeadFeedback.all().count() == 1


async def test_the_owner_and_sales_managers_each_give_their_own_feedback(
    api: Api,
) -> None:
    # given a lead the rep accepted (the rep owns it)
    room = await ready(api)
    lead_id, handoff = await handed_to(room, "rep")
    accepted = await room.call("rep", ACCEPT, {"handoffId": handoff["id"]})
    assert accepted["userErrors"] == [], accepted

    # when the owner and two sales managers rate it
    for who, rating in (("rep", 5), ("sales", 4), ("sales2", 3)):
        done = await room.call(who, SUBMIT, given(lead_id, rating))
        assert done["userErrors"] == [], done
        assert done["feedback"]["rejection"] is None

    # then the lead shows three, oldest first
    page = await room.query("rep", LEAD_PAGE, id=lead_id)
    found = [(f["user"]["name"], f["rating"]) for f in page["node"]["feedback"]]
    assert found == [("Rep", 5), ("Sales", 4), ("Sales2", 3)]


async def test_who_may_not_give_feedback_is_refused(api: Api) -> None:
    # given a lead handed to a sales manager, not to the rep
    room = await ready(api)
    lead_id, _ = await handed_to(room, "sales2")
    # then the rep (not working it) is refused on the lead, marketing, leadership
    # and admins outright
    await refused(room, "rep", SUBMIT, given(lead_id), "FORBIDDEN")
    for who in ("member", "marketing", "admin", "leader"):
        await refused(room, who, SUBMIT, given(lead_id), "FORBIDDEN")


async def test_a_lead_never_handed_off_takes_no_feedback(api: Api) -> None:
    room = await ready(api)
    lead_id = await room.qualified_lead()
    await refused(
        room, "sales", SUBMIT, given(lead_id), "INVALID_TRANSITION", ["leadId"]
    )


async def test_bad_feedback_is_refused_on_its_field(api: Api) -> None:
    room = await ready(api)
    lead_id, _ = await handed_to(room, "rep")
    cases = [
        (given(lead_id, 0), "INVALID_INPUT", "rating"),
        (given(lead_id, 6), "INVALID_INPUT", "rating"),
        (given(lead_id, reasons=["OTHER"]), "INVALID_INPUT", "comment"),
        (given(lead_id, reasons=["OTHER"], comment="   "), "INVALID_INPUT", "comment"),
        (given(lead_id, comment="x" * 2001), "INVALID_INPUT", "comment"),
        (given(ids.encode("Lead", 999_999)), "NOT_FOUND", "leadId"),
        (given(ids.encode("User", 1)), "INVALID_INPUT", "leadId"),
    ]
    for input, code, field in cases:
        await refused(room, "rep", SUBMIT, input, code, [field])
    # a reason outside the enum never reaches the use case
    response = await room.send("rep", SUBMIT, given(lead_id, reasons=["BORING"]))
    assert response.error_codes == ["INVALID_INPUT"], response.body


async def test_a_replay_with_its_key_returns_the_first_and_writes_nothing(
    api: Api,
) -> None:
    room = await ready(api)
    lead_id, _ = await handed_to(room, "rep")
    sent = given(lead_id, 3, reasons=["NOT_READY"], idempotencyKey="fb-1")
    first = await room.call("rep", SUBMIT, sent)
    assert first["userErrors"] == [], first
    before = await handoff_snapshot()
    audited = await AuditEntry.all().count()

    again = await room.call("rep", SUBMIT, sent)

    assert again["userErrors"] == [] and again["feedback"] == first["feedback"]
    assert await handoff_snapshot() == before
    assert await AuditEntry.all().count() == audited
    # the same key with another input is a conflict, and changes nothing
    await refused(room, "rep", SUBMIT, {**sent, "rating": 1}, "CONFLICT")


async def test_feedback_on_a_page_of_5_or_20_leads_costs_one_statement(
    api: Api,
) -> None:
    room = await ready(api)
    for n in range(20):
        lead_id, _ = await handed_to(room, "rep", f"fb{n}@logistics.example")
        done = await room.call("sales", SUBMIT, given(lead_id, 1 + n % 5))
        assert done["userErrors"] == [], done
    counts = {}
    for n in (5, 20):
        room.api.use_session(room.sessions["rep"])
        with db.count_statements() as statements:
            page = (await room.api.gql(PAGE, {"first": n})).data["leads"]
        assert all(len(e["node"]["feedback"]) == 1 for e in page["edges"])
        counts[n] = len(statements)
    # authentication, the page, the feedback, its authors
    assert counts == {5: 4, 20: 4}


ROUNDS = 20


@pytest.mark.only_backend("postgres")
async def test_submissions_at_once_end_as_one_feedback_per_user(api: Api) -> None:
    from tests.api.waterfall.test_handoff_races import at_once

    room = await ready(api)
    rep = ids.decode(await user_id("rep"), "User")
    for n in range(ROUNDS):
        lead_id, _ = await handed_to(room, "rep", f"race{n}@logistics.example")
        # when the rep sends four ratings and two sales managers one each at once
        calls = [("rep", SUBMIT, given(lead_id, rating)) for rating in (1, 2, 3, 4)]
        calls += [(who, SUBMIT, given(lead_id, 5)) for who in ("sales", "sales2")]
        answers = await at_once(room, calls)
        assert all(a["userErrors"] == [] for a in answers), answers
        # then each user has one feedback; the rep's was edited three times,
        # ending with one of the ratings sent, and every submission was audited
        rows = await LeadFeedback.filter(lead_id=ids.decode(lead_id, "Lead"))
        by_user = {r.user_id: r for r in rows}
        assert len(rows) == len(by_user) == 3, n
        mine = by_user[rep]
        assert mine.version == 4 and mine.rating in (1, 2, 3, 4)
        assert sorted(r.version for r in rows) == [1, 1, 4]
        audited = AuditEntry.filter(action="submitLeadFeedback", outcome="OK")
        assert await audited.count() == 6 * (n + 1)
