"""The content hash both teams sign: stable under formatting, sensitive to terms."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.agreements.canonical import (
    activation_hash,
    canonical_json,
    retirement_hash,
)
from server.domain.agreements.goals import read_goal_terms
from server.domain.agreements.lifecycle import (
    Action,
    AgreementKind,
    AgreementStatus,
    Party,
    PendingState,
    State,
    decide,
)
from server.domain.agreements.sla_terms import read_sla_terms
from server.domain.core.errors import UserErrors
from server.domain.core.roles import Role, Team

SLA = AgreementKind.SERVICE_LEVEL_AGREEMENT
WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

hours = st.decimals(
    min_value=Decimal("0.25"), max_value=Decimal(500), places=2, allow_nan=False
)
days = st.dates(
    min_value=datetime(2020, 1, 1).date(), max_value=datetime(2035, 1, 1).date()
)


@st.composite
def sla_inputs(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.integers(min_value=0, max_value=22))
    since = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 10**6))
    )
    return {
        "qualifiedLeadsPerMonth": draw(st.integers(0, 10_000)),
        "acceptWithinHours": draw(hours),
        "firstTouchWithinHours": draw(hours),
        "minTouchAttempts": draw(st.integers(1, 100)),
        "touchWindowDays": draw(st.integers(1, 365)),
        "acceptTimeoutAction": draw(st.sampled_from(["AUTO_ACCEPT", "REASSIGN"])),
        "routing": draw(st.sampled_from(["ROUND_ROBIN", "LEAST_LOADED"])),
        "businessCalendar": {
            "timezone": draw(st.sampled_from(["Europe/Berlin", "America/New_York"])),
            "workingDays": draw(
                st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True)
            ),
            "dayStart": f"{start:02d}:00",
            "dayEnd": f"{draw(st.integers(start + 1, 23)):02d}:30",
            "holidays": [d.isoformat() for d in draw(st.lists(days, max_size=5))],
        },
        "reviewCadenceDays": draw(st.integers(1, 366)),
        "effectiveFrom": since,
        "effectiveUntil": since + timedelta(days=draw(st.integers(1, 900))),
    }


def reformat(value: Any, rng: random.Random) -> Any:
    """The same terms written differently: keys reordered, numbers re-spelt,
    sets reordered, instants in another offset."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: reformat_field(k, v, rng) for k, v in items}
    return value


def reformat_field(key: str, value: Any, rng: random.Random) -> Any:
    if key in ("workingDays", "holidays"):
        shuffled = list(value) + list(value[:1])  # a repeat changes nothing
        rng.shuffle(shuffled)
        return shuffled
    if isinstance(value, Decimal):
        return rng.choice([str(value) + "00", value.quantize(Decimal("0.0001"))])
    if isinstance(value, datetime):
        return value.astimezone(timezone(timedelta(hours=rng.randint(-11, 12))))
    return reformat(value, rng)


MUTATIONS = [
    ("qualifiedLeadsPerMonth", lambda v: v + 1),
    ("acceptWithinHours", lambda v: v + Decimal("0.5")),
    ("minTouchAttempts", lambda v: v % 100 + 1),
    ("routing", lambda v: "LEAST_LOADED" if v == "ROUND_ROBIN" else "ROUND_ROBIN"),
    ("effectiveUntil", lambda v: v + timedelta(seconds=1)),
]


@settings(max_examples=150, deadline=None)
@given(sla_inputs(), st.randoms(use_true_random=False))
def test_the_same_terms_hash_alike_however_they_are_written(
    raw: dict[str, Any], rng: random.Random
) -> None:
    # given the same terms written twice, differently
    again = reformat(raw, rng)
    # when both are read and hashed, then the hashes are equal
    assert activation_hash(SLA, read_sla_terms(raw)) == activation_hash(
        SLA, read_sla_terms(again)
    )


@settings(max_examples=150, deadline=None)
@given(sla_inputs(), st.sampled_from(MUTATIONS))
def test_changing_any_term_changes_the_hash(
    raw: dict[str, Any], mutation: tuple[str, Any]
) -> None:
    key, change = mutation
    changed = {**raw, key: change(raw[key])}
    assert activation_hash(SLA, read_sla_terms(raw)) != activation_hash(
        SLA, read_sla_terms(changed)
    )


@settings(max_examples=100, deadline=None)
@given(sla_inputs(), st.sampled_from(WEEKDAYS))
def test_changing_the_working_days_changes_the_hash(
    raw: dict[str, Any], day: str
) -> None:
    calendar = raw["businessCalendar"]
    days_now = set(calendar["workingDays"])
    other = sorted(days_now ^ {day}) or ["MON", "TUE"]
    changed = {**raw, "businessCalendar": {**calendar, "workingDays": other}}
    assert activation_hash(SLA, read_sla_terms(raw)) != activation_hash(
        SLA, read_sla_terms(changed)
    )


@settings(max_examples=200, deadline=None)
@given(
    sla_inputs(),
    st.sampled_from(list(AgreementKind)),
    st.integers(1, 2**31),
    st.integers(0, 10_000),
)
def test_a_retirement_hash_is_never_an_activation_hash(
    raw: dict[str, Any], kind: AgreementKind, agreement_id: int, revision: int
) -> None:
    # given any activation and any retirement
    activation = activation_hash(kind, read_sla_terms(raw))
    retirement = retirement_hash(kind, agreement_id, revision)
    assert activation != retirement
    # when a retirement hash is offered on an activation proposal, it is refused
    proposal = State(AgreementStatus.ACTIVE, PendingState.PROPOSED, activation)
    signer = Party(1, Team.MARKETING, Role.MANAGER, True)
    with pytest.raises(UserErrors) as refused:
        decide(proposal, Action.SIGN, signer, retirement)
    assert refused.value.errors[0].code.value == "CONTENT_CHANGED"


@pytest.mark.parametrize(
    "target", [8, 8.0, Decimal("8"), Decimal("8.000"), "8.0", "8", Decimal("0.8E1")]
)
def test_eight_and_eight_point_oh_hash_alike(target: Any) -> None:
    goal = {
        "title": " Pipeline ",
        "kind": "OTHER",
        "metric": "MANUAL",
        "target": target,
        "periodStart": "2026-01-01",
        "periodEnd": "2026-12-31",
    }
    reference = {**goal, "target": 8, "title": "Pipeline"}
    kind = AgreementKind.GOAL
    assert activation_hash(kind, read_goal_terms(goal)) == activation_hash(
        kind, read_goal_terms(reference)
    )


def test_the_hash_is_sha256_over_the_documented_canonical_json() -> None:
    import hashlib

    terms = {"b": Decimal("1.50"), "a": [True, None, "é"], "c": -0.0}
    text = canonical_json({"kind": "GOAL", "action": "ACTIVATE", "terms": terms})
    assert text == (
        '{"action":"ACTIVATE","kind":"GOAL",'
        '"terms":{"a":[true,null,"é"],"b":1.5,"c":0}}'
    )
    assert (
        activation_hash(AgreementKind.GOAL, terms)
        == hashlib.sha256(text.encode()).hexdigest()
    )
    instant = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert canonical_json(instant) == '"2026-03-01T10:00:00Z"'
    assert canonical_json(Decimal("1E+3")) == "1000"
