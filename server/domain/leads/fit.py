"""Fit: how well a lead matches the model's demographic rules (SPEC §2.2).

Comparison rules (where the spec leaves them open):
- a rule on an unknown field (None, or blank text) never matches, so a negative
  rule on a missing field takes nothing away;
- text fields (``industry``, ``jobTitle``, ``seniority``, ``country``,
  ``source``) compare case-insensitively after Unicode NFC and trimming;
  ``CONTAINS`` is a substring test (``"vp"`` matches ``"SVP Sales"``);
- ``companySize`` compares as a number, ``BETWEEN`` including both ends;
- ``isCustomer`` compares with ``"true"``/``"false"``;
- ``persona`` compares the persona's key exactly, as text;
- every matching rule adds its points, several on one field included.

Grades compare the unrounded fit with the maximum achievable fit: ``A`` from 75 %,
``B`` from 50 %, ``C`` from 25 %, else ``D``. When the maximum achievable fit is 0
(no rule gives positive points) a lead is ``A`` unless negative rules took its
fit below 0, then ``D``: it has everything the model can give.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, cast

from server.domain.agreements.fit_rules import (
    FLAG_FIELDS,
    ID_FIELDS,
    NUMBER_FIELDS,
    FitField,
    FitOperator,
)
from server.domain.leads.attributes import LeadAttributes
from server.domain.leads.qualification_model import FitRule, Operand, comparable_text

_ATTRIBUTE = {
    FitField.companySize: "company_size",
    FitField.industry: "industry",
    FitField.jobTitle: "job_title",
    FitField.seniority: "seniority",
    FitField.country: "country",
    FitField.source: "source",
    FitField.persona: "persona",
    FitField.isCustomer: "is_customer",
}
_GRADE_SHARES = (("A", 75), ("B", 50), ("C", 25))


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


def lead_value(lead: LeadAttributes, fit_field: FitField) -> Operand | None:
    """The lead's value for a field as rules compare it; None when unknown."""
    return value_of(fit_field, getattr(lead, _ATTRIBUTE[fit_field]))


def attribute_of(fit_field: FitField) -> str:
    """The `LeadAttributes` attribute a field reads."""
    return _ATTRIBUTE[fit_field]


def value_of(fit_field: FitField, raw: Any) -> Operand | None:
    """`lead_value` from the lead's attribute as given (``raw``)."""
    if raw is None:
        return None
    if fit_field in NUMBER_FIELDS:
        return Decimal(raw)
    if fit_field in FLAG_FIELDS:
        return bool(raw)
    text = str(raw).strip() if fit_field in ID_FIELDS else comparable_text(raw)
    return text or None


def shown_value(lead: LeadAttributes, fit_field: FitField) -> str:
    """The lead's value for a field as a breakdown shows it."""
    raw = getattr(lead, _ATTRIBUTE[fit_field])
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw).strip()


def rule_matches(rule: FitRule, value: Operand | None) -> bool:
    """Whether a rule matches a lead value taken with `lead_value`."""
    if value is None:
        return False
    operands = rule.operands
    match rule.operator:
        case FitOperator.EQ | FitOperator.IN:
            return value in operands
        case FitOperator.CONTAINS:
            return isinstance(value, str) and cast(str, operands[0]) in value
    if not isinstance(value, Decimal):
        return False
    return _in_range(rule.operator, value, cast(Sequence[Decimal], operands))


def _in_range(operator: FitOperator, value: Decimal, bounds: Sequence[Decimal]) -> bool:
    if operator is FitOperator.GTE:
        return value >= bounds[0]
    if operator is FitOperator.LTE:
        return value <= bounds[0]
    return bounds[0] <= value <= bounds[1]


def grade_for(fit: Decimal, max_fit: Decimal) -> Grade:
    """The grade of a fit score against the maximum achievable fit."""
    if max_fit <= 0:
        return Grade.A if fit >= 0 else Grade.D
    for grade, share in _GRADE_SHARES:
        if fit * 100 >= max_fit * share:
            return Grade(grade)
    return Grade.D


@lru_cache(maxsize=4096)
def describe_rule(rule: FitRule) -> str:
    """The rule in words, such as ``companySize between 50 and 500``."""
    values = rule.values
    match rule.operator:
        case FitOperator.EQ:
            test = f"is {values[0]}"
        case FitOperator.IN:
            test = f"is one of {', '.join(values)}"
        case FitOperator.GTE:
            test = f"is at least {values[0]}"
        case FitOperator.LTE:
            test = f"is at most {values[0]}"
        case FitOperator.BETWEEN:
            test = f"is between {values[0]} and {values[1]}"
        case FitOperator.CONTAINS:
            test = f'contains "{values[0]}"'
    return f"{rule.field} {test}"
