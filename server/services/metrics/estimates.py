"""The simulator's fast path: each lead's verdict under a model, from sums the
database computes in floating point, kept only where it is certain.

`server.domain.leads.scoring.quick_score` decides a lead with exact decimals:
it qualifies when its fit reaches ``minFitScore``, its cycle counts (no
re-entered cycle, or an activity in it) and either ``score ≥ mqlThreshold`` or
a hand-raise happened within the window. ``score`` is the raw score rounded
half up, so ``score ≥ T`` exactly when the engagement reaches
``need = ⌈T⌉ − ½ − fit``. Per lead of a chunk, one statement gives, beside the
lead's fit values and outcome:

- the engagement as a float (each ruled kind's ``points × weight × ½^(age /
  halfLife)``, capped), and the sum of its terms' magnitudes;
- whether any stored tally was summed with another half-life than the
  model's (or has an instant the database cannot read): such a lead is scored
  by the exact path, which rebuilds it from its activities;
- the age in days of its latest hand-raise kind's activity; its activity count.

The float engagement differs from the exact one by less than `margin` (a few
binary roundings, the 9-place rounding of each kind, and the ages the database
takes: to the microsecond on PostgreSQL, the millisecond on SQLite), and the
hand-raise age by less than `_RAISE_MARGIN`. A verdict is certain when the
estimate is farther than that from the line; otherwise it is None and the
caller scores the lead exactly. The estimates only sort leads; every number
reported still comes out as the exact scoring would give it (the differential
tests compare both on random models and leads).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.leads.qualification_model import QualificationModel

# Days: the estimate of a hand-raise's age is this close to the window at worst
# (SQLite reads instants to the millisecond: about 1.2e-8 days each).
_RAISE_MARGIN = 1e-6
# Days an engagement age may be off by: PostgreSQL keeps microseconds (the
# error is the float division's), SQLite's julianday milliseconds.
_AGE_ERROR = {"postgres": 1e-9, "sqlite": 3e-8}
# Exponents of ½ past which a weight is 0 to the 9 places kept (PostgreSQL
# refuses to underflow): 2^-1000 ≈ 1e-301.
_FLOOR_EXPONENT = 1000


@dataclass(frozen=True)
class Line:
    """What a model's verdict on a lead of one fit needs beside the sums:
    None when the fit is below ``minFitScore`` (the lead never qualifies)."""

    need: float  # the engagement that makes ``score ≥ mqlThreshold``
    slack: float  # the part of the margin the conversions of ``need`` add


def line_of(model: QualificationModel, fit: Decimal) -> Line | None:
    if model.min_fit_score is not None and fit < model.min_fit_score:
        return None
    need = (
        model.mql_threshold.to_integral_value(rounding=ROUND_CEILING)
        - Decimal("0.5")
        - fit
    )
    needed = float(need)  # rule numbers are bounded (at most 10^6 points)
    return Line(needed, 1e-12 * abs(needed))


@dataclass(frozen=True)
class _Columns:
    """Where a model's sums are in a row (None: the model has none)."""

    engagement: int | None
    magnitude: int | None
    stale: int
    raised: int | None


