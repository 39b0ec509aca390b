"""The dashboard over a hand-built March 2026 in Berlin (`tests.metrics_steps`),
every figure worked out by hand, on SQLite and PostgreSQL.

The SLA: accept within 4 and touch within 24 business hours, 09:00–17:00
Monday to Friday in Berlin; 2 touch attempts within 7 days; 31 leads a month
until Sunday 15 March, 62 after (its second revision, auto-accepting).

Chains created in March (Berlin wall times; L0's was created 27 February):
| lead | handed off | decision | first touch | notes |
| L1 | Mon 2 Mar 10:00 | accepted 15:00 by sales2 | Tue 9:30 | reassigned (late) |
| L2a | Tue 3 Mar 10:00 | rejected 11:00 NOT_READY | — | recycled |
| L2b | Tue 10 Mar 10:00 | accepted 11:00 | Wed 11 10:00 (+Thu) | qualified again |
| L4 | Sat 7 Mar 11:10 | accepted Mon 9:30 | Mon 9 10:00 | persona P2 by hand |
| L5 | Mon 16 Mar 10:00 | accepted 11:00 | never | |
| L6 | Wed 18 Mar 10:00 | auto-accepted 14:05 | Thu 19 10:00 | |
| L7 | Mon 23 Mar 10:00 | rejected 10:30 NOT_A_FIT | — | override (MANUAL) |
| L8 | Tue 24 Mar 10:00 | withdrawn 11:00 | — | pulled back |
| L3 | Fri 27 Mar 16:00 CET | accepted Mon 30 9:30 CEST | Tue 31 10:00 | over DST |
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from server import db
from tests.helpers import Api
from tests.metrics_steps import (
    DASHBOARD,
    MARCH,
    World,
    drill_mismatches,
    figures,
    march_world,
)

pytestmark = pytest.mark.read_connections


@pytest.fixture
async def world(api: Api) -> World:
    return await march_world(api)


async def read(world: World, **variables: Any) -> dict[str, Any]:
    found = await world.room.query(
        "leader", DASHBOARD, period=MARCH, timezone="Europe/Berlin", **variables
    )
    dashboard: dict[str, Any] = found["dashboard"]
    return dashboard


def near(value: float | None, expected: str, within: str = "0.01") -> bool:
    assert value is not None
    return abs(Decimal(str(value)) - Decimal(expected)) < Decimal(within)


async def test_every_figure_of_the_hand_built_month(world: World) -> None:
    d = await read(world)
    assert d["period"]["from"].startswith("2026-02-28T23:00:00")
    assert d["period"]["to"].startswith("2026-03-31T22:00:00")
    # qualified in March: L1–L8 (L2 twice, once counted); L7 by hand
    assert d["qualifiedLeads"]["count"] == 8
    by = {g["qualifiedBy"]: g["count"] for g in d["qualifiedLeads"]["byQualifiedBy"]}
    assert by == {"ACTIVITY": 7, "MODEL_CHANGE": 0, "MANUAL": 1}
    # nine chains; delivered: L1 L2 L3 L4 L5 L6 (L7 by hand, L8 withdrawn)
    assert d["handoffs"]["count"] == 9
    assert d["delivered"]["count"] == 6
    assert d["deliveredManual"]["count"] == 1
    assert (d["accepted"]["count"], d["rejected"]["count"]) == (6, 2)
    assert d["autoAccepted"]["count"] == 1
    assert d["acceptanceRate"] == 0.75
    reasons = {r["reason"]: r["count"] for r in d["rejectionReasons"]}
    assert reasons == {"NOT_READY": 1, "NOT_A_FIT": 1}
    # touched: L1 23.5 h, L2b 24 h, L6 24 h, L4 46 h 50 (from Saturday 11:10),
    # L3 89 h (90 on the wall: the clocks went forward); business hours
    # 7.5, 8, 8, 1, 10; L5 owes its touch
    touch = d["timeToFirstTouch"]
    assert near(touch["medianHours"], "24")
    assert near(touch["p90Hours"], "72.1333")  # 46.8333 + 0.6 × (89 − 46.8333)
    assert near(touch["medianBusinessHours"], "8")
    assert touch["untouched"]["count"] == 1


async def test_both_sides_of_the_sla_in_the_hand_built_month(world: World) -> None:
    d = await read(world)
    marketing = d["slaCompliance"]["marketing"]
    # 31 × 14/31 under the first revision, 62 × 17/31 under the second
    assert near(marketing["committed"], "48")
    assert marketing["delivered"]["count"] == 6
    assert near(marketing["ratio"], "0.125", "0.0001")
    sales = d["slaCompliance"]["sales"]
    # accept deadlines in March: L0 L1 L2a L2b L3 L4 L5 L6 L7 (L8 withdrawn
    # before its deadline owed nothing); L1 late, L6 auto-accepted
    assert (sales["acceptDue"]["count"], sales["acceptOnTime"]["count"]) == (9, 7)
    assert near(sales["acceptOnTimeRatio"], "0.777778", "0.000001")
    # first-touch deadlines in March: L0 L1 L2b L4 L5 L6 (L3's falls in April;
    # rejected and withdrawn chains owed none); L5 never touched
    assert (sales["due"]["count"], sales["met"]["count"]) == (6, 5)
    assert sales["breached"]["count"] == 1
    assert near(sales["ratio"], "0.833333", "0.000001")
    # touch windows closing in March: L0 (2 attempts) L1 L2b (2) L4 L5 L6
    assert sales["touchAttemptsDue"]["count"] == 6
    assert sales["touchAttemptsMet"]["count"] == 2
    assert near(sales["touchAttemptsMetRatio"], "0.333333", "0.000001")
    breaches = d["slaCompliance"]["breaches"]
    assert (breaches["accept"]["count"], breaches["firstTouch"]["count"]) == (2, 1)
    assert breaches["total"] == 3


async def test_the_funnel_conversion_goals_and_review_of_the_month(
    world: World,
) -> None:
    d = await read(world)
    funnel = {f["stage"]: f["count"] for f in d["funnel"] if f["count"]}
    # at 1 April 00:00: L0 an opportunity (won on 2 April), L7 disqualified,
    # L8 nurtured, the six others accepted
    assert funnel == {"SAL": 6, "OPPORTUNITY": 1, "DISQUALIFIED": 1, "NURTURING": 1}
    steps = {
        c["stage"]: (c["entered"]["count"], c["advanced"]["count"], c["rate"])
        for c in d["conversion"]
    }
    assert steps == {
        "MQL": (8, 6, 0.75),
        "SAL": (7, 1, pytest.approx(1 / 7, abs=1e-6)),
        "SQL": (1, 1, 1.0),
        "OPPORTUNITY": (1, 1, 1.0),  # won after the period: still "later"
    }
    goals = {g["goal"]["title"]: g for g in d["goals"]}
    march = goals["MQLs in March"]["progress"]
    assert (Decimal(march["current"]), march["status"], march["ended"]) == (
        Decimal(8),
        "AT_RISK",
        True,
    )
    revenue = goals["Won revenue, Q2"]["progress"]
    assert Decimal(revenue["current"]) == Decimal(1000)
    assert revenue["ratio"] == 0.25
    assert near(revenue["expectedRatio"], str(1.5 / 91), "0.0001")
    assert revenue["status"] == "AHEAD"
    # no review held; the SLA first came into force on 20 February
    assert d["reviewOverdue"] is True
    assert d["reviewCadence"]["cadenceDays"] == 14
    assert d["reviewCadence"]["countedFrom"].startswith("2026-02-20T09:00")


async def test_persona_figures_read_the_persona_when_qualified_at_handoff_or_now(
    world: World,
) -> None:
    # L4 qualified as P1 (matched), was handed off and stands now as P2 (by
    # hand); L7 matches no persona
    p2 = await read(world, personaId=world.personas["p2"])
    assert p2["qualifiedLeads"]["count"] == 0
    assert (p2["handoffs"]["count"], p2["delivered"]["count"]) == (1, 1)
    assert p2["timeToFirstTouch"]["untouched"]["count"] == 0
    assert {f["stage"]: f["count"] for f in p2["funnel"] if f["count"]} == {"SAL": 1}
    p1 = await read(world, personaId=world.personas["p1"])
    assert p1["qualifiedLeads"]["count"] == 7
    assert p1["handoffs"]["count"] == 7  # all but L4 and L7
    assert p1["slaCompliance"]["sales"]["acceptDue"]["count"] == 7  # + L0 − L4 − L7


async def test_the_dashboard_costs_the_same_statements_whatever_the_data(
    world: World,
) -> None:
    with db.count_statements() as statements:
        await read(world)
    # the session; chains, SLA revisions, qualifications, rejection reasons,
    # first touch, sales clocks, funnel, conversion, goals and their measures,
    # the review cadence and the last completed lead review (meetings, wired);
    # the goals' agreements (one batch)
    assert len(statements) == 14, statements


async def test_a_bad_period_or_timezone_is_refused_with_invalid_input(
    world: World,
) -> None:
    for period, zone in (
        ({"from": "2026-04-01", "to": "2026-03-01"}, "Europe/Berlin"),
        ({"from": "2026-03-01T00:00:00", "to": "2026-04-01"}, "Europe/Berlin"),
        (MARCH, "Mars/Olympus"),
    ):
        world.room.api.use_session(world.room.sessions["leader"])
        response = await world.room.api.gql(
            DASHBOARD, {"period": period, "timezone": zone}
        )
        assert response.error_codes == ["INVALID_INPUT"]


async def test_every_figure_opens_onto_exactly_its_records(world: World) -> None:
    for persona in (None, world.personas["p1"], world.personas["p2"]):
        d = await read(world, personaId=persona)
        assert len(figures(d)) >= 38
        assert await drill_mismatches(world.room, d) == []


SERIES = """
query($metric: SeriesMetric!, $period: PeriodInput!, $interval: SeriesInterval!) {
  metricSeries(
    metric: $metric, period: $period, interval: $interval, timezone: "Europe/Berlin"
  ) { from to count leads handoffs }
}"""


async def series(world: World, metric: str, interval: str, **period: str) -> Any:
    found = await world.room.query(
        "leader", SERIES, metric=metric, interval=interval, period=period or MARCH
    )
    return found["metricSeries"]


async def test_a_daily_series_cuts_march_at_berlin_midnights(world: World) -> None:
    days = await series(world, "QUALIFIED_LEADS", "DAY")
    assert len(days) == 31
    assert days[28]["from"].startswith("2026-03-28T23:00")  # 29 March, 23 hours
    assert days[28]["to"].startswith("2026-03-29T22:00")
    counted = {i + 1: d["count"] for i, d in enumerate(days) if d["count"]}
    # L1 2nd, L2 3rd and 10th, L4 7th, L5 16th, L6 18th, L7 23rd, L8 24th, L3 27th
    assert counted == {2: 1, 3: 1, 7: 1, 10: 1, 16: 1, 18: 1, 23: 1, 24: 1, 27: 1}
    assert await drill_mismatches(world.room, {"points": days}) == []


async def test_a_weekly_series_starts_on_mondays_and_opens_onto_its_chains(
    world: World,
) -> None:
    weeks = await series(world, "HANDOFFS", "WEEK")
    # Sunday 1 March alone, then the weeks from Monday 2, 9, 16, 23, 30 March
    assert [w["count"] for w in weeks] == [0, 3, 1, 2, 3, 0]
    assert await drill_mismatches(world.room, {"points": weeks}) == []
    months = await series(
        world, "DELIVERED", "MONTH", **{"from": "2026-02-01", "to": "2026-04-01"}
    )
    assert [m["count"] for m in months] == [1, 6]  # L0 in February


async def test_a_series_costs_the_same_statements_whatever_its_length(
    world: World,
) -> None:
    counts = {}
    for metric in ("QUALIFIED_LEADS", "DELIVERED", "HANDOFFS", "ACCEPTED"):
        for interval, period in (
            ("DAY", {"from": "2026-03-01", "to": "2026-03-02"}),
            ("DAY", {"from": "2026-01-01", "to": "2027-01-01"}),
            ("MONTH", {"from": "2026-01-01", "to": "2027-01-01"}),
        ):
            with db.count_statements() as statements:
                await series(world, metric, interval, **period)
            counts[metric, interval, period["to"]] = len(statements)
    # the session and one grouping statement, for 1 bucket or 365
    assert set(counts.values()) == {2}, counts


async def test_more_than_400_buckets_are_refused(world: World) -> None:
    world.room.api.use_session(world.room.sessions["leader"])
    response = await world.room.api.gql(
        SERIES,
        {
            "metric": "HANDOFFS",
            "interval": "DAY",
            "period": {"from": "2026-01-01", "to": "2027-02-06"},
        },
    )
    assert response.error_codes == ["INVALID_INPUT"]


GOALS = """{ goals(first: 10) { edges { node {
  title progress { current target ratio status ended }
} } } }"""


async def test_computed_goals_report_their_progress_on_the_goal_itself(
    world: World,
) -> None:
    found = await world.room.query("leader", GOALS)
    progress = {
        e["node"]["title"]: e["node"]["progress"] for e in found["goals"]["edges"]
    }
    assert Decimal(progress["MQLs in March"]["current"]) == 8
    assert progress["MQLs in March"]["status"] == "AT_RISK"
    assert Decimal(progress["Won revenue, Q2"]["current"]) == 1000
    assert progress["Won revenue, Q2"]["status"] == "AHEAD"
    d = await read(world)
    on_dashboard = {g["goal"]["title"]: g["progress"] for g in d["goals"]}
    for title, figures_ in on_dashboard.items():
        assert Decimal(figures_["current"]) == Decimal(progress[title]["current"])
