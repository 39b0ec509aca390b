"""Explainable lead scores under the qualification model in force (SPEC §2.2).

A lead's score has two parts. Fit is the sum of the points of every fit rule its
attributes match (`server.domain.leads.fit`); engagement is, per activity kind with an
engagement rule, ``points × Σ 0.5^(ageDays / halfLifeDays)`` over the kind's
activities in the current qualification cycle, capped at the rule's ``maxPoints``
(`server.domain.leads.engagement`). ``rawScore`` = fit + engagement, unrounded;
``score`` is ``rawScore`` rounded half up, towards +∞ on a tie (``2.5`` → 3,
``-2.5`` → -2). Every threshold compares ``score``, except ``minFitScore``, which
compares the fit (exact, so unrounded).

Numbers: fit and every rule number are exact decimals. A decaying kind's points
are computed in binary floating point and kept as a decimal rounded to 9 places
(`ENGAGEMENT_PLACES`); a kind without decay is exact. ``scoreBreakdown`` holds one
``FIT`` entry per matching rule and one ``ENGAGEMENT`` entry per kind with counted
activities; its points sum to ``rawScore`` exactly.

A lead meets the definition (`Score.qualifies`) when its fit reaches
``minFitScore`` (when set) and either ``score ≥ mqlThreshold`` or a hand-raise (an
activity of a ``handRaiseKinds`` kind) happened within ``handRaiseWindowDays`` of
now, both ends included. The hand-raise gets a ``HAND_RAISE`` entry of 0 points
that says whether it qualifies. In a cycle re-entered through ``NURTURING`` or
``RECYCLED`` the lead meets it only once an activity of that cycle counts, so
fit alone never re-qualifies it. Whether that makes it qualified is
`server.domain.leads.qualification`'s decision.

With no model in force, callers compute no score at all: the stored scores stay
as they are and nothing qualifies automatically (`qualification.apply_score`
takes ``None`` for that).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.agreements.fit_rules import FitField
from server.domain.leads.attributes import Activity, LeadAttributes
from server.domain.leads.engagement import (
    DAY,
    EngagementState,
    KindTally,
    StaleEngagement,
    age_in_days,
    decay_factor,
    fits_model,
    tally_activities,
)
from server.domain.leads.fit import (
    Grade,
    attribute_of,
    describe_rule,
    grade_for,
    lead_value,
    rule_matches,
    shown_value,
    value_of,
)
from server.domain.leads.qualification_model import (
    EXACT,
    EngagementRule,
    QualificationModel,
)

K = TypeVar("K")
ENGAGEMENT_PLACES = Decimal("1e-9")
_MICROSECONDS_A_DAY = 86_400_000_000


class BreakdownKind(StrEnum):
    FIT = "FIT"
    ENGAGEMENT = "ENGAGEMENT"
    HAND_RAISE = "HAND_RAISE"


@dataclass(frozen=True)
class BreakdownEntry:
    label: str
    kind: BreakdownKind
    points: Decimal
    detail: str


@dataclass(frozen=True)
class HandRaise:
    """The latest hand-raise within the window."""

    kind: ActivityKind
    occurred_at: datetime


@dataclass(frozen=True)
class Score:
    """One lead's score under one model revision, at one instant.

    ``counts_after`` is the cycle the engagement was counted in (see
    `server.domain.leads.engagement`); qualification checks it is the lead's cycle.
    """

    model_revision: int
    fit_score: Decimal
    engagement_score: Decimal
    raw_score: Decimal
    score: int
    grade: Grade
    hand_raise: HandRaise | None
    qualifies: bool
    counts_after: datetime | None
    breakdown: tuple[BreakdownEntry, ...]


def score_lead(
    model: QualificationModel,
    lead: LeadAttributes,
    activities: Iterable[Activity],
    now: datetime,
    counts_after: datetime | None = None,
) -> Score:
    """Score a lead from all its activities (those at or before ``counts_after``,
    the start of a re-entered cycle, do not count)."""
    state = tally_activities(activities, model, now, counts_after)
    return score_state(model, lead, state, now)


def score_state(
    model: QualificationModel,
    lead: LeadAttributes,
    state: EngagementState,
    now: datetime,
) -> Score:
    """Score a lead from its stored engagement state, decayed to ``now``.

    Raises `StaleEngagement` when the state was built under other half-lives.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not fits_model(state, model):
        raise StaleEngagement("engagement was tallied under other half-lives")
    with localcontext(EXACT):
        fit = fit_entries(model, lead)
        engagement = engagement_entries(model, state, now)
        hand_raise = find_hand_raise(model, state, now)
        return _assemble(model, state, fit, engagement, hand_raise)


