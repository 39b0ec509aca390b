"""Decayed activity sums: engagement kept per lead and activity kind (SPEC §2.2).

An activity of age ``a`` days weighs ``0.5^(a / halfLifeDays)`` (1 when the kind
does not decay). Since decay is exponential it is memoryless: a kind's sum of
weights at one instant, multiplied by ``0.5^(Δ / halfLifeDays)``, is its sum ``Δ``
days later. So a lead's engagement is stored as one `KindTally` per activity kind
(the weight sum, the instant it is taken at, the count and the latest activity),
an arriving activity is folded into it (`fold_activity`), a periodic pass decays
every lead's tallies to a new instant (`decay_engagement`) without reading
activities, and `tally_activities` computes the same state from scratch. Weights
are multiplied by a rule's points only when scoring, so a model revision that
changes points (but no half-life) needs no rebuild; one that changes a half-life
does (`fits_model` tells).

Arithmetic: weights are binary floats. Folding one by one, decaying in steps and
summing from scratch agree to within a relative 1e-12 (a few ulps per step), not
exactly; a kind that does not decay is an exact count.

Ages: an activity's age is ``max(0, now − occurredAt)``. Ingestion refuses
activities more than 5 minutes ahead; one that is slightly ahead weighs 1 until
`now` passes it, and a tally is never decayed backwards (decaying to an instant
before ``as_of`` leaves it unchanged). The incremental and from-scratch results
are equal whenever no counted activity lies after `now`.

Cycles: ``counts_after`` is the instant a re-entered qualification cycle began
(None in the cycle that began when the lead was created); activities at or
before it are not counted. Starting a cycle starts a new, empty state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.leads.attributes import Activity
from server.domain.leads.qualification_model import QualificationModel

DAY = timedelta(days=1)


class StaleEngagement(ValueError):
    """A tally was computed with another half-life than the model's: rebuild it
    from the lead's activities with `tally_activities`."""


class KindTally(NamedTuple):
    """One activity kind's counted activities, as stored for a lead.

    ``weight`` is the sum of their weights with ages taken at ``as_of``;
    ``half_life_days`` is the half-life it was computed with (None: no decay).
    A named tuple rather than a frozen dataclass: a rescoring chunk reads some
    four thousand of them, and a tuple is built several times faster.
    """

    weight: float
    as_of: datetime
    half_life_days: Decimal | None
    count: int  # type: ignore[assignment]  # (shadows tuple.count)
    latest_at: datetime


@dataclass(frozen=True)
class EngagementState:
    """A lead's engagement in its current qualification cycle."""

    counts_after: datetime | None
    tallies: Mapping[ActivityKind, KindTally]

    @property
    def activity_count(self) -> int:
        return sum(tally.count for tally in self.tallies.values())


def age_in_days(occurred_at: datetime, now: datetime) -> float:
    """Days from ``occurred_at`` to ``now``, never negative."""
    return max(0.0, (now - occurred_at) / DAY)


def decay_factor(age_days: float, half_life_days: Decimal | None) -> float:
    """``0.5^(age / halfLife)``; 1 when there is no half-life."""
    if half_life_days is None:
        return 1.0
    return float(0.5 ** (age_days / float(half_life_days)))


def empty_engagement(counts_after: datetime | None = None) -> EngagementState:
    """The state of a new lead (``counts_after`` None) or of a new cycle."""
    return EngagementState(counts_after, {})


def counts(state: EngagementState, activity: Activity) -> bool:
    """Whether the activity belongs to the state's cycle."""
    return state.counts_after is None or activity.occurred_at > state.counts_after


def fold_activity(
    state: EngagementState, activity: Activity, model: QualificationModel
) -> EngagementState:
    """The state with one more activity (activities may arrive in any order)."""
    if not counts(state, activity):
        return state
    half_life = model.half_life(activity.kind)
    at = activity.occurred_at
    tally = state.tallies.get(activity.kind)
    if tally is None:
        tally = KindTally(1.0, at, half_life, 1, at)
    else:
        _require_half_life(tally, half_life)
        as_of = max(tally.as_of, at)
        weight = weight_at(tally, as_of) + decay_factor(
            age_in_days(at, as_of), half_life
        )
        tally = KindTally(
            weight, as_of, half_life, tally.count + 1, max(tally.latest_at, at)
        )
    return replace(state, tallies={**state.tallies, activity.kind: tally})


def fold_activities(
    state: EngagementState, activities: Iterable[Activity], model: QualificationModel
) -> EngagementState:
    for activity in activities:
        state = fold_activity(state, activity, model)
    return state


def weight_at(tally: KindTally, now: datetime) -> float:
    """The tally's weight with ages taken at ``now`` (unchanged before ``as_of``)."""
    return tally.weight * decay_factor(
        age_in_days(tally.as_of, now), tally.half_life_days
    )


def decay_engagement(state: EngagementState, to: datetime) -> EngagementState:
    """Every tally decayed to ``to`` (the periodic pass: no activity is read)."""
    tallies = {
        kind: tally._replace(weight=weight_at(tally, to), as_of=to)
        if to > tally.as_of
        else tally
        for kind, tally in state.tallies.items()
    }
    return replace(state, tallies=tallies)


def tally_activities(
    activities: Iterable[Activity],
    model: QualificationModel,
    now: datetime,
    counts_after: datetime | None = None,
) -> EngagementState:
    """The state from scratch: each weight summed directly at ``now``."""
    grouped: dict[ActivityKind, list[datetime]] = {}
    for activity in activities:
        if counts_after is None or activity.occurred_at > counts_after:
            grouped.setdefault(activity.kind, []).append(activity.occurred_at)
    tallies = {}
    for kind, times in grouped.items():
        half_life = model.half_life(kind)
        weight = sum(decay_factor(age_in_days(t, now), half_life) for t in times)
        tallies[kind] = KindTally(weight, now, half_life, len(times), max(times))
    return EngagementState(counts_after, tallies)


def fits_model(state: EngagementState, model: QualificationModel) -> bool:
    """Whether every tally was computed with the model's half-life for its kind
    (`QualificationModel.half_life`, inlined: this runs twice a lead when
    rescoring)."""
    rules = model.engagement_rules
    for kind, tally in state.tallies.items():
        rule = rules.get(kind)
        if tally.half_life_days != (rule.half_life_days if rule else None):
            return False
    return True


def _require_half_life(tally: KindTally, half_life: Decimal | None) -> None:
    if tally.half_life_days != half_life:
        raise StaleEngagement(
            f"tally decays with {tally.half_life_days}, the model with {half_life}"
        )
