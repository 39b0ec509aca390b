"""The simulator's fast path against the domain's scoring, on SQLite and
PostgreSQL: random models and leads (engagement stored as rescoring stores it,
ties on the line, hand-raises at the window's edge, tallies of other
half-lives, weights past PostgreSQL's underflow), every certain verdict of
`estimates.Estimates` is `quick_score`'s, a lead far from the line always gets
one, and `simulation._run` counts what `quick_score` says of every lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import db
from server.clock import clock
from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.leads.attributes import LeadAttributes
from server.domain.leads.engagement import (
    DAY,
    EngagementState,
    KindTally,
    fits_model,
    tally_activities,
)
from server.domain.leads.qualification_model import QualificationModel, read_model
from server.domain.leads.scoring import fit_points, quick_score
from server.models.leads import Lead
from server.models.waterfall import HandoffChain
from server.services.leads import engagement_store
from server.services.metrics import simulation
from server.services.metrics.estimates import Estimates, line_of

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.read_connections]

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
K = ActivityKind
KINDS = (K.PAGE_VIEW, K.EMAIL_OPEN, K.WEBINAR_ATTENDED, K.DEMO_REQUEST, K.CONTACT_SALES)
HALF_POINTS = ("0", "5", "2.5", "10", "-10", "7.5")


def fit_rule(field: str, operator: str, values: list[str], points: str) -> Any:
    return {
        "field": field,
        "operator": operator,
        "values": values,
        "points": points,
        "label": field,
    }


@st.composite
def terms(draw: st.DrawFn, engagement: list[Any] | None = None) -> dict[str, Any]:
    points = st.sampled_from(HALF_POINTS)
    if engagement is None:
        kinds = draw(st.lists(st.sampled_from(KINDS), unique=True, max_size=4))
        engagement = [
            {
                "activityKind": kind.value,
                "points": draw(st.sampled_from(("1", "2.5", "5"))),
                "maxPoints": draw(st.sampled_from(("5", "10", "12.5", "25"))),
                "halfLifeDays": draw(st.sampled_from((None, "7", "0.5", "30"))),
            }
            for kind in kinds
        ]
    hand = draw(
        st.lists(st.sampled_from((K.DEMO_REQUEST, K.CONTACT_SALES)), unique=True)
    )
    return {
        "fitRules": [
            fit_rule("companySize", "BETWEEN", ["50", "500"], draw(points)),
            fit_rule("industry", "IN", ["Software"], draw(points)),
            fit_rule("isCustomer", "EQ", ["true"], draw(points)),
            fit_rule("country", "EQ", ["DE"], draw(points)),
        ],
        "engagementRules": engagement,
        "mqlThreshold": draw(st.sampled_from(("0", "5", "10", "12.5", "20", "30"))),
        "minFitScore": draw(st.sampled_from((None, "0", "2.5", "5"))),
        "handRaiseKinds": [k.value for k in hand],
        "handRaiseWindowDays": draw(st.sampled_from((1, 7, 14))),
    }


@st.composite
def models(draw: st.DrawFn) -> tuple[QualificationModel, QualificationModel]:
    draft = draw(terms())
    shared = draw(st.booleans())
    current = draw(terms(draft["engagementRules"] if shared else None))
    return read_model(draft, 0), read_model(current, 1)


# Ages in days of a tally: 2000 days at a half-life of half a day is past
# the float's range (PostgreSQL refuses to underflow).
AGES = st.sampled_from((0.0, 0.5, 3.0, 7.0, 14.0, 40.0, 2000.0, -0.001))
# When the latest activity happened: ``window`` is the draft's hand-raise
# window exactly (the edge), the others days ago.
LATEST = st.sampled_from(
    ("window", "inside", "past", 0.0, 0.25, 1.0, 6.5, 7.0, 14.0, 400.0)
)
# A microsecond either side of the edge: (SQLite reads the millisecond)
EDGES = {"window": 0, "inside": -1, "past": 1}


@st.composite
def tallies(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "weight": draw(st.sampled_from((0.5, 1.0, 2.0, 3.0)) | st.floats(0, 6)),
        "age": draw(AGES),
        "count": draw(st.integers(1, 4)),
        "latest": draw(LATEST),
        "half_life": draw(st.sampled_from(("model", "other", "none"))),
    }


LEADS = st.lists(
    st.fixed_dictionaries(
        {
            "size": st.sampled_from((None, 10, 50, 120)),
            "industry": st.sampled_from((None, "Software", "Retail")),
            "customer": st.booleans(),
            "country": st.sampled_from((None, "DE", "FR")),
            "won": st.booleans(),
            "chains": st.lists(
                st.sampled_from(("ACCEPTED", "REJECTED", None)), max_size=2
            ),
            "counts_after": st.sampled_from((None, 1.0, 30.0)),
            "tallies": st.dictionaries(st.sampled_from(KINDS), tallies(), max_size=4),
            "tuned": st.sampled_from((None, -3e-10, 3e-10, -2e-9)),
        }
    ),
    min_size=1,
    max_size=10,
)


async def store_leads(
    leads: list[dict[str, Any]], model: QualificationModel
) -> dict[int, tuple[LeadAttributes, EngagementState, int | None]]:
    """The leads as rescoring leaves them (half-lives of ``model`` unless a
    tally says otherwise); each lead's attributes, stored state, outcome."""
    found = {}
    states = {}
    window = model.hand_raise_window_days or Decimal(1)
    for n, given_lead in enumerate(leads):
        after = given_lead["counts_after"]
        counts_after = None if after is None else NOW - timedelta(days=after)
        lead = await Lead.create(
            email=f"lead{n}@example.com",
            company_size=given_lead["size"],
            industry=given_lead["industry"],
            is_customer=given_lead["customer"],
            country=given_lead["country"],
            stage="WON" if given_lead["won"] else "MQL",
            stage_entered_at=NOW,
            cycle_started_at=NOW,
            cycle_counts_after=counts_after,
            created_at=NOW,
            updated_at=NOW,
        )
        for decision in given_lead["chains"]:
            await HandoffChain.create(
                lead_id=lead.id, started_at=NOW, decision=decision
            )
        kinds = {}
        for kind, tally in given_lead["tallies"].items():
            half_life = {
                "model": model.half_life(kind),
                "other": Decimal("3"),
                "none": None,
            }[tally["half_life"]]
            latest = tally["latest"]
            if latest in EDGES:
                ago = timedelta(days=int(window), microseconds=EDGES[latest])
            else:
                ago = timedelta(days=latest)
            kinds[kind] = KindTally(
                tally["weight"],
                NOW - timedelta(days=tally["age"]),
                half_life,
                tally["count"],
                NOW - ago,
            )
        if given_lead["tuned"]:
            kinds = tuned(model, given_lead, counts_after) or kinds
        states[lead.id] = EngagementState(counts_after, kinds)
        decisions = set(given_lead["chains"])
        outcome = 1 if given_lead["won"] or "ACCEPTED" in decisions else None
        if outcome is None and "REJECTED" in decisions:
            outcome = 0
        attributes = LeadAttributes(
            company_size=given_lead["size"],
            industry=given_lead["industry"],
            is_customer=given_lead["customer"],
            country=given_lead["country"],
        )
        found[lead.id] = (attributes, states[lead.id], outcome)
    await engagement_store.save_states(states)
    return found


