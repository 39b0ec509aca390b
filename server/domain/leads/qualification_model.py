"""The qualification model in force, read once into values scoring uses quickly.

`read_model` turns stored terms (read back by `read_stored_terms`, so exactly
the terms an agreement can sign) into a `QualificationModel`: rule values already
parsed into what they are compared with, and the maximum achievable fit
computed, so scoring many leads against one model repeats no parsing.
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
from server.domain.agreements.qualification_terms import read_stored_terms

Operand = Decimal | str | bool
# Rule numbers have up to 24 significant digits: sums and products of them stay
# exact in 60 (the default context keeps 28).
EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN)


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


# Scores need a model; without one the sums are still kept, undecayed, and are
# rebuilt when a model with half-lives comes into force.
NO_MODEL = QualificationModel(
    revision=0,
    fit_rules=(),
    engagement_rules={},
    mql_threshold=Decimal(0),
    min_fit_score=None,
    hand_raise_kinds=frozenset(),
    hand_raise_window_days=None,
    max_fit=Decimal(0),
)


def read_model(stored: Mapping[str, Any], revision: int) -> QualificationModel:
    """The model for terms in force at ``revision``; `InvalidTerms` if they are
    not valid (stored terms always are: they were read the same way before
    signing)."""
    terms = read_stored_terms(stored)
    fit_rules = tuple(_fit_rule(raw) for raw in terms["fitRules"])
    engagement = (_engagement_rule(raw) for raw in terms["engagementRules"])
    min_fit = terms["minFitScore"]
    return QualificationModel(
        revision=revision,
        fit_rules=fit_rules,
        engagement_rules={rule.activity_kind: rule for rule in engagement},
        mql_threshold=terms["mqlThreshold"],
        min_fit_score=min_fit,
        hand_raise_kinds=frozenset(ActivityKind(k) for k in terms["handRaiseKinds"]),
        hand_raise_window_days=Decimal(terms["handRaiseWindowDays"]),
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


def _fit_rule(rule: Mapping[str, Any]) -> FitRule:
    """A fit rule as `read_model_terms` returns it: numbers in ``values`` are
    canonical decimal strings, flags ``"true"`` or ``"false"``, text trimmed."""
    fit_field = FitField(rule["field"])
    values = tuple(rule["values"])
    return FitRule(
        field=fit_field,
        operator=FitOperator(rule["operator"]),
        values=values,
        points=rule["points"],
        label=rule["label"],
        operands=tuple(_operand(fit_field, v) for v in values),
    )


def _operand(fit_field: FitField, value: str) -> Operand:
    if fit_field in NUMBER_FIELDS:
        return Decimal(value)
    if fit_field in FLAG_FIELDS:
        return value == "true"
    if fit_field in ID_FIELDS:
        return value
    return comparable_text(value)


def _engagement_rule(rule: Mapping[str, Any]) -> EngagementRule:
    return EngagementRule(
        activity_kind=ActivityKind(rule["activityKind"]),
        points=rule["points"],
        max_points=rule["maxPoints"],
        half_life_days=rule["halfLifeDays"],
    )
