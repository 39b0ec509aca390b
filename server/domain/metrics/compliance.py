"""The arithmetic behind the dashboard's figures (SPEC §2.6), pure.

- Periods are half-open, [from, to); a bound given as a date means that date's
  midnight in the reporting timezone (DST-correct).
- A ratio with a zero denominator is None, never 0 or 1.
- Percentiles interpolate linearly between ranks, like PostgreSQL's
  ``percentile_cont``: the database picks the two ranks (`percentile_ranks`),
  this module weighs them (`interpolate`).
- Marketing's commitment is ``qualifiedLeadsPerMonth`` prorated by days: each
  local calendar month a revision applied in contributes its rate times the
  share of that month's days (fractional at the ends) it applied within the
  period. A whole month gives exactly the rate; a 23-hour DST day counts as a
  day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from server.domain.core.instants import as_utc
from server.domain.core.periods import Period, local_midnight

RATIO_PLACES = Decimal("0.000001")


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator to six places, None when the denominator is 0."""
    if denominator == 0:
        return None
    share = Decimal(numerator) / Decimal(denominator)
    return share.quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


# ---- percentiles ----------------------------------------------------------------


@dataclass(frozen=True)
class Ranks:
    """Where a percentile of n sorted values lies: between the values at the
    0-based ranks ``low`` and ``high``, ``weight`` of the way to ``high``."""

    low: int
    high: int
    weight: Fraction


def percentile_ranks(n: int, fraction: Fraction) -> Ranks | None:
    """The ranks ``percentile_cont(fraction)`` reads among n values (None for
    no values)."""
    if n <= 0:
        return None
    if not 0 <= fraction <= 1:
        raise ValueError("a percentile lies between 0 and 1")
    position = fraction * (n - 1)
    low = position.numerator // position.denominator
    return Ranks(low, min(low + 1, n - 1), position - low)


def interpolate(ranks: Ranks, low_value: Decimal, high_value: Decimal) -> Decimal:
    """The percentile from the two values at its ranks."""
    weight = Decimal(ranks.weight.numerator) / Decimal(ranks.weight.denominator)
    return low_value + (high_value - low_value) * weight


def percentile(values: Iterable[Decimal], fraction: Fraction) -> Decimal | None:
    """The reference percentile over all values (what the SQL must equal)."""
    ordered = sorted(values)
    ranks = percentile_ranks(len(ordered), fraction)
    if ranks is None:
        return None
    return interpolate(ranks, ordered[ranks.low], ordered[ranks.high])


MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)


def hours(seconds: Decimal) -> Decimal:
    """Seconds as hours, to the millionth (half up)."""
    return (seconds / 3600).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


# ---- marketing's commitment -----------------------------------------------------


@dataclass(frozen=True)
class Commitment:
    """One SLA revision's monthly volume over the time it applied,
    [starts, ends) (``ends`` None: still applies)."""

    per_month: int
    starts: datetime
    ends: datetime | None


def committed(
    commitments: Sequence[Commitment], period: Period, zone: ZoneInfo
) -> Decimal:
    """Leads marketing committed to deliver within the period: each
    revision's rate prorated by the local days it applied (module docstring).
    Zero without any revision. Exact until rounded to six places."""
    total = Fraction(0)
    for commitment in commitments:
        span = period.overlap(commitment.starts, commitment.ends)
        if span is not None and commitment.per_month:
            total += commitment.per_month * months_covered(span, zone)
    value = Decimal(total.numerator) / Decimal(total.denominator)
    return value.quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def months_covered(span: Period, zone: ZoneInfo) -> Fraction:
    """How many local calendar months ``span`` covers, each month weighed by
    its days: the sum over months of (days covered ÷ days in the month)."""
    start = day_position(span.opens, zone)
    end = day_position(span.closes, zone)
    total = Fraction(0)
    month = _month_start(date.fromordinal(int(start)))
    while month.toordinal() < end:
        following = _next_month(month)
        low = max(start, Fraction(month.toordinal()))
        high = min(end, Fraction(following.toordinal()))
        if high > low:
            total += (high - low) / (following - month).days
        month = following
    return total


def day_position(instant: datetime, zone: ZoneInfo) -> Fraction:
    """The local date's ordinal plus the share of that local day elapsed (a
    DST day's hours are shares of its own length)."""
    local = as_utc(instant).astimezone(zone)
    day = local.date()
    opens = local_midnight(day, zone)
    closes = local_midnight(day + timedelta(days=1), zone)
    elapsed = Fraction(_micros(as_utc(instant) - opens), _micros(closes - opens))
    return day.toordinal() + elapsed


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# ---- review cadence -------------------------------------------------------------


def review_overdue(
    last_review: datetime | None,
    sla_activated_at: datetime | None,
    cadence_days: int | None,
    now: datetime,
) -> bool:
    """Whether a LEAD_REVIEW is overdue: the last completed one (or, when there
    is none, the SLA's activation) is more than ``cadence_days`` ago. False
    without an SLA in force."""
    since = last_review or sla_activated_at
    if since is None or cadence_days is None:
        return False
    return as_utc(now) - as_utc(since) > timedelta(days=cadence_days)