def score_leads(
    model: QualificationModel,
    leads: Mapping[K, tuple[LeadAttributes, EngagementState]],
    now: datetime,
) -> dict[K, Score]:
    """Score many leads at once (a rescoring chunk), keyed as given."""
    return {
        key: score_state(model, lead, state, now)
        for key, (lead, state) in leads.items()
    }


def fit_entries(
    model: QualificationModel, lead: LeadAttributes
) -> list[BreakdownEntry]:
    """One ``FIT`` entry per rule the lead matches, in the model's order."""
    entries = []
    for rule in model.fit_rules:
        value = lead_value(lead, rule.field)
        if rule_matches(rule, value):
            detail = (
                f"{describe_rule(rule)}: the lead's is {shown_value(lead, rule.field)}"
            )
            entries.append(
                BreakdownEntry(rule.label, BreakdownKind.FIT, rule.points, detail)
            )
    return entries


def engagement_entries(
    model: QualificationModel, state: EngagementState, now: datetime
) -> list[BreakdownEntry]:
    """One ``ENGAGEMENT`` entry per ruled kind with counted activities."""
    entries = []
    for kind in ActivityKind:
        rule = model.engagement_rules.get(kind)
        tally = state.tallies.get(kind)
        if rule is not None and tally is not None and tally.count:
            entries.append(_engagement_entry(rule, tally, now))
    return entries


def kind_points(rule: EngagementRule, tally: KindTally, now: datetime) -> Decimal:
    """A kind's engagement points before the cap."""
    return points_of(rule, tally.weight, tally.as_of, tally.count, now)


def points_of(
    rule: EngagementRule, weight: float, as_of: datetime, count: int, now: datetime
) -> Decimal:
    """`kind_points` from a tally's stored values; the weight decays with the
    rule's half-life, which a tally that fits the model shares. The decay
    pass's `numbers_by_age` repeats these float operations inline."""
    if rule.half_life_days is None:
        return rule.points * count
    weighted = float(rule.points) * (
        weight * decay_factor(age_in_days(as_of, now), rule.half_life_days)
    )
    return Decimal(weighted).quantize(ENGAGEMENT_PLACES, context=EXACT)


def find_hand_raise(
    model: QualificationModel, state: EngagementState, now: datetime
) -> HandRaise | None:
    """The latest counted hand-raise if it happened within the window of now."""
    window = model.hand_raise_window_days
    latest = [
        HandRaise(kind, state.tallies[kind].latest_at)
        for kind in model.hand_raise_kinds
        if kind in state.tallies
    ]
    if window is None or not latest:
        return None
    found = max(latest, key=lambda h: (h.occurred_at, h.kind))
    age = (now - found.occurred_at) // timedelta(microseconds=1)
    return found if age <= window * _MICROSECONDS_A_DAY else None


def round_half_up(raw: Decimal) -> int:
    """The nearest integer, ties towards +∞ (2.5 → 3, -2.5 → -2)."""
    return int((raw + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))


def _assemble(
    model: QualificationModel,
    state: EngagementState,
    fit: list[BreakdownEntry],
    engagement: list[BreakdownEntry],
    hand_raise: HandRaise | None,
) -> Score:
    fit_score = sum((e.points for e in fit), Decimal(0))
    engagement_score = sum((e.points for e in engagement), Decimal(0))
    extra = [_hand_raise_entry(model, hand_raise, fit_score)] if hand_raise else []
    return _decide(
        model,
        state,
        fit_score,
        engagement_score,
        hand_raise,
        (*fit, *engagement, *extra),
    )


def fit_points(model: QualificationModel, lead: LeadAttributes) -> Decimal:
    """The lead's fit score under the model: the points of the rules it matches."""
    with localcontext(EXACT):
        return sum(
            (
                rule.points
                for rule in model.fit_rules
                if rule_matches(rule, lead_value(lead, rule.field))
            ),
            Decimal(0),
        )