def tuned(
    model: QualificationModel, lead: dict[str, Any], counts_after: datetime | None
) -> dict[ActivityKind, KindTally] | None:
    """One tally whose points fall ``lead["tuned"]`` from the line: a float a
    hair under it whose 9 places round onto it, or a hair over or under it."""
    attributes = LeadAttributes(
        company_size=lead["size"],
        industry=lead["industry"],
        is_customer=lead["customer"],
        country=lead["country"],
    )
    line = line_of(model, fit_points(model, attributes))
    for kind, rule in sorted(model.engagement_rules.items()):
        decays = rule.half_life_days is not None  # (at age 0, by 1)
        if decays and line is not None and 0 < line.need < float(rule.max_points):
            weight = (line.need + lead["tuned"]) / float(rule.points)
            tally = KindTally(weight, NOW, model.half_life(kind), 2, NOW)
            return {kind: tally}
    return None


def exact(
    model: QualificationModel, attributes: LeadAttributes, state: EngagementState
) -> bool:
    """What scoring says: a stale state is rebuilt from the lead's activities
    (these leads have none)."""
    if not fits_model(state, model):
        state = tally_activities([], model, NOW, state.counts_after)
    return quick_score(model, attributes, state, NOW).qualifies


def near_the_line(
    model: QualificationModel, attributes: LeadAttributes, state: EngagementState
) -> bool:
    """Whether the lead's score or hand-raise age is within a hair of what
    decides it (where the estimates may leave the verdict open)."""
    score = quick_score(model, attributes, state, NOW)
    ceiling = model.mql_threshold.to_integral_value(rounding=ROUND_CEILING)
    if abs(score.raw_score - (ceiling - Decimal("0.5"))) < Decimal("0.001"):
        return True
    window = model.hand_raise_window_days
    raised = [
        state.tallies[k].latest_at for k in model.hand_raise_kinds if k in state.tallies
    ]
    if window is None or not raised:
        return False
    return abs((NOW - max(raised)) / DAY - float(window)) < 0.001


