"""The hard cases of `mergeLeads` written down in docs/leads.md: sales' work
moves with the duplicate, cycles and customers combine by rule, and the cost in
statements does not grow with what moves."""

from __future__ import annotations

from typing import Any

from server import db
from server.models.events import Notification
from server.models.feedback import LeadFeedback
from server.models.leads import LeadEngagement
from server.models.waterfall import FollowUp, Handoff, HandoffChain
from tests.api.leads.test_hygiene import (
    CANDIDATES,
    MERGE,
    MONDAY,
    fresh,
    lead,
    merge,
    ready,
)
from tests.handoff_steps import user_id
from tests.helpers import Api, settle_outbox
from tests.lead_steps import MOVE, assert_settled, key_of

MERGING = 37
ACCEPT = """mutation($input: AcceptHandoffInput!) {
  acceptHandoff(input: $input) { userErrors { code } } }"""
FEEDBACK = """mutation($input: SubmitLeadFeedbackInput!) {
  submitLeadFeedback(input: $input) { userErrors { code message } } }"""


async def worked(room: Any, email: str, rating: int) -> str:
    """A lead handed to the rep, accepted, touched and rated; its id."""
    lead_id: str = await room.qualified_lead(email)
    done = await room.hand_off(lead_id, assigneeId=await user_id("rep"))
    assert done["userErrors"] == [], done
    await settle_outbox()
    accepted = await room.call("rep", ACCEPT, {"handoffId": done["handoff"]["id"]})
    assert accepted["userErrors"] == []
    touched = await room.follow_up(lead_id)
    assert touched["userErrors"] == [], touched
    rated = await room.call("rep", FEEDBACK, {"leadId": lead_id, "rating": rating})
    assert rated["userErrors"] == [], rated
    return lead_id


async def test_sales_work_moves_and_one_rating_per_rep_is_kept(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    keep_id = await worked(room, "w1@logistics.example", 2)
    drop_id = await worked(room, "w2@logistics.example", 5)  # rated later
    keep, drop = await fresh(room, keep_id), await fresh(room, drop_id)
    notices = await Notification.filter(subject_type="Lead").count()

    done = await merge(room, keep, drop)

    assert done["userErrors"] == [], done
    survivor, gone = key_of(keep), key_of(drop)
    for model in (Handoff, HandoffChain, FollowUp):
        assert await model.filter(lead_id=survivor).count() == 2, model
        assert not await model.filter(lead_id=gone).exists(), model
    ratings = await LeadFeedback.filter(lead_id=survivor).values_list("rating")
    assert [r[0] for r in ratings] == [5]  # the rep's later rating wins
    assert await Notification.filter(subject_type="Lead", subject_id=gone).count() == 0
    assert await Notification.filter(subject_type="Lead").count() == notices
    # the two histories, interleaved, say again what follows each move
    await assert_settled(survivor, moves=6)


async def test_customers_combine_and_the_winning_stage_brings_its_cycle(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    keep = await lead(room, "c1@logistics.example", isCustomer=True, products=["Fleet"])
    drop = await lead(
        room, "c2@logistics.example", isCustomer=True, products=["Yard", "Fleet"]
    )
    # the survivor moved to nurturing: a new cycle began for it
    moved = await room.call(
        "member",
        MOVE,
        {
            "leadId": keep["id"],
            "stage": "NURTURING",
            "expectedVersion": keep["version"],
        },
    )
    assert moved["userErrors"] == [], moved
    keep = await fresh(room, keep["id"])
    await room.record(
        [{"leadId": drop["id"], "kind": "PAGE_VIEW", "occurredAt": MONDAY.isoformat()}]
    )
    drop = await fresh(room, drop["id"])

    done = await merge(room, keep, drop)

    assert done["userErrors"] == [], done
    merged = done["lead"]
    assert merged["stage"] == "NURTURING"  # further than NEW: the survivor's
    assert merged["isCustomer"] is True
    assert merged["products"] == ["Fleet", "Yard"]
    # the duplicate's activity predates the survivor's cycle: kept on the
    # timeline, not counted in the rebuilt sums
    assert not await LeadEngagement.filter(lead_id=key_of(keep)).exists()


async def test_merge_and_candidates_cost_the_same_statements_whatever_moves(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    counts = []
    for n in (1, 20):
        keep = await lead(room, f"m{n}a@logistics.example")
        drop = await lead(room, f"m{n}b@logistics.example")
        await room.record(
            [
                {
                    "leadId": drop["id"],
                    "kind": "PAGE_VIEW",
                    "occurredAt": MONDAY.isoformat(),
                    "externalId": f"v{n}-{i}",
                }
                for i in range(n)
            ]
        )
        drop = await fresh(room, drop["id"])
        room.api.use_session(room.sessions["marketing"])
        with db.count_statements() as statements:
            done = await room.call(
                "marketing",
                MERGE,
                {
                    "survivorId": keep["id"],
                    "duplicateId": drop["id"],
                    "expectedVersions": {
                        "survivor": keep["version"],
                        "duplicate": drop["version"],
                    },
                },
            )
        assert done["userErrors"] == [], done
        counts.append(len(statements))
    # locking both, every registered table's step (a few set statements each,
    # none per row; the moved stage history settled), the aliases, the rebuild
    # and rescoring, audit and events
    assert counts == [MERGING, MERGING]

    pages = []
    for n in (2, 5):
        for i in range(n):
            await lead(
                room,
                f"pair{n}.{i}@logistics.example",
                firstName=f"P{n}{i}",
                lastName="Pair",
                company=f"Co {n}{i}",
            )
            await lead(room, f"pair{n}{i}@logistics.example")
        room.api.use_session(room.sessions["marketing"])
        with db.count_statements() as statements:
            found = (await room.api.gql(CANDIDATES, {"first": 50})).data
        assert len(found["duplicateLeadCandidates"]["edges"]) >= n
        pages.append(len(statements))
    # the page, its count, the leads of both sides, their personas (no owners)
    assert pages[0] == pages[1] == 4