class FitPoints:
    """`fit_points` of many leads under one model (a rescoring chunk).

    A rule tests one field, so each distinct value of a field is judged once
    against the rules on that field; a lead's matched rules are then the union
    of its fields' verdicts, and each distinct set of them is summed once, in
    the model's order as `fit_points` sums them."""

    def __init__(self, model: QualificationModel) -> None:
        self.rules = model.fit_rules
        numbers: dict[FitField, list[int]] = {}
        for n, rule in enumerate(self.rules):
            numbers.setdefault(rule.field, []).append(n)
        self.fields = [(attribute_of(f), f, tuple(ns)) for f, ns in numbers.items()]
        # per field: (type, raw value) → the bits of the rules it matches
        self.verdicts: list[dict[tuple[type, Any], int]] = [{} for _ in self.fields]
        self.sums: dict[int, Decimal] = {}

    def of(self, lead: LeadAttributes) -> Decimal:
        matched = 0
        for (attribute, fit_field, numbers), verdicts in zip(
            self.fields, self.verdicts, strict=True
        ):
            raw = getattr(lead, attribute)
            bits = verdicts.get((type(raw), raw))
            if bits is None:
                value = value_of(fit_field, raw)
                bits = 0
                for n in numbers:
                    if rule_matches(self.rules[n], value):
                        bits |= 1 << n
                verdicts[(type(raw), raw)] = bits
            matched |= bits
        total = self.sums.get(matched)
        if total is None:
            with localcontext(EXACT):
                total = sum(
                    (r.points for n, r in enumerate(self.rules) if matched >> n & 1),
                    Decimal(0),
                )
            self.sums[matched] = total
        return total


def quick_score(
    model: QualificationModel,
    lead: LeadAttributes,
    state: EngagementState,
    now: datetime,
    fit: Decimal | None = None,
) -> Score:
    """`score_state` without the breakdown (its texts are most of the cost):
    the same numbers and decision, for rescoring every lead; the breakdown is
    rebuilt with `score_state` when someone reads it. ``fit`` is
    `fit_points(model, lead)` when the caller has it already."""
    if not fits_model(state, model):
        raise StaleEngagement("engagement was tallied under other half-lives")
    if fit is None:
        fit = fit_points(model, lead)
    with localcontext(EXACT):
        tallies = ((k, t.weight, t.as_of, t.count) for k, t in state.tallies.items())
        numbers = numbers_of(model, fit, tallies, now)
        hand_raise = find_hand_raise(model, state, now)
        return _decide(model, state, fit, numbers.engagement_score, hand_raise, ())


def quick_scores(
    models: Sequence[QualificationModel],
    lead: LeadAttributes,
    state: EngagementState,
    now: datetime,
    fits: Sequence[Decimal],
) -> list[Score]:
    """`quick_score` of one lead under each model (``fits[i]`` is
    `fit_points(models[i], lead)`), for comparing models over every lead: the
    engagement points (which the fit does not enter) are summed once for models
    whose engagement rules are equal (a draft that moves the threshold or the
    fit rules), then each model decides as `quick_score` does."""
    found: list[Score] = []
    done: list[tuple[QualificationModel, Decimal]] = []
    with localcontext(EXACT):
        for model, fit in zip(models, fits, strict=True):
            engagement = next(
                (
                    e
                    for m, e in done
                    if m.engagement_rules is model.engagement_rules
                    or m.engagement_rules == model.engagement_rules
                ),
                None,
            )
            if engagement is None:  # (equal rules have equal half-lives)
                if not fits_model(state, model):
                    raise StaleEngagement(
                        "engagement was tallied under other half-lives"
                    )
                tallies = (
                    (k, t.weight, t.as_of, t.count) for k, t in state.tallies.items()
                )
                engagement = numbers_of(model, fit, tallies, now).engagement_score
                done.append((model, engagement))
            hand_raise = find_hand_raise(model, state, now)
            found.append(_decide(model, state, fit, engagement, hand_raise, ()))
    return found


def _decide(
    model: QualificationModel,
    state: EngagementState,
    fit_score: Decimal,
    engagement_score: Decimal,
    hand_raise: HandRaise | None,
    breakdown: tuple[BreakdownEntry, ...],
) -> Score:
    raw = fit_score + engagement_score
    score = round_half_up(raw)
    fit_ok = model.min_fit_score is None or fit_score >= model.min_fit_score
    in_cycle = state.counts_after is None or state.activity_count > 0
    signal = score >= model.mql_threshold or hand_raise is not None
    return Score(
        model_revision=model.revision,
        fit_score=fit_score,
        engagement_score=engagement_score,
        raw_score=raw,
        score=score,
        grade=grade_for(fit_score, model.max_fit),
        hand_raise=hand_raise,
        qualifies=fit_ok and in_cycle and signal,
        counts_after=state.counts_after,
        breakdown=breakdown,
    )


def _engagement_entry(
    rule: EngagementRule, tally: KindTally, now: datetime
) -> BreakdownEntry:
    points = kind_points(rule, tally, now)
    capped = min(points, rule.max_points)
    many = "activity" if tally.count == 1 else "activities"
    detail = f"{tally.count} {many} × {_show(rule.points)} points"
    if rule.half_life_days is not None:
        detail += f", halving every {_show(rule.half_life_days)} days: {_show(points)}"
    if capped < points:
        detail += f", capped at {_show(rule.max_points)}"
    label = rule.activity_kind.replace("_", " ").capitalize()
    return BreakdownEntry(label, BreakdownKind.ENGAGEMENT, capped, detail)


