"""`moveLeadStage` and `closeLead` over SPEC §2.3's waterfall table, through the
API: who may make which move, with which reason, and what each move leaves
behind. Every refusal has its exact code and changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from server.models.core import OutboxEvent
from server.models.leads import Lead
from server.models.people import User
from tests.helpers import Api
from tests.lead_steps import (
    CLOSE,
    MOVE,
    RECORD,
    Desk,
    ago,
    events_of,
    key_of,
    refused,
    seat,
    well_fitting,
)


async def lead_in(desk: Desk, stage: str, owner: str | None = "rep") -> dict[str, Any]:
    """A lead already at ``stage``; from SAL on, worked by ``owner``.

    Stages past MQL are reached through handoffs, which these tests do not
    exercise, so the lead is put there directly.
    """
    done = await desk.upsert([well_fitting()])
    lead: dict[str, Any] = done["results"][0]["lead"]
    if stage != "NEW":
        worker = await User.get(name=owner.title()) if owner else None
        await Lead.filter(id=key_of(lead)).update(
            stage=stage, owner_id=worker.id if worker else None
        )
    return lead


async def move(
    desk: Desk, who: str, lead: dict[str, Any], stage: str, **extra: Any
) -> dict[str, Any]:
    """A move that must succeed; the lead after it."""
    done = await desk.call(who, MOVE, {"leadId": lead["id"], "stage": stage, **extra})
    assert done["userErrors"] == [], done
    moved: dict[str, Any] = done["lead"]
    assert moved["stage"] == stage
    return moved


async def refused_move(
    desk: Desk,
    who: str,
    lead: dict[str, Any],
    stage: str,
    code: str,
    field: list[str] | None = None,
    **extra: Any,
) -> None:
    await refused(
        desk, who, MOVE, {"leadId": lead["id"], "stage": stage, **extra}, code, field
    )


async def test_a_marketing_manager_qualifies_a_lead_by_hand_with_a_reason(
    api: Api,
) -> None:
    desk = await seat(api)
    await desk.activate_model()
    lead = await lead_in(desk, "NEW")

    moved = await move(desk, "marketing", lead, "MQL", reason="met them at a fair")

    assert (moved["qualified"], moved["qualifiedBy"], moved["qualifiedUnder"]) == (
        True,
        "MANUAL",
        1,
    )
    assert moved["stageHistory"][-1] == {
        "from": "NEW",
        "to": "MQL",
        "via": "MANUAL_QUALIFICATION",
        "reason": "met them at a fair",
        "actor": {"name": "Marketing"},
    }
    assert await events_of(lead) == [
        "LEAD_CREATED",
        "LEAD_QUALIFIED",
        "LEAD_STAGE_CHANGED",
    ]
    qualified = await OutboxEvent.get(kind="LEAD_QUALIFIED")
    assert qualified.payload["by"] == "MANUAL"


async def test_with_no_model_in_force_a_manual_qualification_names_no_revision(
    api: Api,
) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "NEW")

    moved = await move(desk, "marketing", lead, "MQL", reason="asked for a call")

    assert (moved["qualifiedBy"], moved["qualifiedUnder"]) == ("MANUAL", None)


@pytest.mark.parametrize(
    ("who", "code"),
    [("member", "FORBIDDEN"), ("sales", "FORBIDDEN"), ("rep", "FORBIDDEN")],
)
async def test_only_a_marketing_manager_qualifies_by_hand(
    api: Api, who: str, code: str
) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "NURTURING")

    await refused_move(desk, who, lead, "MQL", code, reason="I think so")


async def test_a_manual_qualification_needs_a_reason(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "NEW")

    await refused_move(desk, "marketing", lead, "MQL", "INVALID_INPUT", ["reason"])
    await refused_move(
        desk, "marketing", lead, "MQL", "INVALID_INPUT", ["reason"], reason="   "
    )


@pytest.mark.parametrize("who", ["admin", "leader"])
async def test_roles_the_table_never_names_are_refused_outright(
    api: Api, who: str
) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "NEW")

    await refused_move(desk, who, lead, "NURTURING", "FORBIDDEN")


@pytest.mark.parametrize("stage", ["SAL", "RECYCLED", "DISQUALIFIED"])
@pytest.mark.parametrize("who", ["member", "marketing", "sales", "rep"])
async def test_an_mql_leaves_for_sal_recycled_or_disqualified_only_by_handoff(
    api: Api, stage: str, who: str
) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "MQL")

    await refused_move(desk, who, lead, stage, "INVALID_TRANSITION", reason="why")


@pytest.mark.parametrize(
    ("start", "stage"),
    [
        ("NEW", "SAL"),
        ("NEW", "WON"),
        ("NEW", "NEW"),
        ("NURTURING", "NURTURING"),
        ("SAL", "OPPORTUNITY"),
        ("SQL", "WON"),
        ("WON", "LOST"),
        ("LOST", "NURTURING"),
        ("DISQUALIFIED", "MQL"),
        ("RECYCLED", "DISQUALIFIED"),
    ],
)
async def test_moves_outside_the_table_are_invalid_transitions(
    api: Api, start: str, stage: str
) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, start)
    who = "sales" if start in {"SAL", "SQL", "WON"} else "marketing"

    await refused_move(desk, who, lead, stage, "INVALID_TRANSITION", reason="r")


async def test_marketing_nurtures_disqualifies_pulls_back_and_recycles(
    api: Api,
) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "NEW")

    await move(desk, "member", lead, "NURTURING")
    await move(desk, "marketing", lead, "MQL", reason="hand-raise by phone")
    await move(desk, "member", lead, "NURTURING")  # the pull back
    await move(desk, "member", lead, "DISQUALIFIED")
    await move(desk, "sales", lead, "RECYCLED", reason="new budget next year")
    final = await move(desk, "member", lead, "NURTURING")

    history = final["stageHistory"]
    assert [(c["from"], c["to"], c["via"]) for c in history] == [
        (None, "NEW", "CREATED"),
        ("NEW", "NURTURING", "MOVE"),
        ("NURTURING", "MQL", "MANUAL_QUALIFICATION"),
        ("MQL", "NURTURING", "MOVE"),
        ("NURTURING", "DISQUALIFIED", "MOVE"),
        ("DISQUALIFIED", "RECYCLED", "MOVE"),
        ("RECYCLED", "NURTURING", "MOVE"),
    ]
    assert [c["actor"]["name"] for c in history] == [
        "Member",
        "Member",
        "Marketing",
        "Member",
        "Member",
        "Sales",
        "Member",
    ]
    assert [c["reason"] for c in history] == [
        None,
        None,
        "hand-raise by phone",
        None,
        None,
        "new budget next year",
        None,
    ]
    assert final["version"] == 7
    kinds = await events_of(lead)
    assert kinds.count("LEAD_STAGE_CHANGED") == 6


async def test_sales_works_a_lead_from_sal_to_won(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "SAL")

    await move(desk, "rep", lead, "SQL")
    opportunity = await move(desk, "rep", lead, "OPPORTUNITY", amount="12000.5")
    assert (opportunity["amount"], opportunity["isCustomer"]) == ("12000.50", False)
    won = await desk.call(
        "rep",
        CLOSE,
        {"leadId": lead["id"], "outcome": "WON", "amount": "15000", "recurring": True},
    )

    assert won["userErrors"] == []
    after = won["lead"]
    assert (after["stage"], after["isCustomer"]) == ("WON", True)
    assert (Decimal(after["amount"]), after["recurring"]) == (15000, True)
    assert [(c["from"], c["to"], c["via"]) for c in after["stageHistory"][1:]] == [
        ("SAL", "SQL", "MOVE"),
        ("SQL", "OPPORTUNITY", "MOVE"),
        ("OPPORTUNITY", "WON", "CLOSE"),
    ]


async def test_a_sales_manager_may_move_a_lead_a_rep_does_not_work(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "SQL", owner=None)

    await refused_move(desk, "rep", lead, "OPPORTUNITY", "FORBIDDEN")
    await refused_move(desk, "member", lead, "OPPORTUNITY", "FORBIDDEN")
    await move(desk, "sales", lead, "OPPORTUNITY")


async def test_a_lead_is_lost_from_sql_or_opportunity(api: Api) -> None:
    desk = await seat(api)
    sql = await lead_in(desk, "SQL")
    done = await desk.call("rep", CLOSE, {"leadId": sql["id"], "outcome": "LOST"})
    assert done["lead"]["stage"] == "LOST"
    assert done["lead"]["stageHistory"][-1]["via"] == "CLOSE"


async def test_closing_is_for_sales_and_only_from_the_table(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "SQL")
    won = {"leadId": lead["id"], "outcome": "WON"}

    await refused(desk, "rep", CLOSE, won, "INVALID_TRANSITION")
    await refused(desk, "marketing", CLOSE, won, "FORBIDDEN")
    await refused(desk, "admin", CLOSE, won, "FORBIDDEN")


async def test_a_rep_not_working_the_lead_may_not_close_it(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "OPPORTUNITY", owner="sales")

    await refused(
        desk, "rep", CLOSE, {"leadId": lead["id"], "outcome": "LOST"}, "FORBIDDEN"
    )


@pytest.mark.parametrize(
    ("start", "stage", "extra"),
    [
        ("SAL", "SQL", {"amount": "100"}),
        ("SAL", "SQL", {"recurring": True}),
        ("NEW", "NURTURING", {"amount": "1"}),
        ("SQL", "LOST", {"amount": "500"}),  # lost before there was a deal
    ],
)
async def test_amount_and_recurring_are_set_only_from_opportunity_on(
    api: Api, start: str, stage: str, extra: dict[str, Any]
) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, start)
    who = "rep" if start in ("SAL", "SQL") else "member"
    field = [next(iter(extra))]

    await refused_move(desk, who, lead, stage, "INVALID_INPUT", field, **extra)


async def test_a_negative_amount_is_refused(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "SQL")

    await refused_move(
        desk, "rep", lead, "OPPORTUNITY", "INVALID_INPUT", ["amount"], amount="-1"
    )


@pytest.mark.parametrize("start", ["LOST", "DISQUALIFIED"])
async def test_reopening_needs_a_manager_and_a_reason(api: Api, start: str) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, start)

    await refused_move(desk, "marketing", lead, "RECYCLED", "INVALID_INPUT", ["reason"])
    await refused_move(desk, "member", lead, "RECYCLED", "FORBIDDEN", reason="again")
    await refused_move(desk, "rep", lead, "RECYCLED", "FORBIDDEN", reason="again")
    reopened = await move(desk, "sales", lead, "RECYCLED", reason="they called back")

    assert reopened["stageHistory"][-1]["reason"] == "they called back"


async def test_a_won_customer_returns_to_nurturing_for_an_upsell_with_a_reason(
    api: Api,
) -> None:
    desk = await seat(api)
    await desk.activate_model()
    lead = await lead_in(desk, "OPPORTUNITY")
    won = await desk.call("rep", CLOSE, {"leadId": lead["id"], "outcome": "WON"})
    assert won["lead"]["isCustomer"] is True

    await refused_move(
        desk, "marketing", lead, "NURTURING", "INVALID_INPUT", ["reason"]
    )
    await refused_move(desk, "sales", lead, "NURTURING", "FORBIDDEN", reason="upsell")
    await refused_move(desk, "member", lead, "NURTURING", "FORBIDDEN", reason="upsell")
    upsell = await move(desk, "marketing", lead, "NURTURING", reason="add-on launch")

    assert (upsell["isCustomer"], upsell["qualified"]) == (True, False)
    assert upsell["stageHistory"][-1]["reason"] == "add-on launch"
    # a new cycle: the customer qualifies again only on new activities
    done = await desk.record(
        [{"leadId": lead["id"], "kind": "DEMO_REQUEST", "occurredAt": ago(3)}]
    )
    assert done["results"][0]["lead"]["stage"] == "NURTURING"


async def test_a_stale_expected_version_is_a_conflict(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "NEW")
    await move(desk, "member", lead, "NURTURING", expectedVersion=1)

    await refused_move(
        desk,
        "member",
        lead,
        "DISQUALIFIED",
        "CONFLICT",
        ["expectedVersion"],
        expectedVersion=1,
    )
    await move(desk, "member", lead, "DISQUALIFIED", expectedVersion=2)


async def test_a_qualification_meanwhile_makes_the_version_seen_stale(
    api: Api,
) -> None:
    desk = await seat(api)
    await desk.activate_model()
    lead = await lead_in(desk, "NEW")
    seen = lead["version"]
    demo = {"leadId": lead["id"], "kind": "DEMO_REQUEST", "occurredAt": ago(0.1)}
    qualified = await desk.call("member", RECORD, {"activities": [demo]})
    assert qualified["results"][0]["lead"]["stage"] == "MQL"

    # a move decided on the NEW lead would now pull an MQL back
    await refused_move(
        desk,
        "member",
        lead,
        "NURTURING",
        "CONFLICT",
        ["expectedVersion"],
        expectedVersion=seen,
    )


async def test_an_unknown_lead_or_a_reason_too_long_is_refused(api: Api) -> None:
    desk = await seat(api)
    lead = await lead_in(desk, "NEW")
    from server.services.core import ids

    gone = {**lead, "id": ids.encode("Lead", 999)}
    await refused_move(desk, "member", gone, "NURTURING", "NOT_FOUND", ["leadId"])
    garbage = {**lead, "id": "nonsense"}
    await refused_move(desk, "member", garbage, "NURTURING", "INVALID_INPUT")
    await refused_move(
        desk,
        "member",
        lead,
        "NURTURING",
        "INVALID_INPUT",
        ["reason"],
        reason="x" * 2001,
    )


async def test_a_closed_lead_keeps_scoring_but_does_not_qualify_again(
    api: Api,
) -> None:
    desk = await seat(api)
    await desk.activate_model()
    lead = await lead_in(desk, "LOST")
    # when a lost lead asks for a demo (a hand-raise that would qualify it)
    await desk.record(
        [{"leadId": lead["id"], "kind": "DEMO_REQUEST", "occurredAt": ago(0)}]
    )
    # then its score follows, but it is not counted as newly qualified
    stored = await Lead.get(id=key_of(lead))
    assert (stored.stage, stored.qualified, stored.qualified_at) == (
        "LOST",
        False,
        None,
    )
    assert stored.scored_under is not None
    assert "LEAD_QUALIFIED" not in await events_of(lead)
