"""Checking qualification-model terms before anyone signs them (SPEC §2.2).

`check_terms` takes terms as the API spells them (``fitRules``, ``engagementRules``,
``mqlThreshold``, ``minFitScore``, ``handRaiseKinds``, ``handRaiseWindowDays``) and
returns every problem as ``(path, message)``, the path pointing into the terms, for
example ``("fitRules", "2", "values")``. An empty list means scoring can use them.

The rules it enforces, beyond types:
- a fit rule's operator must suit its field: ``companySize`` is a number (``EQ``,
  ``IN``, ``GTE``, ``LTE``, ``BETWEEN``); ``industry``, ``jobTitle``,
  ``seniority``, ``country`` and ``source`` are text (``EQ``, ``IN``,
  ``CONTAINS``); ``persona`` is an identifier and ``isCustomer`` a flag (``EQ``,
  ``IN``);
- ``values`` holds one string for ``EQ``, ``GTE``, ``LTE`` and ``CONTAINS``, two
  for ``BETWEEN`` (low first, low ≤ high), one or more for ``IN``; numbers are
  plain decimal strings (``"50"``, ``"12.5"``; no exponents), flags ``"true"`` or
  ``"false"``;
- fit points may be negative; engagement ``points`` and ``maxPoints`` are ≥ 0, so
  more engagement never lowers a score; one engagement rule per activity kind;
- ``halfLifeDays`` is > 0 or null (no decay); ``handRaiseWindowDays`` is > 0 and
  required when ``handRaiseKinds`` is not empty; ``mqlThreshold`` is required and
  ≥ 0; ``minFitScore`` is optional (null: no minimum) and may be negative.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.agreements.fit_rules import (
    ARITY,
    FLAG_FIELDS,
    MAX_POINTS,
    MAX_THRESHOLD,
    MAX_VALUES,
    NUMBER_FIELDS,
    OPERATORS,
    FitField,
    FitOperator,
)

Path = tuple[str, ...]
Problem = tuple[Path, str]
E = TypeVar("E", bound=StrEnum)

MAX_RULES = 100
MAX_TEXT = 200
MAX_DAYS = Decimal(36500)
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def check_terms(terms: Mapping[str, Any]) -> list[Problem]:
    """Every problem in qualification-model terms, each with its path."""
    problems: list[Problem] = []
    for path, rule in _objects(terms.get("fitRules"), ("fitRules",), problems):
        _check_fit_rule(rule, path, problems)
    kinds: set[ActivityKind] = set()
    engagement = _objects(terms.get("engagementRules"), ("engagementRules",), problems)
    for path, rule in engagement:
        _check_engagement_rule(rule, path, kinds, problems)
    _check_thresholds(terms, problems)
    _check_hand_raise(terms, problems)
    return problems


def parse_number(raw: Any) -> Decimal | None:
    """A finite decimal from an int, a Decimal, a float or a plain decimal string."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if not _DECIMAL_TEXT.fullmatch(raw):
            return None
    try:
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def parse_flag(raw: str) -> bool | None:
    return {"true": True, "false": False}.get(raw.strip().lower())


def parse_choice(allowed: type[E], raw: Any) -> E | None:
    """The enum member spelt ``raw`` (a member or its value), else None."""
    try:
        return allowed(raw)
    except ValueError:
        return None


def _objects(
    raw: Any, path: Path, problems: list[Problem]
) -> list[tuple[Path, Mapping[str, Any]]]:
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append((path, "give a list"))
        return []
    if len(raw) > MAX_RULES:
        problems.append((path, f"give at most {MAX_RULES} rules"))
    found = []
    for i, item in enumerate(raw):
        if isinstance(item, Mapping):
            found.append(((*path, str(i)), item))
        else:
            problems.append(((*path, str(i)), "give an object"))
    return found


def _check_fit_rule(
    rule: Mapping[str, Any], path: Path, problems: list[Problem]
) -> None:
    fit_field = _choice(FitField, rule, "field", path, problems)
    operator = _choice(FitOperator, rule, "operator", path, problems)
    if fit_field and operator and operator not in OPERATORS[fit_field]:
        usable = ", ".join(sorted(OPERATORS[fit_field]))
        message = f"{operator} does not apply to {fit_field}; use {usable}"
        problems.append(((*path, "operator"), message))
    values = _strings(rule.get("values"), (*path, "values"), problems)
    if values is not None and operator is not None:
        _check_values(fit_field, operator, values, (*path, "values"), problems)
    _number(rule, "points", path, problems, low=-MAX_POINTS, high=MAX_POINTS)
    label = rule.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_TEXT:
        problems.append(((*path, "label"), f"give 1–{MAX_TEXT} characters"))