def verdict_checked(
    model: QualificationModel,
    attributes: LeadAttributes,
    state: EngagementState,
    verdict: bool | None,
) -> None:
    fit = fit_points(model, attributes)
    if line_of(model, fit) is None:
        assert verdict is False
    elif not fits_model(state, model):
        assert verdict is None  # rebuilt from the activities
    elif verdict is None:
        assert near_the_line(model, attributes, state)
    if verdict is not None:
        assert verdict == exact(model, attributes, state)


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(pair=models(), leads=LEADS)
async def test_every_certain_verdict_is_the_exact_scores(
    pair: tuple[QualificationModel, QualificationModel], leads: list[dict[str, Any]]
) -> None:
    await clear()
    stored = await store_leads(leads, pair[0])
    estimates = Estimates(pair, db.dialect())
    sql, params = estimates.statement(simulation._LEAD_COLUMNS, 0, 1000, NOW)
    rows = await db.fetch_values(sql, *params)
    assert [int(row[0]) for row in rows] == sorted(stored)
    for row in rows:
        attributes, state, outcome = stored[int(row[0])]
        assert (None if row[10] is None else int(row[10])) == outcome
        fits = [fit_points(model, attributes) for model in pair]
        lines = [line_of(model, fit) for model, fit in zip(pair, fits, strict=True)]
        verdicts = estimates.verdicts(row, lines)
        for model, verdict in zip(pair, verdicts, strict=True):
            verdict_checked(model, attributes, state, verdict)


@SETTINGS
@given(draft=models(), leads=LEADS, chunk=st.sampled_from((1, 3, 1000)))
async def test_a_simulation_counts_what_scoring_says_of_every_lead(
    draft: tuple[QualificationModel, QualificationModel],
    leads: list[dict[str, Any]],
    chunk: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await clear()
    model = draft[0]
    stored = await store_leads(leads, model)
    monkeypatch.setattr(simulation, "CHUNK", chunk)
    clock.freeze(NOW)
    try:
        found = await simulation._run(model, {})
    finally:
        clock.reset()
    expected = simulation.Tally()
    for attributes, state, outcome in stored.values():
        expected.add(exact(model, attributes, state), outcome)
    assert found.in_force is None  # no model in force here
    assert found.draft == expected
    outcomes = [outcome for *_, outcome in stored.values()]
    assert found.leads == len(stored)
    assert found.with_outcome == sum(o is not None for o in outcomes)
    assert found.good == sum(o == 1 for o in outcomes)


async def clear() -> None:
    """Hypothesis runs every example in the same database."""
    for table in ("handoff_chain", "lead_engagement", "lead"):
        await db.execute(f"DELETE FROM {table}")


@pytest.mark.parametrize("edge", [-1, 0, 1, -1000, 1000])
async def test_a_hand_raise_a_microsecond_from_the_windows_edge(edge: int) -> None:
    """SQLite reads instants to the millisecond: the estimate leaves these to
    the exact path, which counts the edge itself as within the window."""
    await clear()
    model = read_model(
        {
            "fitRules": [fit_rule("country", "EQ", ["DE"], "1")],
            "engagementRules": [],
            "mqlThreshold": "50",
            "minFitScore": None,
            "handRaiseKinds": ["DEMO_REQUEST"],
            "handRaiseWindowDays": 7,
        },
        0,
    )
    tally = {
        "weight": 1.0,
        "age": 0.0,
        "count": 1,
        "latest": "window",
        "half_life": "none",
    }
    lead = {
        "size": None,
        "industry": None,
        "customer": False,
        "country": None,
        "won": True,
        "chains": [],
        "counts_after": None,
        "tallies": {K.DEMO_REQUEST: tally},
        "tuned": None,
    }
    await store_leads([lead], model)
    at = NOW + timedelta(microseconds=edge)
    clock.freeze(at)
    try:
        found = await simulation._run(model, {})
    finally:
        clock.reset()
    assert found.draft.qualify_now == (1 if edge <= 0 else 0)
