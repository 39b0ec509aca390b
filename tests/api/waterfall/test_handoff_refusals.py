"""Every handoff refusal has its exact code, is audited and changes nothing; an
idempotent replay returns the first result and writes nothing more."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from server.clock import clock
from server.models.core import AuditEntry
from server.services.core import ids
from tests.handoff_steps import (
    ACCEPT,
    FOLLOW_UP,
    HAND_OFF,
    REASSIGN,
    REJECT,
    Floor,
    berlin,
    floor,
    handoff_snapshot,
    refused,
    user_id,
)
from tests.helpers import Api, make_user
from tests.lead_steps import well_fitting

MONDAY = berlin(2026, 11, 23, 10, 0)


async def ready(api: Api) -> Floor:
    """Monday morning, a qualification model and the SLA in force."""
    clock.set(MONDAY)
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla()
    return room


async def handed_off(room: Floor, email: str = "ana@logistics.example") -> Any:
    """A qualified lead handed to the rep; the lead id and the handoff."""
    lead_id = await room.qualified_lead(email)
    done = await room.hand_off(lead_id, assigneeId=await user_id("rep"))
    assert done["userErrors"] == [], done
    return lead_id, done["handoff"]


async def unqualified_lead(room: Floor) -> str:
    """A lead that fits but has not qualified: NEW."""
    done = await room.upsert([well_fitting("cold@logistics.example")])
    lead = done["results"][0]["lead"]
    assert (lead["stage"], lead["qualified"]) == ("NEW", False), lead
    return str(lead["id"])


def reject(handoff: dict[str, Any], reason: str = "NO_BUDGET", **extra: Any) -> Any:
    return {
        "handoffId": handoff["id"],
        "reason": reason,
        "disposition": "RECYCLE",
        **extra,
    }


# ---- handing off ------------------------------------------------------------------


async def test_an_unqualified_lead_without_an_override_is_not_qualified(
    api: Api,
) -> None:
    room = await ready(api)
    lead_id = await unqualified_lead(room)
    rep = await user_id("rep")
    for who in ("member", "marketing"):
        await refused(
            room,
            who,
            HAND_OFF,
            {"leadId": lead_id, "assigneeId": rep},
            "NOT_QUALIFIED",
            ["leadId"],
        )


async def test_a_second_handoff_of_a_lead_returns_the_open_one(api: Api) -> None:
    # given a lead handed to the rep
    room = await ready(api)
    lead_id, handoff = await handed_off(room)
    before = await handoff_snapshot()
    # when marketing hands it off again, to someone else
    done = await room.hand_off(lead_id, assigneeId=await user_id("sales2"))
    # then it is ALREADY_HANDED_OFF, with the open handoff, and nothing changed
    assert [(e["code"], e["field"]) for e in done["userErrors"]] == [
        ("ALREADY_HANDED_OFF", ["leadId"])
    ]
    assert done["handoff"]["id"] == handoff["id"]
    assert done["handoff"]["assignee"]["name"] == "Rep"
    assert await handoff_snapshot() == before
    latest = await AuditEntry.all().order_by("-id").first()
    assert latest is not None and latest.outcome == "ALREADY_HANDED_OFF"


async def test_a_lead_past_mql_cannot_be_handed_off_even_with_an_override(
    api: Api,
) -> None:
    # given a lead sales accepted (SAL)
    room = await ready(api)
    lead_id, handoff = await handed_off(room)
    await room.call("rep", ACCEPT, {"handoffId": handoff["id"]})
    rep = await user_id("rep")
    await refused(
        room,
        "member",
        HAND_OFF,
        {"leadId": lead_id, "assigneeId": rep},
        "INVALID_TRANSITION",
        ["leadId"],
    )
    await refused(
        room,
        "marketing",
        HAND_OFF,
        {"leadId": lead_id, "assigneeId": rep, "overrideReason": "ask again"},
        "INVALID_TRANSITION",
        ["leadId"],
    )


async def test_only_a_marketing_manager_may_give_an_override_reason(
    api: Api,
) -> None:
    room = await ready(api)
    rep = await user_id("rep")
    cold = await unqualified_lead(room)
    warm = await room.qualified_lead()
    for lead_id in (cold, warm):
        await refused(
            room,
            "member",
            HAND_OFF,
            {"leadId": lead_id, "assigneeId": rep, "overrideReason": "trust me"},
            "FORBIDDEN",
            ["overrideReason"],
        )


async def test_sales_leadership_and_admins_may_never_hand_off(api: Api) -> None:
    room = await ready(api)
    lead_id = await room.qualified_lead()
    for who in ("rep", "sales", "leader", "admin"):
        await refused(
            room,
            who,
            HAND_OFF,
            {"leadId": lead_id, "assigneeId": await user_id("rep")},
            "FORBIDDEN",
        )


async def test_an_empty_routing_pool_is_invalid_input(api: Api) -> None:
    # given every sales user out of the pool: out of office, not accepting leads
    room = await ready(api)
    await room.change_user("rep", outOfOffice=True)
    await room.change_user("sales", acceptsLeads=False)
    await room.change_user("sales2", active=False)
    lead_id = await room.qualified_lead()
    # when marketing hands off without naming anyone
    await refused(
        room, "member", HAND_OFF, {"leadId": lead_id}, "INVALID_INPUT", ["assigneeId"]
    )


async def test_a_named_assignee_must_be_an_active_sales_user_in_office(
    api: Api,
) -> None:
    room = await ready(api)
    lead_id = await room.qualified_lead()
    await room.change_user("rep", outOfOffice=True)
    await room.change_user("sales2", active=False)
    sales_admin = await make_user("sid@example.com", "SALES", "ADMIN", name="Sid")
    for name in ("rep", "sales2", "marketing", "leader", sales_admin.name):
        await refused(
            room,
            "member",
            HAND_OFF,
            {"leadId": lead_id, "assigneeId": await user_id(name)},
            "INVALID_INPUT",
            ["assigneeId"],
        )


async def test_an_unknown_lead_or_assignee_is_not_found(api: Api) -> None:
    room = await ready(api)
    lead_id = await room.qualified_lead()
    gone = ids.encode("User", 9999)
    await refused(
        room,
        "member",
        HAND_OFF,
        {"leadId": lead_id, "assigneeId": gone},
        "NOT_FOUND",
        ["assigneeId"],
    )


# ---- deciding ---------------------------------------------------------------------


async def test_a_handoff_is_accepted_only_once(api: Api) -> None:
    room = await ready(api)
    _, handoff = await handed_off(room)
    done = await room.call("rep", ACCEPT, {"handoffId": handoff["id"]})
    assert done["userErrors"] == [], done
    for who in ("rep", "sales"):
        await refused(
            room, who, ACCEPT, {"handoffId": handoff["id"]}, "ALREADY_DECIDED"
        )
    await refused(room, "rep", REJECT, reject(handoff), "ALREADY_DECIDED")


async def test_a_rejected_handoff_cannot_be_accepted_or_reassigned(api: Api) -> None:
    room = await ready(api)
    _, handoff = await handed_off(room)
    done = await room.call("rep", REJECT, reject(handoff))
    assert done["userErrors"] == [], done
    await refused(room, "rep", ACCEPT, {"handoffId": handoff["id"]}, "ALREADY_DECIDED")
    await refused(
        room,
        "sales",
        REASSIGN,
        {"handoffId": handoff["id"], "assigneeId": await user_id("sales2")},
        "ALREADY_DECIDED",
    )


async def test_a_rep_may_not_decide_someone_elses_handoff(api: Api) -> None:
    # given a handoff to a sales manager, and another rep
    room = await ready(api)
    lead_id = await room.qualified_lead()
    done = await room.hand_off(lead_id, assigneeId=await user_id("sales2"))
    handoff = done["handoff"]
    # then the rep may neither accept nor reject it, told who may (in the same
    # words as a role that never may: "… is for the assignee or a sales manager")
    for document, input_ in (
        (ACCEPT, {"handoffId": handoff["id"]}),
        (REJECT, reject(handoff)),
    ):
        errors = await refused(room, "rep", document, input_, "FORBIDDEN")
        assert [e["message"] for e in errors] == [
            "only the assignee or a sales manager may accept or reject this handoff"
        ]


async def test_marketing_leadership_and_admins_may_never_decide(api: Api) -> None:
    room = await ready(api)
    _, handoff = await handed_off(room)
    for who in ("member", "marketing", "leader", "admin"):
        accept = await refused(
            room, who, ACCEPT, {"handoffId": handoff["id"]}, "FORBIDDEN"
        )
        rejected = await refused(room, who, REJECT, reject(handoff), "FORBIDDEN")
        assert [e["message"] for e in accept + rejected] == [
            "acceptHandoff is for the assignee or a sales manager",
            "rejectHandoff is for the assignee or a sales manager",
        ]


async def test_a_rejection_for_another_reason_needs_a_comment(api: Api) -> None:
    room = await ready(api)
    _, handoff = await handed_off(room)
    for comment in (None, "   "):
        await refused(
            room,
            "rep",
            REJECT,
            reject(handoff, "OTHER", comment=comment),
            "INVALID_INPUT",
            ["comment"],
        )


async def test_only_sales_managers_reassign_and_never_to_the_same_person(
    api: Api,
) -> None:
    room = await ready(api)
    _, handoff = await handed_off(room)
    to_sales2 = {"handoffId": handoff["id"], "assigneeId": await user_id("sales2")}
    for who in ("rep", "marketing"):
        await refused(room, who, REASSIGN, to_sales2, "FORBIDDEN")
    to_rep = {"handoffId": handoff["id"], "assigneeId": await user_id("rep")}
    await refused(room, "sales", REASSIGN, to_rep, "INVALID_INPUT", ["assigneeId"])


# ---- following up -----------------------------------------------------------------


def call(lead_id: str, **extra: Any) -> dict[str, Any]:
    return {"leadId": lead_id, "channel": "CALL", "outcome": "ATTEMPTED", **extra}


async def test_a_follow_up_on_a_lead_never_handed_off_is_an_invalid_transition(
    api: Api,
) -> None:
    room = await ready(api)
    lead_id = await room.qualified_lead()
    await refused(
        room, "sales", FOLLOW_UP, call(lead_id), "INVALID_TRANSITION", ["leadId"]
    )


async def test_a_follow_up_must_lie_between_the_handoff_and_now(api: Api) -> None:
    room = await ready(api)
    lead_id, _ = await handed_off(room)
    for moment in (MONDAY - timedelta(minutes=5), clock.now() + timedelta(hours=1)):
        await refused(
            room,
            "rep",
            FOLLOW_UP,
            call(lead_id, occurredAt=moment.isoformat()),
            "INVALID_INPUT",
            ["occurredAt"],
        )


async def test_only_sales_users_working_the_lead_record_follow_ups(api: Api) -> None:
    # given a lead handed to a sales manager
    room = await ready(api)
    lead_id = await room.qualified_lead()
    await room.hand_off(lead_id, assigneeId=await user_id("sales2"))
    # then a rep not working it is refused, and marketing may never
    await refused(room, "rep", FOLLOW_UP, call(lead_id), "FORBIDDEN")
    for who in ("member", "marketing", "admin"):
        await refused(room, who, FOLLOW_UP, call(lead_id), "FORBIDDEN")


# ---- idempotency ------------------------------------------------------------------


async def test_a_handoff_replayed_with_its_key_returns_the_first_and_writes_nothing(
    api: Api,
) -> None:
    # given a handoff made with an idempotency key
    room = await ready(api)
    lead_id = await room.qualified_lead()
    sent = {"assigneeId": await user_id("rep"), "idempotencyKey": "hand-1"}
    first = await room.hand_off(lead_id, **sent)
    assert first["userErrors"] == [], first
    before = await handoff_snapshot()
    audited = await AuditEntry.all().count()
    # when the same request is sent again, an hour later
    clock.set(MONDAY + timedelta(hours=1))
    again = await room.hand_off(lead_id, **sent)
    # then it answers the first handoff and writes nothing more
    assert again["userErrors"] == [], again
    assert again["handoff"]["id"] == first["handoff"]["id"]
    assert await handoff_snapshot() == before
    assert await AuditEntry.all().count() == audited


async def test_a_follow_up_replayed_with_its_key_returns_the_first_and_writes_nothing(
    api: Api,
) -> None:
    room = await ready(api)
    lead_id, handoff = await handed_off(room)
    first = await room.follow_up(lead_id, idempotencyKey="call-1")
    assert first["userErrors"] == [], first
    before = await handoff_snapshot()
    clock.set(MONDAY + timedelta(minutes=30))
    again = await room.follow_up(lead_id, idempotencyKey="call-1")
    assert again["userErrors"] == [], again
    assert again["followUp"] == first["followUp"]
    assert await handoff_snapshot() == before
    assert (await room.handoff(handoff["id"]))["touchAttempts"] == 1


async def test_a_follow_up_replayed_with_its_instant_in_another_offset_is_a_replay(
    api: Api,
) -> None:
    # given a follow-up dated 10:05 Berlin time, sent with a key
    room = await ready(api)
    lead_id, _ = await handed_off(room)
    clock.set(MONDAY + timedelta(minutes=30))
    when = MONDAY + timedelta(minutes=5)
    first = await room.follow_up(
        lead_id, idempotencyKey="call-2", occurredAt=when.isoformat()
    )
    assert first["userErrors"] == [], first
    before = await handoff_snapshot()
    # when it is sent again with the same instant written in UTC
    again = await room.follow_up(
        lead_id, idempotencyKey="call-2", occurredAt=when.astimezone(UTC).isoformat()
    )
    # then it is the same request: the first follow-up, nothing written
    assert again["userErrors"] == [], again
    assert again["followUp"]["id"] == first["followUp"]["id"]
    assert await handoff_snapshot() == before


async def test_a_key_reused_with_a_different_input_is_a_conflict(api: Api) -> None:
    room = await ready(api)
    lead_id = await room.qualified_lead()
    rep = await user_id("rep")
    first = await room.hand_off(lead_id, assigneeId=rep, idempotencyKey="k")
    assert first["userErrors"] == [], first
    await refused(
        room,
        "member",
        HAND_OFF,
        {"leadId": lead_id, "assigneeId": rep, "idempotencyKey": "k", "note": "!"},
        "CONFLICT",
        ["idempotencyKey"],
    )
    done = await room.follow_up(lead_id, idempotencyKey="f")
    assert done["userErrors"] == [], done
    await refused(
        room,
        "rep",
        FOLLOW_UP,
        call(lead_id, idempotencyKey="f", outcome="CONNECTED"),
        "CONFLICT",
        ["idempotencyKey"],
    )