def _strings(raw: Any, path: Path, problems: list[Problem]) -> list[str] | None:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append((path, "give a list of strings"))
        return None
    if len(raw) > MAX_VALUES:
        problems.append((path, f"give at most {MAX_VALUES} values"))
        return None
    bad = [i for i, v in enumerate(raw) if not isinstance(v, str)]
    if bad:
        problems.append((path, f"item {bad[0] + 1}: give a string"))
        return None
    return list(raw)


def _check_values(
    fit_field: FitField | None,
    operator: FitOperator,
    values: list[str],
    path: Path,
    problems: list[Problem],
) -> None:
    arity = _arity_problem(operator, len(values))
    if arity:
        problems.append((path, arity))
    elif fit_field in NUMBER_FIELDS:
        _check_numbers(operator, values, path, problems)
    elif fit_field in FLAG_FIELDS:
        if any(parse_flag(v) is None for v in values):
            problems.append((path, 'give "true" or "false"'))
    elif any(not v.strip() or len(v) > MAX_TEXT for v in values):
        problems.append((path, f"each value needs 1–{MAX_TEXT} characters"))


def _arity_problem(operator: FitOperator, count: int) -> str | None:
    fewest, most = ARITY[operator]
    if fewest <= count <= most:
        return None
    if operator is FitOperator.BETWEEN:
        return "give two values, the low and the high end"
    if operator is FitOperator.IN:
        return "give at least one value"
    return f"{operator} takes exactly one value"


def _check_numbers(
    operator: FitOperator, values: list[str], path: Path, problems: list[Problem]
) -> None:
    numbers = [parse_number(v) for v in values]
    found = [n for n in numbers if n is not None and abs(n) <= MAX_THRESHOLD]
    if len(found) < len(numbers):
        problems.append((path, 'give numbers as decimal strings, such as "250"'))
    elif operator is FitOperator.BETWEEN and found[0] > found[1]:
        problems.append((path, "the low end is above the high end"))


def _check_engagement_rule(
    rule: Mapping[str, Any],
    path: Path,
    kinds: set[ActivityKind],
    problems: list[Problem],
) -> None:
    kind = _choice(ActivityKind, rule, "activityKind", path, problems)
    if kind in kinds:
        problems.append(((*path, "activityKind"), f"{kind} already has a rule"))
    elif kind is not None:
        kinds.add(kind)
    _number(rule, "points", path, problems, low=Decimal(0), high=MAX_POINTS)
    _number(rule, "maxPoints", path, problems, low=Decimal(0), high=MAX_POINTS)
    _days(rule, "halfLifeDays", path, problems, required=False)


def _check_thresholds(terms: Mapping[str, Any], problems: list[Problem]) -> None:
    _number(terms, "mqlThreshold", (), problems, low=Decimal(0), high=MAX_THRESHOLD)
    if terms.get("minFitScore") is not None:
        limit = MAX_THRESHOLD
        _number(terms, "minFitScore", (), problems, low=-limit, high=limit)


def _check_hand_raise(terms: Mapping[str, Any], problems: list[Problem]) -> None:
    raw = terms.get("handRaiseKinds") or []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append((("handRaiseKinds",), "give a list of activity kinds"))
        raw = []
    for i, item in enumerate(raw):
        if parse_choice(ActivityKind, item) is None:
            problems.append((("handRaiseKinds", str(i)), _unknown(ActivityKind, item)))
    _days(terms, "handRaiseWindowDays", (), problems, required=bool(raw))


def _choice(
    allowed: type[E],
    raw: Mapping[str, Any],
    key: str,
    path: Path,
    problems: list[Problem],
) -> E | None:
    found = parse_choice(allowed, raw.get(key))
    if found is None:
        problems.append(((*path, key), _unknown(allowed, raw.get(key))))
    return found


def _unknown(allowed: type[StrEnum], raw: Any) -> str:
    if raw is None:
        return "this field is required"
    return f"unknown value {raw!r}; use one of {', '.join(allowed)}"


def _number(
    raw: Mapping[str, Any],
    key: str,
    path: Path,
    problems: list[Problem],
    *,
    low: Decimal,
    high: Decimal,
) -> None:
    if raw.get(key) is None:
        problems.append(((*path, key), "this field is required"))
        return
    number = parse_number(raw[key])
    if number is None:
        problems.append(((*path, key), "give a finite decimal number"))
    elif not low <= number <= high:
        problems.append(((*path, key), f"must be between {low} and {high}"))


def _days(
    raw: Mapping[str, Any],
    key: str,
    path: Path,
    problems: list[Problem],
    *,
    required: bool,
) -> None:
    if raw.get(key) is None:
        if required:
            problems.append(((*path, key), "this field is required"))
        return
    number = parse_number(raw[key])
    if number is None or not 0 < number <= MAX_DAYS:
        problems.append(
            ((*path, key), f"give a number of days above 0, at most {MAX_DAYS}")
        )
