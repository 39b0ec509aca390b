"""Stored qualification-model terms are read back by the one terms reader, with a
path into the terms for every problem, and read into the model scoring uses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.agreements.canonical import (
    activation_hash,
    canonical_json,
    load_terms,
)
from server.domain.agreements.fit_rules import OPERATORS, FitField, FitOperator
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.agreements.model_terms import read_model_terms
from server.domain.agreements.qualification_terms import InvalidTerms, read_stored_terms
from server.domain.leads.qualification_model import read_model
from tests.agreement_steps import model_input

RULE: dict[str, Any] = {
    "field": "industry",
    "operator": "EQ",
    "values": ["Software"],
    "points": 10,
    "label": "Software",
}
ENGAGEMENT: dict[str, Any] = {
    "activityKind": "PAGE_VIEW",
    "points": 1,
    "maxPoints": 10,
    "halfLifeDays": 7,
}
TERMS: dict[str, Any] = {
    "fitRules": [RULE],
    "engagementRules": [ENGAGEMENT],
    "mqlThreshold": 50,
    "minFitScore": None,
    "handRaiseKinds": ["DEMO_REQUEST"],
    "handRaiseWindowDays": 14,
}


def problems_of(terms: dict[str, Any]) -> dict[tuple[str, ...], str]:
    try:
        read_stored_terms(terms)
    except InvalidTerms as refused:
        return dict(refused.problems)
    return {}


def problems_with(**changes: Any) -> dict[tuple[str, ...], str]:
    return problems_of({**TERMS, **changes})


def test_sound_terms_have_no_problems() -> None:
    assert problems_of(TERMS) == {}


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        ({"field": "revenue"}, "field", "unknown field 'revenue'"),
        ({"operator": "LIKE"}, "operator", "unknown value 'LIKE'"),
        ({"operator": "GTE"}, "operator", "industry takes EQ, IN, CONTAINS"),
        ({"field": "isCustomer", "operator": "CONTAINS"}, "operator", "EQ, IN"),
        ({"field": "persona", "operator": "BETWEEN"}, "operator", "EQ, IN"),
        ({"values": ["a", "b"]}, "values", "EQ takes 1 value(s)"),
        ({"operator": "IN", "values": []}, "values", "IN takes 1–100 value(s)"),
        ({"values": "Software"}, "values", "EQ takes 1 value(s)"),
        ({"values": [3]}, ("values", "0"), "give 1–200 characters"),
        ({"values": ["  "]}, ("values", "0"), "give 1–200 characters"),
        (
            {"field": "companySize", "operator": "BETWEEN", "values": ["10"]},
            "values",
            "BETWEEN takes 2 value(s)",
        ),
        (
            {"field": "companySize", "operator": "GTE", "values": ["1e9"]},
            ("values", "0"),
            "decimal string",
        ),
        (
            {"field": "companySize", "operator": "BETWEEN", "values": ["9", "1"]},
            "values",
            "lower bound first",
        ),
        (
            {"field": "isCustomer", "values": ["yes"]},
            ("values", "0"),
            '"true" or "false"',
        ),
        ({"field": "persona", "values": ["x"]}, ("values", "0"), "ID of a persona"),
        ({"field": "persona", "values": ["012"]}, ("values", "0"), "ID of a persona"),
        ({"points": "ten"}, "points", "finite decimal"),
        ({"points": 10**7}, "points", "at most 1000000"),
        ({"points": None}, "points", "required"),
        ({"label": " "}, "label", "cannot be blank"),
    ],
)
def test_each_fit_rule_problem_is_reported_at_its_path(
    rule: dict[str, Any], path: str | tuple[str, ...], message: str
) -> None:
    # given the second fit rule is broken
    found = problems_with(fitRules=[RULE, {**RULE, **rule}])
    # then the problem points into it
    where = (path,) if isinstance(path, str) else path
    assert message in found[("fitRules", "1", *where)]
    assert [p for p in found if p[:2] == ("fitRules", "0")] == []


def test_negative_fit_points_and_every_operator_on_its_fields_are_accepted() -> None:
    rules = [
        {**RULE, "points": -5},
        {**RULE, "operator": "IN", "values": ["a", "b"]},
        {**RULE, "field": "jobTitle", "operator": "CONTAINS", "values": ["vp"]},
        {**RULE, "field": "companySize", "operator": "GTE", "values": ["10"]},
        {**RULE, "field": "companySize", "operator": "LTE", "values": ["10.5"]},
        {**RULE, "field": "companySize", "operator": "BETWEEN", "values": ["1", "1"]},
        {**RULE, "field": "isCustomer", "values": ["false"]},
        {**RULE, "field": "persona", "operator": "IN", "values": ["12", "13"]},
    ]
    assert problems_of({**TERMS, "fitRules": rules}) == {}
    assert {r["operator"] for r in rules} == set(FitOperator)


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        ({"activityKind": "TWEET"}, "activityKind", "unknown value 'TWEET'"),
        ({"activityKind": "PAGE_VIEW"}, "activityKind", "PAGE_VIEW already has a rule"),
        ({"points": -1}, "points", "greater than 0"),
        # no agreement could sign a rule that gives nothing (SPEC §2.2 leaves it
        # open; the terms reader has always refused it)
        ({"points": 0}, "points", "greater than 0"),
        ({"maxPoints": None}, "maxPoints", "required"),
        ({"maxPoints": 0}, "maxPoints", "greater than 0"),
        ({"maxPoints": "0.5"}, "maxPoints", "at least points"),
        ({"halfLifeDays": 0}, "halfLifeDays", "greater than 0"),
        ({"halfLifeDays": 3651}, "halfLifeDays", "at most 3650"),
        ({"halfLifeDays": "soon"}, "halfLifeDays", "finite decimal"),
    ],
)
def test_each_engagement_rule_problem_is_reported_at_its_path(
    rule: dict[str, Any], path: str, message: str
) -> None:
    second = {**ENGAGEMENT, "activityKind": "EMAIL_OPEN", **rule}
    found = problems_with(engagementRules=[ENGAGEMENT, second])
    assert message in found[("engagementRules", "1", path)]


def test_an_engagement_rule_without_decay_is_accepted() -> None:
    rule = {**ENGAGEMENT, "halfLifeDays": None, "points": "0.5", "maxPoints": 1}
    assert problems_with(engagementRules=[rule]) == {}


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        ({"mqlThreshold": None}, ("mqlThreshold",), "required"),
        ({"mqlThreshold": -1}, ("mqlThreshold",), "at least 0"),
        ({"minFitScore": "x"}, ("minFitScore",), "finite decimal"),
        ({"handRaiseWindowDays": 0}, ("handRaiseWindowDays",), "between 1 and 365"),
        ({"handRaiseWindowDays": "7.5"}, ("handRaiseWindowDays",), "whole number"),
        ({"handRaiseKinds": ["DEMO_REQUEST", "HUG"]}, ("handRaiseKinds", "1"), "HUG"),
        ({"handRaiseKinds": "DEMO_REQUEST"}, ("handRaiseKinds",), "give a list"),
        ({"fitRules": {"a": 1}}, ("fitRules",), "give a list"),
        ({"fitRules": [RULE, 7]}, ("fitRules",), "item 2: give an object"),
        ({"fitRules": [RULE] * 101}, ("fitRules",), "at most 100 items"),
        (
            {"fitRules": [], "engagementRules": []},
            ("fitRules",),
            "at least one fit or engagement rule",
        ),
    ],
)
def test_model_level_problems_are_reported_at_their_paths(
    changes: dict[str, Any], path: tuple[str, ...], message: str
) -> None:
    assert message in problems_with(**changes)[path]


def test_no_hand_raise_kinds_need_no_window_and_a_negative_minimum_fit_is_fine() -> (
    None
):
    found = problems_with(handRaiseKinds=[], handRaiseWindowDays=None, minFitScore=-5)
    assert found == {}


def test_numbers_in_values_are_read_as_the_terms_reader_normalises_them() -> None:
    # given a size written with an exponent and trailing zeros, as a draft may be
    rule = {**RULE, "field": "companySize", "operator": "BETWEEN"}
    raw = {**TERMS, "fitRules": [{**rule, "values": ["1e2", "250.0"]}]}
    # when it is read as stored terms
    read = read_stored_terms(raw)
    # then it holds the canonical numbers an agreement signs, and scoring takes them
    assert read["fitRules"][0]["values"] == ["100", "250"]
    assert read_model(raw, revision=1).fit_rules[0].operands == (
        Decimal(100),
        Decimal(250),
    )


def test_terms_as_the_agreements_code_stores_them_are_read() -> None:
    # given canonical stored terms: decimals as Decimal, numbers in values
    # normalised, persona keys, a whole-day window
    stored = {
        "fitRules": [
            {**RULE, "points": Decimal("12.5")},
            {**RULE, "field": "persona", "values": ["12"], "points": Decimal(5)},
            {**RULE, "field": "companySize", "operator": "GTE", "values": ["100"]},
        ],
        "engagementRules": [{**ENGAGEMENT, "points": Decimal("0.5")}],
        "mqlThreshold": Decimal(50),
        "minFitScore": None,
        "handRaiseKinds": ["DEMO_REQUEST", "CONTACT_SALES"],
        "handRaiseWindowDays": 7,
    }
    # when they are read
    model = read_model(stored, revision=2)
    # then the model holds them, ready to compare
    assert model.revision == 2
    assert [r.operands for r in model.fit_rules] == [
        ("software",),
        ("12",),
        (Decimal(100),),
    ]
    assert model.max_fit == Decimal("27.5")  # industry 12.5, persona 5, size 10
    assert model.engagement_rules[ActivityKind.PAGE_VIEW].points == Decimal("0.5")
    assert model.hand_raise_kinds == {
        ActivityKind.DEMO_REQUEST,
        ActivityKind.CONTACT_SALES,
    }
    assert model.hand_raise_window_days == 7 and model.min_fit_score is None


def test_reading_invalid_terms_lists_every_problem() -> None:
    with pytest.raises(InvalidTerms) as refused:
        read_model({**TERMS, "mqlThreshold": None, "fitRules": [{}]}, revision=1)
    paths = {path for path, _ in refused.value.problems}
    assert ("mqlThreshold",) in paths and ("fitRules", "0", "field") in paths


def agreement_rule(field: FitField, operator: FitOperator) -> dict[str, Any]:
    """A fit rule the agreements code accepts for a field and an operator."""
    samples = {
        FitField.companySize: ["1e2", "250.0"],
        FitField.isCustomer: ["TRUE", "false"],
        FitField.persona: ["12", "13"],
    }
    values = samples.get(field, [" Retail ", "Software"])
    count = {FitOperator.BETWEEN: 2, FitOperator.IN: 2}.get(operator, 1)
    return {
        "field": field.value,
        "operator": operator.value,
        "values": values[:count],
        "points": "-2.50",
        "label": f" {field} {operator} ",
    }


def every_rule() -> list[dict[str, Any]]:
    """Every field with every operator it takes, as an agreement signs them."""
    return [
        agreement_rule(fit_field, operator)
        for fit_field in FitField
        for operator in FitOperator
        if operator in OPERATORS[fit_field]
    ]


def draft_terms(**changes: Any) -> dict[str, Any]:
    """Model terms as a draft stores them (persona values are row keys)."""
    raw = model_input(**changes)
    return read_model_terms(raw, lambda value: value if value.isdigit() else None)


def test_every_model_the_agreements_code_accepts_scoring_reads() -> None:
    # given every field with every operator it takes, as an agreement signs them
    rules = every_rule()
    stored = draft_terms(fitRules=rules, minFitScore="-1.0", handRaiseKinds=[])
    # when scoring checks and reads the stored terms
    # then it finds nothing wrong with them
    assert problems_of(stored) == {}
    assert len(read_model(stored, revision=1).fit_rules) == len(rules)


def test_reading_stored_terms_again_keeps_their_text_and_content_hash() -> None:
    # given terms as a draft stores them (canonical text, read back from it)
    text = canonical_json(draft_terms(fitRules=every_rule(), minFitScore="-1.0"))
    stored = load_terms(text)
    assert stored is not None
    # when the stored terms are read again
    again = read_stored_terms(stored)
    # then their canonical text, and so the hash both teams signed, is unchanged
    assert canonical_json(again) == text
    kind = AgreementKind.QUALIFICATION_MODEL
    assert activation_hash(kind, again) == activation_hash(kind, stored)