class Estimates:
    """The chunk statement for some models and each lead's verdicts from its
    row: ``row[:10]`` is the lead (id, the eight fit values, its cycle's
    start), ``row[10]`` its outcome, ``row[11]`` its activity count."""

    FIRST = 12

    def __init__(self, models: Sequence[QualificationModel], dialect: str) -> None:
        self.models = tuple(models)
        self._sql = _Sql(dialect)
        self._selected: list[str] = []
        self._columns = [self._plan(model) for model in self.models]
        self._margins = [_relative_error(m, dialect) for m in self.models]
        self._windows = [
            None
            if m.hand_raise_window_days is None or not m.hand_raise_kinds
            else float(m.hand_raise_window_days)
            for m in self.models
        ]

    def statement(
        self, lead_columns: Sequence[str], after: int, size: int, now: datetime
    ) -> tuple[str, list[Any]]:
        """The chunk of ``size`` leads after id ``after``: per lead its
        ``lead_columns``, its outcome (1: won or accepted by sales, 0: only
        rejected, NULL: neither), its activity count and the sums."""
        sql = self._sql
        raising = sorted(set().union(*(m.hand_raise_kinds for m in self.models)))
        at = sql.instant()
        params: list[Any] = [after, size, sql.now(now)]
        raised = "NULL"
        if raising:
            raised = (
                f"CASE WHEN kind IN ({_kinds(raising)}) "
                f"THEN {sql.age(at, 'latest_at')} END"
            )
            params.append(sql.now(now))
        params += [after, after]
        picked = ", ".join(f"l.{c}" for c in lead_columns)
        sums = "".join(
            f", {expression} AS s{n}" for n, expression in enumerate(self._selected)
        )
        named = "".join(f", s.s{n}" for n in range(len(self._selected)))
        ends = "lead_id > ? AND lead_id <= (SELECT MAX(id) FROM chunk)"
        text = (
            f"WITH chunk AS (SELECT {picked}, l.stage = 'WON' AS won FROM lead l "
            "WHERE l.id > ? ORDER BY l.id LIMIT ?), "
            f"sums AS (SELECT e.lead_id, SUM(e.count) AS activities{sums} FROM "
            f"(SELECT lead_id, kind, weight, count, half_life_days, "
            f"{sql.age(at, 'as_of')} AS age, {raised} AS raised "
            f"FROM lead_engagement WHERE {ends}) e GROUP BY e.lead_id), "
            # 1 when a chain was accepted, 0 when one was rejected and none
            "chains AS (SELECT lead_id, MAX(CASE decision WHEN 'ACCEPTED' THEN 1 "
            "WHEN 'REJECTED' THEN 0 END) AS decided FROM handoff_chain "
            f"WHERE {ends} GROUP BY lead_id) "
            f"SELECT {', '.join('c.' + c for c in lead_columns)}, "
            "CASE WHEN c.won OR h.decided = 1 THEN 1 WHEN h.decided = 0 THEN 0 END, "
            f"s.activities{named} FROM chunk c "
            "LEFT JOIN sums s ON s.lead_id = c.id "
            "LEFT JOIN chains h ON h.lead_id = c.id ORDER BY c.id"
        )
        return text, params

    def verdicts(
        self, row: Sequence[Any], lines: Sequence[Line | None]
    ) -> list[bool | None]:
        """Each model's verdict on the lead (``lines[i]`` for its fit under
        ``models[i]``): True or False when certain, None when not."""
        in_cycle = row[9] is None or (row[11] or 0) > 0
        found: list[bool | None] = []
        for n, line in enumerate(lines):
            if line is None:
                found.append(False)
                continue
            columns = self._columns[n]
            if row[columns.stale]:
                found.append(None)
                continue
            if not in_cycle:
                found.append(False)
                continue
            engagement = 0.0
            magnitude = 0.0
            if columns.engagement is not None:
                engagement = row[columns.engagement] or 0.0
                magnitude = (
                    abs(engagement)
                    if columns.magnitude is None
                    else row[columns.magnitude] or 0.0
                )
            margin = 1e-6 + self._margins[n] * magnitude + line.slack
            if engagement >= line.need + margin:
                found.append(True)
                continue
            scored = None if engagement >= line.need - margin else False
            raised = self._raised(n, row)
            found.append(
                True if raised else None if raised is None or scored is None else False
            )
        return found

    def _raised(self, n: int, row: Sequence[Any]) -> bool | None:
        """Whether the lead hand-raised within the window (None: too close)."""
        window = self._windows[n]
        column = self._columns[n].raised
        if window is None or column is None or row[column] is None:
            return False
        age = row[column]
        margin = _RAISE_MARGIN + 1e-12 * abs(window)
        if age <= window - margin:
            return True
        return None if age <= window + margin else False

    def _plan(self, model: QualificationModel) -> _Columns:
        sql = self._sql
        cases = []
        negative = False
        for kind, rule in sorted(model.engagement_rules.items()):
            points, cap = float(rule.points), float(rule.max_points)
            if rule.half_life_days is None:
                earned = f"{sql.number(points)} * e.count"
            else:
                half_life = float(rule.half_life_days)
                exponent = f"{sql.greatest('e.age', '0')} / {sql.number(half_life)}"
                decay = (
                    f"CASE WHEN {exponent} > {_FLOOR_EXPONENT} THEN 0 "
                    f"ELSE power({sql.number(0.5)}, {exponent}) END"
                )
                earned = f"{sql.number(points)} * (e.weight * {decay})"
            cases.append(
                f"WHEN '{kind.value}' THEN {sql.least(sql.number(cap), earned)}"
            )
            negative = negative or rule.points < 0 or rule.max_points < 0
        engagement = magnitude = None
        if cases:
            by_kind = f"CASE e.kind {' '.join(cases)} ELSE 0 END"
            term = f"CASE WHEN e.count > 0 THEN {by_kind} ELSE 0 END"
            engagement = self._select(f"SUM({term})")
            if negative:
                magnitude = self._select(f"SUM(ABS({term}))")
        stale = self._select(f"MAX(CASE WHEN {self._stale(model)} THEN 1 ELSE 0 END)")
        raised = None
        if model.hand_raise_kinds and model.hand_raise_window_days is not None:
            kinds = _kinds(model.hand_raise_kinds)
            raised = self._select(
                f"MIN(CASE WHEN e.kind IN ({kinds}) THEN e.raised END)"
            )
        return _Columns(engagement, magnitude, stale, raised)

    def _stale(self, model: QualificationModel) -> str:
        sql = self._sql
        checks = [
            f"WHEN '{kind.value}' THEN {sql.other_half_life(rule.half_life_days)}"
            for kind, rule in sorted(model.engagement_rules.items())
        ]
        which = "e.half_life_days IS NOT NULL"  # for kinds without a rule
        if checks:
            which = f"CASE e.kind {' '.join(checks)} ELSE {which} END"
        unread = "e.age IS NULL"
        if model.hand_raise_kinds:
            raising = _kinds(model.hand_raise_kinds)
            unread += f" OR (e.kind IN ({raising}) AND e.raised IS NULL)"
        return f"{unread} OR {which}"

    def _select(self, expression: str) -> int:
        """The row index of an aggregate (models with equal rules share it)."""
        if expression not in self._selected:
            self._selected.append(expression)
        return self.FIRST + self._selected.index(expression)