def _hand_raise_entry(
    model: QualificationModel, hand_raise: HandRaise, fit: Decimal
) -> BreakdownEntry:
    minimum = model.min_fit_score
    window = f"within {_show(model.hand_raise_window_days or Decimal(0))} days"
    detail = f"{hand_raise.kind} at {hand_raise.occurred_at.isoformat()}, {window}"
    if minimum is not None and fit < minimum:
        detail += f"; fit {_show(fit)} is below the minimum {_show(minimum)}"
    else:
        detail += ": qualifies at once"
    label = f"Hand-raise: {hand_raise.kind.replace('_', ' ').lower()}"
    return BreakdownEntry(label, BreakdownKind.HAND_RAISE, Decimal(0), detail)


@lru_cache(maxsize=4096)
def _show(number: Decimal) -> str:
    """A number for a detail text: at most 2 decimals, no trailing zeros."""
    rounded = number.quantize(Decimal("0.01"), context=EXACT).normalize()
    return format(rounded, "f")


class ScoreNumbers(NamedTuple):
    engagement_score: Decimal
    raw_score: Decimal
    score: int


def decayed_numbers(
    model: QualificationModel,
    fit_score: Decimal,
    state: EngagementState,
    now: datetime,
) -> ScoreNumbers:
    """The numbers of `score_state` at ``now`` for a lead whose fit is known:
    the same per-kind points and caps, summed exactly, so they equal the sum of
    the breakdown `score_state` gives at the same instant. The periodic decay
    pass needs only these (the breakdown is rebuilt when read)."""
    return numbers_of(
        model,
        fit_score,
        ((k, t.weight, t.as_of, t.count) for k, t in state.tallies.items()),
        now,
    )


def numbers_of(
    model: QualificationModel,
    fit_score: Decimal,
    tallies: Iterable[tuple[str, float, datetime, int]],
    now: datetime,
) -> ScoreNumbers:
    """`decayed_numbers` from (kind, weight, as of, count) as stored."""
    return numbers_by_age(
        model,
        fit_score,
        (
            (kind, weight, (now - as_of) / DAY, count)
            for kind, weight, as_of, count in tallies
        ),
    )


def numbers_by_age(
    model: QualificationModel,
    fit_score: Decimal,
    tallies: Iterable[tuple[str, float, float, int]],
) -> ScoreNumbers:
    """`numbers_of` from (kind, weight, days from as of to now, count).

    The decay pass calls this for every lead (with ages from integer
    microseconds, the same float as dividing the timedeltas), so `points_of`
    is inlined here over per-rule constants: the same float operations in the
    same order, so the same points to the last digit."""
    rules = _rule_constants(model)
    engagement = _ZERO
    add, quantize, places = EXACT.add, Decimal.quantize, ENGAGEMENT_PLACES
    for kind, weight, days, count in tallies:
        rule = rules.get(kind)
        if rule is None or not count:
            continue
        points_f, half_life_f, points, cap = rule
        if half_life_f is None:
            earned = EXACT.multiply(points, count)
        else:
            # max(0.0, days) and float(0.5 ** …), without the calls
            age = days if days > 0.0 else 0.0
            weighted = points_f * (weight * 0.5 ** (age / half_life_f))
            earned = quantize(Decimal(weighted), places, context=EXACT)
        engagement = add(engagement, cap if cap < earned else earned)
    raw = add(fit_score, engagement)
    return ScoreNumbers(engagement, raw, round_half_up(raw))


_ZERO = Decimal(0)
# Per model (by the identity of its rules, kept alive here): each kind's points
# and half-life as floats, and its points and cap as decimals.
_RuleConstants = dict[str, tuple[float, float | None, Decimal, Decimal]]
_constants: dict[int, tuple[Mapping[ActivityKind, EngagementRule], _RuleConstants]] = {}


def _rule_constants(model: QualificationModel) -> _RuleConstants:
    rules = model.engagement_rules
    found = _constants.get(id(rules))
    if found is not None and found[0] is rules:
        return found[1]
    if len(_constants) > 64:
        _constants.clear()
    table = {
        kind.value: (
            float(rule.points),
            None if rule.half_life_days is None else float(rule.half_life_days),
            rule.points,
            rule.max_points,
        )
        for kind, rule in rules.items()
    }
    _constants[id(rules)] = (rules, table)
    return table
