"""`recordLeadActivities` end to end: naming leads, idempotency, per-row refusals,
and the scores, qualifications and cycles activities drive (SPEC §2.2, §2.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from server.clock import clock
from server.models.core import AuditEntry, OutboxEvent
from server.models.leads import LeadActivity
from tests.helpers import Api
from tests.lead_steps import (
    MOVE,
    NODE,
    RECORD,
    UPDATE,
    Desk,
    ago,
    events_of,
    key_of,
    refused,
    seat,
    well_fitting,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def new_lead(desk: Desk, **fields: Any) -> dict[str, Any]:
    done = await desk.upsert([well_fitting(**fields)])
    lead: dict[str, Any] = done["results"][0]["lead"]
    return lead


def demo(lead: dict[str, Any], at: str, **extra: Any) -> dict[str, Any]:
    return {"leadId": lead["id"], "kind": "DEMO_REQUEST", "occurredAt": at, **extra}


def pricing(lead: dict[str, Any], at: str, **extra: Any) -> dict[str, Any]:
    return {"leadId": lead["id"], "kind": "PRICING_VIEW", "occurredAt": at, **extra}


async def scored_desk(api: Api) -> Desk:
    """At a fixed instant, with the test model in force."""
    clock.set(START)
    desk = await seat(api)
    await desk.activate_model()
    return desk


async def test_an_activity_names_its_lead_by_id_or_by_email(api: Api) -> None:
    desk = await seat(api)
    lead = await new_lead(desk)

    done = await desk.record(
        [
            pricing(lead, ago(1)),
            {
                "leadEmail": "  ANA@Logistics.Example",
                "kind": "EMAIL_CLICK",
                "occurredAt": ago(2),
                "source": "newsletter",
                "metadata": {"campaign": "spring", "links": [1, 2]},
            },
        ]
    )

    results = done["results"]
    assert [(r["index"], r["created"], r["userErrors"]) for r in results] == [
        (0, True, []),
        (1, True, []),
    ]
    assert {r["lead"]["id"] for r in results} == {lead["id"]}
    stored = await LeadActivity.filter(lead_id=key_of(lead)).order_by("occurred_at")
    assert [(a.kind, a.source, a.metadata) for a in stored] == [
        ("EMAIL_CLICK", "newsletter", {"campaign": "spring", "links": [1, 2]}),
        ("PRICING_VIEW", None, None),
    ]
    assert done["summary"] == {
        "received": 2,
        "created": 2,
        "duplicates": 0,
        "failed": 0,
        "qualified": 0,
    }


async def test_an_activity_with_an_external_id_is_recorded_once(api: Api) -> None:
    desk = await scored_desk(api)
    lead = await new_lead(desk)
    first = pricing(lead, ago(1), externalId="pv-1")
    # the sender's retry after a timeout, with its clock a little off
    retry = pricing(lead, ago(1, minutes=3), externalId="pv-1")

    once = await desk.record([first, retry])
    again = await desk.record([retry])

    assert [r["created"] for r in once["results"]] == [True, False]
    assert [r["created"] for r in again["results"]] == [False]
    assert await LeadActivity.filter(lead_id=key_of(lead)).count() == 1
    assert once["summary"]["duplicates"] == 1 and again["summary"]["duplicates"] == 1
    scores = [
        r["lead"]["engagementScore"] for r in (*once["results"], *again["results"])
    ]
    assert len(set(scores)) == 1 and Decimal(scores[0]) > Decimal("9.5")


async def test_an_activity_without_an_external_id_is_recorded_once_too(
    api: Api,
) -> None:
    desk = await seat(api)
    lead = await new_lead(desk)
    at = ago(1)

    await desk.record([pricing(lead, at, source="web")])
    again = await desk.record(
        [
            pricing(lead, at, source="web", metadata={"page": "/pricing"}),
            pricing(lead, at, source="app"),
            pricing(lead, ago(2), source="web"),
        ]
    )

    # the same kind, instant and source is the same activity; any other is new
    assert [r["created"] for r in again["results"]] == [False, True, True]
    assert await LeadActivity.filter(lead_id=key_of(lead)).count() == 3


async def test_an_unknown_lead_is_not_found_per_row_and_the_rest_lands(
    api: Api,
) -> None:
    desk = await seat(api)
    lead = await new_lead(desk)
    gone = {**pricing(lead, ago(1)), "leadId": lead["id"][:-2] + "xx"}
    other_type = {**pricing(lead, ago(1)), "leadId": desk_user_id()}

    done = await desk.record(
        [
            {
                "leadEmail": "nobody@example.com",
                "kind": "PAGE_VIEW",
                "occurredAt": ago(1),
            },
            pricing(lead, ago(1)),
            gone,
            other_type,
            {"leadEmail": "no-at-sign", "kind": "PAGE_VIEW", "occurredAt": ago(1)},
        ]
    )

    errors = [
        [(e["code"], e["field"]) for e in r["userErrors"]] for r in done["results"]
    ]
    assert errors == [
        [("NOT_FOUND", ["activities", "0", "leadEmail"])],
        [],
        [("INVALID_INPUT", ["activities", "2", "leadId"])],
        [("INVALID_INPUT", ["activities", "3", "leadId"])],
        [("INVALID_INPUT", ["activities", "4", "leadEmail"])],
    ]
    assert [r["lead"] is None for r in done["results"]] == [
        True,
        False,
        True,
        True,
        True,
    ]
    assert await LeadActivity.all().count() == 1
    assert done["summary"]["failed"] == 4


def desk_user_id() -> str:
    from server.services.core import ids

    return ids.encode("User", 1)


async def test_a_lead_id_of_a_lead_that_does_not_exist_is_not_found(api: Api) -> None:
    from server.services.core import ids

    desk = await seat(api)
    await new_lead(desk)

    done = await desk.record(
        [{"leadId": ids.encode("Lead", 999), "kind": "PAGE_VIEW", "occurredAt": ago(0)}]
    )

    [row] = done["results"]
    assert [(e["code"], e["field"]) for e in row["userErrors"]] == [
        ("NOT_FOUND", ["activities", "0", "leadId"])
    ]


async def test_the_future_and_oversized_metadata_are_refused_per_row(
    api: Api,
) -> None:
    desk = await seat(api)
    lead = await new_lead(desk)
    big = {"blob": "x" * 4090}  # 4,101 bytes as compact JSON
    fits = {"blob": "x" * 4084}  # exactly 4,096

    done = await desk.record(
        [
            pricing(lead, ago(minutes=-6)),
            pricing(lead, ago(minutes=-4)),
            pricing(lead, ago(1), metadata=big),
            pricing(lead, ago(2), metadata=fits),
        ]
    )

    errors = [
        [(e["code"], e["field"]) for e in r["userErrors"]] for r in done["results"]
    ]
    assert errors == [
        [("INVALID_INPUT", ["activities", "0", "occurredAt"])],
        [],
        [("INVALID_INPUT", ["activities", "2", "metadata"])],
        [],
    ]
    assert [r["created"] for r in done["results"]] == [False, True, False, True]
    assert await LeadActivity.all().count() == 2


async def test_more_than_1000_activities_are_refused_whole(api: Api) -> None:
    desk = await seat(api)
    lead = await new_lead(desk)
    rows = [pricing(lead, ago(minutes=n)) for n in range(1001)]

    errors = await refused(
        desk, "member", RECORD, {"activities": rows}, "LIMIT_EXCEEDED", ["activities"]
    )

    assert len(errors) == 1
    assert await LeadActivity.all().count() == 0


async def test_a_retried_call_changes_nothing_and_answers_alike(api: Api) -> None:
    desk = await scored_desk(api)
    lead = await new_lead(desk)
    batch = [
        pricing(lead, ago(3), externalId="a"),
        pricing(lead, ago(1)),
        demo(lead, ago(0.5), externalId="d"),
    ]
    first = await desk.record(batch)
    events = await OutboxEvent.all().count()

    again = await desk.record(batch)

    assert [r["created"] for r in again["results"]] == [False, False, False]
    assert again["summary"]["qualified"] == 0
    assert await OutboxEvent.all().count() == events
    assert await LeadActivity.all().count() == 3
    assert again["results"][0]["lead"] == first["results"][0]["lead"]
    assert await AuditEntry.filter(action="recordLeadActivities").count() == 2


async def test_a_demo_request_from_a_fitting_lead_qualifies_it_explaining_every_point(
    api: Api,
) -> None:
    desk = await scored_desk(api)
    lead = await new_lead(desk)
    assert (lead["score"], lead["stage"]) == (35, "NEW")

    done = await desk.record(
        [
            pricing(lead, ago(14), externalId="pv"),
            demo(lead, ago(hours=2), externalId="demo-1"),
        ]
    )

    after = done["results"][1]["lead"]
    assert done["summary"]["qualified"] == 1
    assert (after["stage"], after["qualified"]) == ("MQL", True)
    assert (after["qualifiedBy"], after["qualifiedUnder"]) == ("ACTIVITY", 1)
    assert after["qualifiedAt"] is not None
    breakdown = after["scoreBreakdown"]
    assert [(e["label"], e["kind"]) for e in breakdown] == [
        ("Mid-size", "FIT"),
        ("Logistics", "FIT"),
        ("Pricing view", "ENGAGEMENT"),
        ("Hand-raise: demo request", "HAND_RAISE"),
    ]
    points = [Decimal(e["points"]) for e in breakdown]
    assert points[:2] == [20, 15] and points[3] == 0
    assert Decimal("4.99") < points[2] <= 5  # 10 points, halved after 14 days
    assert sum(points) == Decimal(after["rawScore"])
    assert Decimal(after["fitScore"]) == 35
    assert Decimal(after["engagementScore"]) == points[2]
    assert after["score"] == 40 and after["grade"] == "A"
    details = [e["detail"] for e in breakdown]
    assert details[0] == "companySize is between 200 and 2000: the lead's is 500"
    assert details[1] == "industry is one of Logistics: the lead's is Logistics"
    assert details[2].startswith("1 activity × 10 points, halving every 14 days")
    assert "within 7 days: qualifies at once" in details[3]
    assert after["stageHistory"][-1] == {
        "from": "NEW",
        "to": "MQL",
        "via": "QUALIFICATION",
        "reason": "hand-raise: DEMO_REQUEST",
        "actor": None,
    }
    assert await events_of(lead) == [
        "LEAD_CREATED",
        "LEAD_QUALIFIED",
        "LEAD_STAGE_CHANGED",
    ]
    qualified = await OutboxEvent.get(kind="LEAD_QUALIFIED")
    assert qualified.payload == {"by": "ACTIVITY", "under": 1, "score": 40}


async def test_a_demo_request_from_a_poorly_fitting_lead_does_not_qualify_it(
    api: Api,
) -> None:
    clock.set(START)
    desk = await seat(api)
    await desk.activate_model(minFitScore=30)
    lead = await new_lead(desk, email="tiny@example.com", companySize=5)

    done = await desk.record([demo(lead, ago(hours=1))])

    after = done["results"][0]["lead"]
    assert (after["stage"], after["qualified"], after["score"]) == ("NEW", False, 15)
    assert after["scoreBreakdown"][-1]["kind"] == "HAND_RAISE"
    assert "fit 15 is below the minimum 30" in after["scoreBreakdown"][-1]["detail"]


async def test_with_no_model_in_force_nothing_is_scored_or_qualified(
    api: Api,
) -> None:
    desk = await seat(api)
    lead = await new_lead(desk)

    done = await desk.record([demo(lead, ago(hours=1)), pricing(lead, ago(1))])

    after = done["results"][0]["lead"]
    assert after["score"] is None and after["scoreBreakdown"] == []
    assert (after["stage"], after["qualified"], after["version"]) == ("NEW", False, 1)
    assert done["summary"]["qualified"] == 0
    assert await events_of(lead) == ["LEAD_CREATED"]


async def qualified_lead(desk: Desk) -> dict[str, Any]:
    lead = await new_lead(desk)
    done = await desk.record(
        [
            pricing(lead, ago(2), externalId="old-pv"),
            demo(lead, ago(1), externalId="old"),
        ]
    )
    qualified: dict[str, Any] = done["results"][1]["lead"]
    assert qualified["stage"] == "MQL"
    return qualified


async def test_a_lead_pulled_back_to_nurturing_does_not_requalify_on_old_activities(
    api: Api,
) -> None:
    desk = await scored_desk(api)
    lead = await qualified_lead(desk)
    moved = await desk.call(
        "member", MOVE, {"leadId": lead["id"], "stage": "NURTURING"}
    )
    assert moved["userErrors"] == []
    assert (moved["lead"]["qualified"], moved["lead"]["qualifiedBy"]) == (False, None)
    assert moved["lead"]["score"] == 35  # fit only: the new cycle has no activity
    clock.advance(3600)

    # when the old activities arrive again, also under new ids
    replayed = await desk.record(
        [
            pricing(lead, ago(2, hours=1), externalId="old-pv"),
            demo(lead, ago(1, hours=1), externalId="old"),
            demo(lead, ago(hours=1, seconds=1), externalId="just-before"),
        ]
    )

    # then they do not count in the new cycle
    assert [r["created"] for r in replayed["results"]] == [False, False, True]
    after = replayed["results"][0]["lead"]
    assert (after["stage"], after["qualified"], after["score"]) == (
        "NURTURING",
        False,
        35,
    )
    assert replayed["summary"]["qualified"] == 0

    # when a new demo request comes after the cycle began
    fresh = await desk.record([demo(lead, ago(minutes=5), externalId="new")])

    # then it qualifies again
    again = fresh["results"][0]["lead"]
    assert (again["stage"], again["qualified"], again["qualifiedBy"]) == (
        "MQL",
        True,
        "ACTIVITY",
    )
    assert [(c["from"], c["to"]) for c in again["stageHistory"]] == [
        (None, "NEW"),
        ("NEW", "MQL"),
        ("MQL", "NURTURING"),
        ("NURTURING", "MQL"),
    ]


async def test_a_recycled_lead_requalifies_only_on_activities_of_its_new_cycle(
    api: Api,
) -> None:
    desk = await scored_desk(api)
    lead = await new_lead(desk)
    await desk.record([demo(lead, ago(20), externalId="stale-demo")])
    out = await desk.call(
        "member", MOVE, {"leadId": lead["id"], "stage": "DISQUALIFIED"}
    )
    assert out["userErrors"] == []
    back = await desk.call(
        "marketing",
        MOVE,
        {"leadId": lead["id"], "stage": "RECYCLED", "reason": "new budget"},
    )
    assert back["lead"]["stage"] == "RECYCLED"
    clock.advance(60)

    old = await desk.record([demo(lead, ago(3), externalId="before-recycling")])
    assert old["results"][0]["lead"]["stage"] == "RECYCLED"
    new = await desk.record([demo(lead, ago(seconds=30), externalId="after")])

    after = new["results"][0]["lead"]
    assert (after["stage"], after["qualifiedBy"]) == ("MQL", "ACTIVITY")
    assert after["stageHistory"][-1]["from"] == "RECYCLED"


async def test_pricing_views_qualify_by_score_and_their_points_are_capped(
    api: Api,
) -> None:
    desk = await scored_desk(api)
    lead = await new_lead(desk)

    done = await desk.record(
        [pricing(lead, ago(minutes=n), externalId=f"pv{n}") for n in range(1, 6)]
    )

    after = done["results"][0]["lead"]
    engagement = [e for e in after["scoreBreakdown"] if e["kind"] == "ENGAGEMENT"]
    assert [Decimal(e["points"]) for e in engagement] == [30]
    assert engagement[0]["detail"].endswith("capped at 30")
    assert (after["score"], after["stage"]) == (65, "MQL")
    assert after["stageHistory"][-1]["reason"] == "score 65 reached the threshold"


async def store_managers(desk: Desk) -> str:
    """A persona in force that the well-fitting lead does not match."""
    return await desk.activate_persona(
        name="Store manager",
        industries=["Retail"],
        jobTitles=["Store"],
        companySizeMin=None,
        companySizeMax=None,
    )


async def test_a_lead_is_matched_to_its_persona_unless_one_is_set_by_hand(
    api: Api,
) -> None:
    desk = await seat(api)
    ops = await desk.activate_persona()
    retail = await store_managers(desk)
    lead = await new_lead(desk)
    assert (lead["persona"], lead["personaSetByHand"]) == ({"id": ops}, False)

    # when marketing sets another persona by hand
    by_hand = await desk.call(
        "member",
        UPDATE,
        {"id": lead["id"], "expectedVersion": lead["version"], "persona": retail},
    )
    assert by_hand["userErrors"] == []
    assert (by_hand["lead"]["persona"], by_hand["lead"]["personaSetByHand"]) == (
        {"id": retail},
        True,
    )

    # then a sync changing the lead keeps it
    synced = await desk.upsert([{"email": lead["email"], "jobTitle": "Head of Ops"}])
    kept = synced["results"][0]["lead"]
    assert (kept["persona"], kept["personaSetByHand"]) == ({"id": retail}, True)

    # and returning to matching picks the best fit again
    auto = await desk.call(
        "member",
        UPDATE,
        {"id": lead["id"], "expectedVersion": kept["version"], "persona": None},
    )
    assert (auto["lead"]["persona"], auto["lead"]["personaSetByHand"]) == (
        {"id": ops},
        False,
    )


async def test_a_persona_set_by_hand_counts_in_the_score(api: Api) -> None:
    desk = await seat(api)
    retail = await store_managers(desk)
    persona_rule = {
        "field": "persona",
        "operator": "EQ",
        "values": [retail],
        "points": 5,
        "label": "Store persona",
    }
    await desk.activate_model(
        fitRules=[persona_rule], engagementRules=[], mqlThreshold=100
    )
    lead = await new_lead(desk)
    assert lead["persona"] is None and lead["score"] == 0

    done = await desk.call(
        "member",
        UPDATE,
        {"id": lead["id"], "expectedVersion": lead["version"], "persona": retail},
    )

    after = done["lead"]
    assert after["score"] == 5
    assert [e["label"] for e in after["scoreBreakdown"]] == ["Store persona"]


async def test_the_lead_page_lists_its_activities_latest_first(api: Api) -> None:
    desk = await seat(api)
    lead = await new_lead(desk)
    await desk.record(
        [
            pricing(lead, ago(3), externalId="x3"),
            pricing(lead, ago(1), externalId="x1"),
            pricing(lead, ago(2), externalId="x2"),
        ]
    )

    found = (await desk.query("rep", NODE, id=lead["id"]))["node"]

    edges = found["activities"]["edges"]
    assert [e["node"]["externalId"] for e in edges] == ["x1", "x2", "x3"]


async def test_a_demo_request_older_than_the_window_does_not_qualify(
    api: Api,
) -> None:
    desk = await scored_desk(api)
    lead = await new_lead(desk)

    done = await desk.record([demo(lead, ago(7, minutes=1))])

    after = done["results"][0]["lead"]
    assert (after["stage"], after["qualified"], after["score"]) == ("NEW", False, 35)
    assert [e["kind"] for e in after["scoreBreakdown"]] == ["FIT", "FIT"]


async def test_one_audit_entry_per_call_lists_what_it_did(api: Api) -> None:
    desk = await scored_desk(api)
    lead = await new_lead(desk)
    await desk.record([pricing(lead, ago(2), externalId="seen")])

    await desk.record(
        [
            pricing(lead, ago(2), externalId="seen"),
            {
                "leadEmail": "nobody@example.com",
                "kind": "PAGE_VIEW",
                "occurredAt": ago(1),
            },
            demo(lead, ago(1)),
            pricing(lead, ago(1), metadata=["not", "an", "object"]),
        ]
    )

    entries = await AuditEntry.filter(action="recordLeadActivities").order_by("id")
    assert len(entries) == 2
    assert entries[-1].changes == {
        "activities": 1,
        "duplicates": 1,
        "failed": [1, 3],
        "leads": [key_of(lead)],
        "qualified": [key_of(lead)],
    }
