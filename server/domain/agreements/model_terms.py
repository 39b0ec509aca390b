"""Qualification model terms: the qualified-lead definition (SPEC §2.2).

`read_model_terms` is the one reader of these terms: it checks a draft's input
before it is stored, hashed and signed, and (through
`server.domain.agreements.qualification_terms`) the stored terms scoring reads.

Fit rules score who a lead is, engagement rules what it did. Reading checks each
rule's field, operator and number of values; numbers in ``values`` are decimal
strings and are normalised (``"10.0"`` and ``"1e1"`` become ``"10"``) so the hash
does not depend on how they were written. Persona values are resolved to persona
keys by the caller's ``resolve_persona``. The limits: fit points may be negative;
engagement ``points`` and ``maxPoints`` are above 0 (``maxPoints`` ≥ ``points``),
one rule per activity kind; ``halfLifeDays`` is above 0, at most 3650, or null (no
decay); ``handRaiseWindowDays`` is a whole 1–365 (7 when not given);
``mqlThreshold`` is ≥ 0; ``minFitScore`` is optional and may be negative.

Reading is idempotent: terms it returned read back to themselves, so reading
stored terms again never changes their canonical text or content hash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.agreements.canonical import canonical_number
from server.domain.agreements.fit_rules import (
    ARITY,
    FLAG_FIELDS,
    ID_FIELDS,
    MAX_POINTS,
    MAX_THRESHOLD,
    NUMBER_FIELDS,
    OPERATORS,
    FitField,
    FitOperator,
)
from server.domain.agreements.terms import Reader, clean_text, finish, parse_decimal

DEFAULT_HAND_RAISE_WINDOW_DAYS = 7

PersonaResolver = Callable[[str], str | None]


def read_model_terms(
    raw: Mapping[str, Any],
    resolve_persona: PersonaResolver,
    path: tuple[str, ...] = ("terms",),
) -> dict[str, Any]:
    """Fit and engagement rules, the MQL threshold and the hand-raise rule."""
    r = Reader(raw, path)
    fit = [_fit_rule(rule, resolve_persona) for rule in r.children("fitRules")]
    engagement = _engagement_rules(r)
    if not fit and not engagement and not r.errors:
        r.fail("fitRules", "give at least one fit or engagement rule")
    window = r.integer("handRaiseWindowDays", low=1, high=365, required=False)
    min_fit = r.decimal(
        "minFitScore", low=-MAX_THRESHOLD, high=MAX_THRESHOLD, required=False
    )
    terms: dict[str, Any] = {
        "fitRules": fit,
        "engagementRules": engagement,
        "mqlThreshold": r.decimal("mqlThreshold", low=0, high=MAX_THRESHOLD),
        "minFitScore": min_fit,
        "handRaiseKinds": r.choices("handRaiseKinds", ActivityKind),
        "handRaiseWindowDays": window or DEFAULT_HAND_RAISE_WINDOW_DAYS,
    }
    return finish(r, terms)


def _fit_rule(r: Reader, resolve_persona: PersonaResolver) -> dict[str, Any]:
    field = r.value("field", True)
    operator = r.choice("operator", FitOperator)
    named = isinstance(field, str) and field in FitField.__members__
    known = FitField(field) if named else None
    allowed = OPERATORS[known] if known else None
    if field is not None and allowed is None:
        r.fail("field", f"unknown field {field!r}; use {', '.join(FitField)}")
    elif allowed is not None and operator and operator not in allowed:
        names = ", ".join(o.value for o in FitOperator if o in allowed)
        r.fail("operator", f"{field} takes {names}")
    values = (
        _values(r, str(field), operator, resolve_persona)
        if allowed and operator
        else []
    )
    return {
        "field": field,
        "operator": operator,
        "values": values,
        "points": r.decimal("points", low=-MAX_POINTS, high=MAX_POINTS),
        "label": r.text("label"),
    }


def _values(
    r: Reader, field: str, operator: str, resolve_persona: PersonaResolver
) -> list[str]:
    raw = r.value("values", True)
    if raw is None:
        return []
    fewest, most = ARITY[FitOperator(operator)]
    if not isinstance(raw, list | tuple) or not fewest <= len(raw) <= most:
        count = str(fewest) if fewest == most else f"{fewest}–{most}"
        r.fail("values", f"{operator} takes {count} value(s)")
        return []
    values = [
        _value(r, (field, str(i)), item, resolve_persona) for i, item in enumerate(raw)
    ]
    if operator == FitOperator.BETWEEN and None not in values:
        low, high = (Decimal(v) for v in values if v is not None)
        if low > high:
            r.fail("values", "BETWEEN takes the lower bound first")
    return [v for v in values if v is not None]


def _value(
    r: Reader, at: tuple[str, str], item: Any, resolve_persona: PersonaResolver
) -> str | None:
    field, index = at
    where = ("values", index)
    text = clean_text(item) if isinstance(item, str) else ""
    normalised: str | None
    if field in NUMBER_FIELDS:
        number = parse_decimal(text)
        small = number is not None and abs(number) <= MAX_THRESHOLD
        normalised = canonical_number(number) if small and number is not None else None
        why = 'give a number as a decimal string, such as "250"'

    elif field in FLAG_FIELDS:
        normalised = text.lower() if text.lower() in ("true", "false") else None
        why = 'give "true" or "false"'
    elif field in ID_FIELDS:
        normalised = resolve_persona(text) if text else None
        why = "give the ID of a persona"
    else:
        normalised = text if 0 < len(text) <= 200 else None
        why = "give 1–200 characters"
    if normalised is None:
        r.fail_at(where, why)
    return normalised


def _engagement_rules(r: Reader) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    seen: set[str] = set()
    for rule in r.children("engagementRules"):
        kind = rule.choice("activityKind", ActivityKind)
        if kind and kind in seen:
            rule.fail("activityKind", f"{kind} already has a rule")
        seen.add(kind)
        points = rule.decimal("points", above=0, high=MAX_POINTS)
        cap = rule.decimal("maxPoints", above=0, high=MAX_POINTS)
        if points is not None and cap is not None and cap < points:
            rule.fail("maxPoints", "must be at least points")
        half_life = rule.decimal("halfLifeDays", above=0, high=3650, required=False)
        rules.append(
            {
                "activityKind": kind,
                "points": points,
                "maxPoints": cap,
                "halfLifeDays": half_life,
            }
        )
    return rules


def persona_keys(terms: Mapping[str, Any]) -> set[int]:
    """The personas a model's fit rules name."""
    return {
        int(value)
        for rule in terms.get("fitRules", [])
        if rule["field"] == FitField.persona
        for value in rule["values"]
    }
