"""Agreement terms are read field by field; each problem names its input path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from server.domain.agreements.calendar_terms import calendar_problems
from server.domain.agreements.goals import read_goal_terms
from server.domain.agreements.model_terms import read_model_terms
from server.domain.agreements.personas import read_persona_terms
from server.domain.agreements.sla_terms import applies_at, read_sla_terms
from server.domain.core.errors import UserErrors
from tests.agreement_steps import GOAL_INPUT, PERSONA_INPUT, model_input, sla_input


def read_model(raw: dict[str, Any]) -> dict[str, Any]:
    return read_model_terms(raw, lambda value: value if value.isdigit() else None)


def fit_rule(**changes: Any) -> dict[str, Any]:
    rule = {
        "field": "industry",
        "operator": "EQ",
        "values": ["Retail"],
        "points": 5,
        "label": "Retail",
    }
    return {**rule, **changes}


def calendar(**changes: Any) -> dict[str, Any]:
    return {**sla_input()["businessCalendar"], **changes}


Reader = Callable[[dict[str, Any]], dict[str, Any]]
REFUSED: list[tuple[str, Reader, dict[str, Any], list[str]]] = [
    (
        "a goal period ending before it starts",
        read_goal_terms,
        {**GOAL_INPUT, "periodEnd": "2025-12-31"},
        ["terms", "periodEnd"],
    ),
    (
        "a negative target",
        read_goal_terms,
        {**GOAL_INPUT, "target": "-5"},
        ["terms", "target"],
    ),
    (
        "a zero target",
        read_goal_terms,
        {**GOAL_INPUT, "target": 0},
        ["terms", "target"],
    ),
    (
        "a blank goal title",
        read_goal_terms,
        {**GOAL_INPUT, "title": "   "},
        ["terms", "title"],
    ),
    (
        "an unknown goal metric",
        read_goal_terms,
        {**GOAL_INPUT, "metric": "VIBES"},
        ["terms", "metric"],
    ),
    (
        "companySizeMin above companySizeMax",
        read_persona_terms,
        {**PERSONA_INPUT, "companySizeMin": 500, "companySizeMax": 50},
        ["terms", "companySizeMax"],
    ),
    (
        "a negative company size",
        read_persona_terms,
        {**PERSONA_INPUT, "companySizeMin": -1},
        ["terms", "companySizeMin"],
    ),
    (
        "an unknown fit field",
        read_model,
        model_input(fitRules=[fit_rule(field="shoeSize")]),
        ["terms", "fitRules", "0", "field"],
    ),
    (
        "an unknown fit operator",
        read_model,
        model_input(fitRules=[fit_rule(), fit_rule(operator="LIKE")]),
        ["terms", "fitRules", "1", "operator"],
    ),
    (
        "an operator that does not suit the field",
        read_model,
        model_input(fitRules=[fit_rule(operator="GTE")]),
        ["terms", "fitRules", "0", "operator"],
    ),
    (
        "the wrong number of values",
        read_model,
        model_input(
            fitRules=[
                fit_rule(),
                fit_rule(),
                fit_rule(field="companySize", operator="BETWEEN", values=["10"]),
            ]
        ),
        ["terms", "fitRules", "2", "values"],
    ),
    (
        "a BETWEEN with its ends reversed",
        read_model,
        model_input(
            fitRules=[
                fit_rule(field="companySize", operator="BETWEEN", values=["9", "1"])
            ]
        ),
        ["terms", "fitRules", "0", "values"],
    ),
    (
        "a company size that is not a number",
        read_model,
        model_input(fitRules=[fit_rule(field="companySize", values=["many"])]),
        ["terms", "fitRules", "0", "values", "0"],
    ),
    (
        "a persona value that is not a persona",
        read_model,
        model_input(fitRules=[fit_rule(field="persona", values=["nope"])]),
        ["terms", "fitRules", "0", "values", "0"],
    ),
    (
        "two engagement rules for one activity kind",
        read_model,
        model_input(
            engagementRules=[
                {"activityKind": "EMAIL_OPEN", "points": 1, "maxPoints": 5},
                {"activityKind": "EMAIL_OPEN", "points": 2, "maxPoints": 5},
            ]
        ),
        ["terms", "engagementRules", "1", "activityKind"],
    ),
    (
        "a cap below the points",
        read_model,
        model_input(
            engagementRules=[
                {"activityKind": "EMAIL_OPEN", "points": 9, "maxPoints": 5}
            ]
        ),
        ["terms", "engagementRules", "0", "maxPoints"],
    ),
    (
        "a model without rules",
        read_model,
        model_input(fitRules=[], engagementRules=[]),
        ["terms", "fitRules"],
    ),
    (
        "an unknown timezone",
        read_sla_terms,
        sla_input(businessCalendar=calendar(timezone="Mars/Olympus_Mons")),
        ["terms", "businessCalendar", "timezone"],
    ),
    (
        "the host's own zone",
        read_sla_terms,
        sla_input(businessCalendar=calendar(timezone="localtime")),
        ["terms", "businessCalendar", "timezone"],
    ),
    (
        "an unknown weekday",
        read_sla_terms,
        sla_input(businessCalendar=calendar(workingDays=["MON", "FUN"])),
        ["terms", "businessCalendar", "workingDays", "1"],
    ),
    (
        "no working day",
        read_sla_terms,
        sla_input(businessCalendar=calendar(workingDays=[])),
        ["terms", "businessCalendar", "workingDays"],
    ),
    (
        "dayStart not before dayEnd",
        read_sla_terms,
        sla_input(businessCalendar=calendar(dayStart="17:00", dayEnd="09:00")),
        ["terms", "businessCalendar", "dayEnd"],
    ),
    (
        "a time that is not HH:MM",
        read_sla_terms,
        sla_input(businessCalendar=calendar(dayStart="9am")),
        ["terms", "businessCalendar", "dayStart"],
    ),
    (
        "a holiday that is not a date",
        read_sla_terms,
        sla_input(businessCalendar=calendar(holidays=["2026-12-25", "Christmas"])),
        ["terms", "businessCalendar", "holidays", "1"],
    ),
    (
        "an ISO week date as a holiday",
        read_sla_terms,
        sla_input(businessCalendar=calendar(holidays=["2026-W01-1"])),
        ["terms", "businessCalendar", "holidays", "0"],
    ),
    (
        "more than a thousand holidays",
        read_sla_terms,
        sla_input(businessCalendar=calendar(holidays=["2026-12-25"] * 1001)),
        ["terms", "businessCalendar", "holidays"],
    ),
    (
        "non-positive accept hours",
        read_sla_terms,
        sla_input(acceptWithinHours="0"),
        ["terms", "acceptWithinHours"],
    ),
    (
        "negative first-touch hours",
        read_sla_terms,
        sla_input(firstTouchWithinHours=-2),
        ["terms", "firstTouchWithinHours"],
    ),
    (
        "hours that are not finite",
        read_sla_terms,
        sla_input(acceptWithinHours="NaN"),
        ["terms", "acceptWithinHours"],
    ),
    (
        "an effective window that ends before it starts",
        read_sla_terms,
        sla_input(
            effectiveFrom=datetime(2026, 2, 1, tzinfo=UTC),
            effectiveUntil=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        ["terms", "effectiveUntil"],
    ),
    (
        "an instant without its offset",
        read_sla_terms,
        sla_input(effectiveFrom=datetime(2026, 2, 1)),
        ["terms", "effectiveFrom"],
    ),
    (
        "zero touch attempts",
        read_sla_terms,
        sla_input(minTouchAttempts=0),
        ["terms", "minTouchAttempts"],
    ),
]


@pytest.mark.parametrize(
    ("reader", "raw", "path"),
    [pytest.param(reader, raw, path, id=name) for name, reader, raw, path in REFUSED],
)
def test_each_invalid_term_is_refused_at_its_path(
    reader: Reader, raw: dict[str, Any], path: list[str]
) -> None:
    with pytest.raises(UserErrors) as refused:
        reader(raw)
    fields = [list(e.field) for e in refused.value.errors]
    assert path in fields
    assert {e.code.value for e in refused.value.errors} == {"INVALID_INPUT"}


def test_every_problem_is_reported_at_once() -> None:
    raw = sla_input(
        acceptWithinHours=0,
        businessCalendar=calendar(timezone="Nowhere/Land", holidays=["x"]),
    )
    with pytest.raises(UserErrors) as refused:
        read_sla_terms(raw)
    assert [list(e.field) for e in refused.value.errors] == [
        ["terms", "acceptWithinHours"],
        ["terms", "businessCalendar", "timezone"],
        ["terms", "businessCalendar", "holidays", "0"],
    ]


def test_a_calendar_is_refused_in_the_words_of_calendar_problems() -> None:
    # given a calendar with a problem in every field
    bad = calendar(
        timezone="localtime", workingDays=["FUN"], dayStart="9am", holidays=["x"]
    )
    # when SLA terms holding it are read
    with pytest.raises(UserErrors) as refused:
        read_sla_terms(sla_input(businessCalendar=bad))
    # then each problem is the calendar's own, under the terms' path
    found = [(e.field, e.message) for e in refused.value.errors]
    base = ("terms", "businessCalendar")
    assert found == [((*base, *p), m) for p, m in calendar_problems(bad)]
    assert len(found) == 4


def test_valid_terms_come_back_normalised() -> None:
    sla = read_sla_terms(
        sla_input(
            acceptWithinHours="4.50",
            effectiveFrom=datetime(2026, 1, 1, 1, tzinfo=UTC),
            businessCalendar=calendar(
                workingDays=["FRI", "MON"], holidays=["2026-12-25", "2026-01-01"]
            ),
        )
    )
    assert str(sla["acceptWithinHours"]) == "4.5"
    assert sla["effectiveFrom"] == "2026-01-01T01:00:00Z"
    assert sla["businessCalendar"]["workingDays"] == ["MON", "FRI"]
    assert sla["businessCalendar"]["holidays"] == ["2026-01-01", "2026-12-25"]
    persona = read_persona_terms({**PERSONA_INPUT, "industries": [" Retail", "retail"]})
    assert persona["industries"] == ["Retail"]
    model = read_model(
        model_input(
            fitRules=[
                fit_rule(field="companySize", operator="GTE", values=["250.0"]),
                fit_rule(field="isCustomer", values=["TRUE"]),
            ]
        )
    )
    assert [r["values"] for r in model["fitRules"]] == [["250"], ["true"]]
    assert model["minFitScore"] is None


def test_an_sla_applies_within_its_half_open_window() -> None:
    terms = read_sla_terms(
        sla_input(
            effectiveFrom=datetime(2026, 1, 1, tzinfo=UTC),
            effectiveUntil=datetime(2026, 7, 1, tzinfo=UTC),
        )
    )
    assert not applies_at(terms, datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    assert applies_at(terms, datetime(2026, 1, 1, tzinfo=UTC))
    assert applies_at(terms, datetime(2026, 6, 30, 23, 59, tzinfo=UTC))
    assert not applies_at(terms, datetime(2026, 7, 1, tzinfo=UTC))
    open_ended = read_sla_terms(sla_input(effectiveFrom=None))
    assert applies_at(open_ended, datetime(1999, 1, 1, tzinfo=UTC))
