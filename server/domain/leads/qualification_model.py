"""The qualification model in force, read once into values scoring uses quickly.

`read_model` turns stored terms (as `check_terms` accepts them) into a
`QualificationModel`: rule values already parsed into what they are compared
with, and the maximum achievable fit computed, so scoring many leads against one
model repeats no parsing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Any

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.agreements.fit_rules import (
    FLAG_FIELDS,
    ID_FIELDS,
    NUMBER_FIELDS,
    FitField,
    FitOperator,
)
from server.domain.agreements.qualification_terms import (
    Problem,
    check_terms,
    parse_flag,
    parse_number,
)

Operand = Decimal | str | bool
# Rule numbers have up to 24 significant digits: sums and products of them stay
# exact in 60 (the default context keeps 28).
EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN)


class InvalidTerms(ValueError):
    """Terms that `check_terms` refuses; ``problems`` lists why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{'.'.join(p)}: {m}" for p, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class FitRule:
    """``operands`` are ``values`` as compared: decimals for numbers, booleans
    for flags, case-folded text for text fields, trimmed text for persona IDs."""

    field: FitField
    operator: FitOperator
    values: tuple[str, ...]
    points: Decimal
    label: str
    operands: tuple[Operand, ...]


@dataclass(frozen=True)
class EngagementRule:
    """Each activity of the kind adds ``points × 0.5^(ageDays / halfLifeDays)``
    (no decay when ``half_life_days`` is None); the kind adds at most
    ``max_points``."""

    activity_kind: ActivityKind
    points: Decimal
    max_points: Decimal
    half_life_days: Decimal | None


@dataclass(frozen=True)
class QualificationModel:
    revision: int
    fit_rules: tuple[FitRule, ...]
    engagement_rules: Mapping[ActivityKind, EngagementRule]
    mql_threshold: Decimal
    min_fit_score: Decimal | None
    hand_raise_kinds: frozenset[ActivityKind]
    hand_raise_window_days: Decimal | None
    max_fit: Decimal

    def half_life(self, kind: ActivityKind) -> Decimal | None:
        """The half-life decaying ``kind``; None when it does not decay or when
        the model has no rule for it (such activities are only counted)."""
        rule = self.engagement_rules.get(kind)
        return rule.half_life_days if rule else None


def read_model(terms: Mapping[str, Any], revision: int) -> QualificationModel:
    """The model for terms in force at ``revision``; `InvalidTerms` if they are
    not valid (stored terms always are: they were checked before signing)."""
    problems = check_terms(terms)
    if problems:
        raise InvalidTerms(problems)
    fit_rules = tuple(_fit_rule(raw) for raw in terms.get("fitRules") or [])
    engagement = (_engagement_rule(raw) for raw in terms.get("engagementRules") or [])
    window = terms.get("handRaiseWindowDays")
    min_fit = terms.get("minFitScore")
    return QualificationModel(
        revision=revision,
        fit_rules=fit_rules,
        engagement_rules={rule.activity_kind: rule for rule in engagement},
        mql_threshold=_number(terms["mqlThreshold"]),
        min_fit_score=None if min_fit is None else _number(min_fit),
        hand_raise_kinds=frozenset(
            ActivityKind(k) for k in terms.get("handRaiseKinds") or []
        ),
        hand_raise_window_days=None if window is None else _number(window),
        max_fit=max_achievable_fit(fit_rules),
    )


def max_achievable_fit(rules: tuple[FitRule, ...]) -> Decimal:
    """The sum over fields of the largest positive points any rule on that field
    can give (a field whose rules are all negative contributes 0)."""
    best: dict[FitField, Decimal] = {}
    for rule in rules:
        best[rule.field] = max(best.get(rule.field, Decimal(0)), rule.points)
    with localcontext(EXACT):
        return sum(best.values(), Decimal(0))


def comparable_text(text: str) -> str:
    """Text as fit rules compare it: Unicode NFC, trimmed, case-folded."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def _fit_rule(raw: Mapping[str, Any]) -> FitRule:
    fit_field = FitField(raw["field"])
    values = tuple(raw["values"])
    return FitRule(
        field=fit_field,
        operator=FitOperator(raw["operator"]),
        values=values,
        points=_number(raw["points"]),
        label=raw["label"].strip(),
        operands=tuple(_operand(fit_field, v) for v in values),
    )


def _operand(fit_field: FitField, value: str) -> Operand:
    if fit_field in NUMBER_FIELDS:
        return _number(value)
    if fit_field in FLAG_FIELDS:
        return parse_flag(value) is True
    if fit_field in ID_FIELDS:
        return value.strip()
    return comparable_text(value)


def _engagement_rule(raw: Mapping[str, Any]) -> EngagementRule:
    half_life = raw.get("halfLifeDays")
    return EngagementRule(
        activity_kind=ActivityKind(raw["activityKind"]),
        points=_number(raw["points"]),
        max_points=_number(raw["maxPoints"]),
        half_life_days=None if half_life is None else _number(half_life),
    )


def _number(raw: Any) -> Decimal:
    number = parse_number(raw)
    if number is None:  # check_terms has refused this already
        raise ValueError(f"not a decimal: {raw!r}")
    return number
