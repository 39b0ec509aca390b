"""Historical import: `upsertLeads` with ``backfill: true`` (SPEC §2.3) on SQLite
and PostgreSQL — who may, what a row may carry, and how the history counts: in
the funnel and conversion, never in delivered volume, SLA compliance or
breaches."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from server import db
from server.models.core import OutboxEvent
from server.models.leads import Lead, LeadActivity, StageChange
from server.models.waterfall import Handoff
from server.services.core import ids
from server.services.people.auth import SESSION_COOKIE
from tests.handoff_steps import user_id
from tests.helpers import Api
from tests.lead_steps import UPSERT, payload, seat, token_for
from tests.metrics_steps import DASHBOARD, MARCH, World, march_world

ROUNDS = 10
AT_ONCE = 4
# An import call's statements, whatever the number of leads: the upsert's, plus
# owners and earlier imported histories read, activities, engagement and the
# imported moves with their settling and funnel deltas written in bulk (the
# upsert's include the lookup of merged-away keys, `aliases`, for keys no lead
# holds).
BACKFILL_STATEMENTS = 26
HISTORY = [
    {"stage": "NEW", "at": "2026-03-02T09:00:00Z"},
    {"stage": "MQL", "at": "2026-03-03T09:00:00Z"},
    {"stage": "SAL", "at": "2026-03-04T09:00:00Z", "reason": "accepted in the CRM"},
    {"stage": "SQL", "at": "2026-03-05T09:00:00Z"},
    {"stage": "OPPORTUNITY", "at": "2026-03-06T09:00:00Z"},
    {"stage": "WON", "at": "2026-03-09T09:00:00Z"},
]
READ_BACK = """
query($id: ID!) { node(id: $id) { ... on Lead {
  stage isCustomer amount qualified qualifiedBy owner { name }
  stageHistory { from to via reason }
  activities(first: 10) { edges { node { kind imported } } }
} } }"""


def imported_rows() -> list[dict[str, Any]]:
    return [
        {
            "email": "won@past.example",
            "externalIds": [{"system": "crm", "id": "P-1"}],
            "stageHistory": HISTORY,
            "amount": "5000",
            "activities": [
                {"kind": "DEMO_REQUEST", "occurredAt": "2026-03-02T08:00:00Z"},
                {
                    "kind": "PAGE_VIEW",
                    "occurredAt": "2026-03-01T08:00:00Z",
                    "externalId": "pv-1",
                },
            ],
        },
        {
            "email": "recycled@past.example",
            "stageHistory": [
                {"stage": "NEW", "at": "2026-03-02T09:00:00Z"},
                {"stage": "MQL", "at": "2026-03-10T09:00:00Z"},
                {"stage": "SAL", "at": "2026-03-11T09:00:00Z"},
                {"stage": "RECYCLED", "at": "2026-03-12T09:00:00Z"},
            ],
        },
        {
            "email": "gone@past.example",
            "stageHistory": [
                {"stage": "NEW", "at": "2026-03-02T09:00:00Z"},
                {"stage": "NURTURING", "at": "2026-03-03T09:00:00Z"},
                {"stage": "DISQUALIFIED", "at": "2026-03-04T09:00:00Z"},
            ],
        },
    ]


async def backfill(
    room: Any, who: str, rows: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    done: dict[str, Any] = await room.call(
        who, UPSERT, {"leads": rows, "backfill": True, **extra}
    )
    return done


def sla_figures(dashboard: dict[str, Any]) -> dict[str, Any]:
    """Every figure of the dashboard but the funnel, conversion and goals."""
    return {
        k: v for k, v in dashboard.items() if k not in {"funnel", "conversion", "goals"}
    }


async def read(world: World) -> dict[str, Any]:
    found = await world.room.query(
        "leader", DASHBOARD, period=MARCH, timezone="Europe/Berlin"
    )
    dashboard: dict[str, Any] = found["dashboard"]
    return dashboard


async def test_imported_history_counts_in_the_funnel_and_conversion_only(
    api: Api,
) -> None:
    world = await march_world(api)
    before = await read(world)
    handoffs = await Handoff.all().count()

    done = await backfill(world.room, "admin", imported_rows())

    assert done["userErrors"] == [], done
    assert [r["outcome"] for r in done["results"]] == ["CREATED"] * 3, done
    after = await read(world)
    # delivered, handoffs, SLA compliance, breaches, qualified: all unchanged
    assert sla_figures(after) == sla_figures(before)
    assert await Handoff.all().count() == handoffs
    # the funnel at the end of March has the three imported leads
    funnel = {f["stage"]: f["count"] for f in after["funnel"] if f["count"]}
    assert funnel == {
        "SAL": 6,
        "OPPORTUNITY": 1,
        "DISQUALIFIED": 2,
        "NURTURING": 1,
        "WON": 1,
        "RECYCLED": 1,
    }
    steps = {
        c["stage"]: (c["entered"]["count"], c["advanced"]["count"])
        for c in after["conversion"]
    }
    # two imported leads entered MQL and SAL in March (both advanced from
    # MQL; one from SAL), one SQL and OPPORTUNITY (and advanced)
    assert steps == {
        "MQL": (10, 8),
        "SAL": (9, 2),
        "SQL": (2, 2),
        "OPPORTUNITY": (2, 2),
    }


async def test_an_imported_lead_reads_as_its_history_left_it(api: Api) -> None:
    world = await march_world(api)
    rows = imported_rows()
    rows[0]["owner"] = await user_id("rep")

    done = await backfill(world.room, "admin", rows[:1])

    lead = done["results"][0]["lead"]
    found = (await world.room.query("admin", READ_BACK, id=lead["id"]))["node"]
    assert (found["stage"], found["isCustomer"]) == ("WON", True)
    assert Decimal(found["amount"]) == Decimal(5000)
    assert (found["qualified"], found["qualifiedBy"]) == (True, "MANUAL")
    assert found["owner"] == {"name": "Rep"}
    history = found["stageHistory"]
    assert [(h["from"], h["to"], h["via"]) for h in history] == [
        (None, "NEW", "IMPORTED"),
        ("NEW", "MQL", "IMPORTED"),
        ("MQL", "SAL", "IMPORTED"),
        ("SAL", "SQL", "IMPORTED"),
        ("SQL", "OPPORTUNITY", "IMPORTED"),
        ("OPPORTUNITY", "WON", "IMPORTED"),
    ]
    assert history[2]["reason"] == "accepted in the CRM"
    kinds = {
        e["node"]["kind"]: e["node"]["imported"] for e in found["activities"]["edges"]
    }
    assert kinds == {"DEMO_REQUEST": True, "PAGE_VIEW": True}

    # a re-run of the same import changes nothing and doubles nothing
    again = await backfill(world.room, "admin", rows[:1])
    assert again["results"][0]["outcome"] == "UNCHANGED", again
    key = ids.decode(lead["id"], "Lead")
    assert await StageChange.filter(lead_id=key).count() == 6
    assert await LeadActivity.filter(lead_id=key, imported=True).count() == 2


async def test_only_admins_and_write_tokens_may_import(api: Api) -> None:
    desk = await seat(api)
    row = {"email": "past@x.example", "stage": "SQL"}

    # a marketing manager in a session, and an INGEST token, are refused
    refused = await backfill(desk, "marketing", [row])
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"], refused
    assert (
        "admins and tokens with the WRITE scope" in refused["userErrors"][0]["message"]
    )
    ingest = await token_for("marketing", "INGEST")
    sent = await api.gql(
        UPSERT, {"input": {"leads": [row], "backfill": True}}, token=ingest
    )
    assert sent.data["upsertLeads"]["userErrors"][0]["code"] == "FORBIDDEN"
    # a WRITE token imports
    write = await token_for("marketing", "WRITE")
    sent = await api.gql(
        UPSERT, {"input": {"leads": [row], "backfill": True}}, token=write
    )
    result = sent.data["upsertLeads"]["results"][0]
    assert (result["outcome"], result["lead"]["stage"]) == ("CREATED", "SQL")


async def test_bad_rows_are_reported_and_good_ones_kept(api: Api) -> None:
    desk = await seat(api)
    await desk.upsert([{"email": "known@x.example"}])
    rows: list[dict[str, Any]] = [
        {
            "email": "skip@x.example",
            "stageHistory": [
                {"stage": "NEW", "at": "2026-01-02T00:00:00Z"},
                {"stage": "SQL", "at": "2026-01-03T00:00:00Z"},
            ],
        },
        {
            "email": "back@x.example",
            "stageHistory": [
                {"stage": "NEW", "at": "2026-01-05T00:00:00Z"},
                {"stage": "NURTURING", "at": "2026-01-04T00:00:00Z"},
            ],
        },
        {
            "email": "future@x.example",
            "stage": "NEW",
            "stageHistory": [
                {"stage": "NEW", "at": "2999-01-01T00:00:00Z"},
            ],
        },
        {"email": "known@x.example", "stage": "SQL"},
        {"email": "cheap@x.example", "stage": "MQL", "amount": "10"},
        {"email": "ok@x.example", "stage": "NURTURING"},
    ]

    done = await backfill(desk, "admin", rows)

    outcomes = [r["outcome"] for r in done["results"]]
    assert outcomes == ["FAILED"] * 5 + ["CREATED"], done
    fields = [
        [(e["code"], e["field"]) for e in r["userErrors"]] for r in done["results"]
    ]
    assert fields[0] == [
        ("INVALID_INPUT", ["leads", "0", "stageHistory", "1", "stage"])
    ]
    assert fields[1] == [("INVALID_INPUT", ["leads", "1", "stageHistory", "1", "at"])]
    assert fields[2] == [("INVALID_INPUT", ["leads", "2", "stageHistory", "0", "at"])]
    assert fields[3] == [("CONFLICT", ["leads", "3", "stage"])]
    assert fields[4] == [("INVALID_INPUT", ["leads", "4", "amount"])]
    # without backfill the import fields are refused, row by row
    plain = await desk.call(
        "admin", UPSERT, {"leads": [{"email": "p@x.example", "stage": "SQL"}]}
    )
    assert plain["results"][0]["userErrors"][0]["field"] == ["leads", "0", "stage"]


def history_rows(prefix: str, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        row = imported_rows()[0]
        row["email"] = f"{prefix}{i}@past.example"
        row["externalIds"] = [{"system": "crm", "id": f"{prefix}{i}"}]
        rows.append(row)
    return rows


async def test_an_import_of_5_or_50_leads_costs_the_same_statements(api: Api) -> None:
    desk = await seat(api)
    await desk.activate_model()
    counts = {}
    for n in (5, 50):
        with db.count_statements() as statements:
            done = await backfill(desk, "admin", history_rows(f"s{n}-", n))
        assert done["summary"]["created"] == n, done
        counts[n] = len(statements)

    assert counts == {5: BACKFILL_STATEMENTS, 50: BACKFILL_STATEMENTS}


@pytest.mark.only_backend("postgres")
async def test_the_same_history_imported_at_once_is_recorded_exactly_once(
    api: Api, backend: str
) -> None:
    desk = await seat(api)
    cookie = {"cookie": f"{SESSION_COOKIE}={desk.sessions['admin']}"}
    desk.api.use_session(None)
    for round_ in range(ROUNDS):
        [row] = history_rows(f"race{round_}-", 1)
        sent = [
            desk.api.gql(
                UPSERT, {"input": {"leads": [row], "backfill": True}}, headers=cookie
            )
            for _ in range(AT_ONCE)
        ]
        answers = [payload(r) for r in await asyncio.gather(*sent)]
        outcomes = sorted(a["results"][0]["outcome"] for a in answers)
        assert outcomes == ["CREATED"] + ["UNCHANGED"] * (AT_ONCE - 1), answers
        [lead] = await Lead.filter(email=row["email"])
        assert await StageChange.filter(lead_id=lead.id).count() == len(HISTORY)
        assert await LeadActivity.filter(lead_id=lead.id).count() == 2
        created = OutboxEvent.filter(kind="LEAD_CREATED", subject_id=lead.id)
        assert await created.count() == 1