def _relative_error(model: QualificationModel, dialect: str) -> float:
    """The relative error of the float engagement: roundings, and the decay
    of the shortest half-life over the error of an age."""
    shortest = min(
        (r.half_life_days for r in model.engagement_rules.values() if r.half_life_days),
        default=None,
    )
    if shortest is None:
        return 1e-9
    return 1e-9 + math.log(2) * _AGE_ERROR[dialect] / float(shortest)


def _kinds(kinds: Any) -> str:
    return ", ".join(f"'{ActivityKind(k).value}'" for k in sorted(kinds))


class _Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def instant(self) -> str:
        return "?::timestamptz" if self.dialect == "postgres" else "?"

    def now(self, now: datetime) -> Any:
        return now if self.dialect == "postgres" else now.isoformat(" ")

    def age(self, now: str, column: str) -> str:
        if self.dialect == "postgres":
            return f"date_part('epoch', {now} - {column}) / 86400.0"
        return f"(julianday({now}) - julianday({column}))"

    def number(self, value: float) -> str:
        text = repr(value)
        return f"{text}::float8" if self.dialect == "postgres" else text

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.dialect == "postgres" else f"min({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.dialect == "postgres" else f"max({a}, {b})"

    def other_half_life(self, half_life: Decimal | None) -> str:
        """The stored half-life is not ``half_life`` (or may not be: on SQLite
        it is compared as the text it was written as, in a few spellings)."""
        if half_life is None:
            return "e.half_life_days IS NOT NULL"
        if self.dialect == "postgres":
            return f"e.half_life_days IS DISTINCT FROM '{half_life}'::numeric"
        plain = half_life.normalize()
        spellings = {
            str(half_life),
            str(plain),
            format(plain, "f"),
            format(half_life, ".9f"),
        }
        listed = ", ".join(f"'{s}'" for s in sorted(spellings))
        return (
            "(e.half_life_days IS NULL OR "
            f"CAST(e.half_life_days AS TEXT) NOT IN ({listed}))"
        )
