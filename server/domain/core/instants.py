"""Instants and local wall times: aware UTC, epoch microseconds, DST gaps and folds.

Instants are aware and in UTC; naive datetimes are refused as bugs. Turning a
local wall time into an instant follows two rules: a time that does not exist
(in a spring-forward gap) moves forward to the first valid instant, the
transition itself; a time that exists twice (in a fall-back fold) is its first
occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MICROSECOND = timedelta(microseconds=1)

_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_DAY_US = 86_400_000_000


def local_instant(timezone: str, wall: datetime) -> datetime:
    """The UTC instant of a naive local wall time in `timezone`.

    A time in a DST gap moves forward to the transition; one in a fold is its
    first occurrence (the rules the calendar applies to openings and closings).
    """
    if wall.tzinfo is not None:
        raise ValueError("give a naive local wall time")
    return from_epoch_us(wall_epoch_us(ZoneInfo(timezone), wall, wall.replace(fold=1)))


def as_utc(instant: datetime) -> datetime:
    """An aware instant in UTC; naive datetimes are refused as bugs."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class LocalTime:
    """A local time of day ("24:00" is the next day's 00:00) in both folds."""

    days: int
    us: int
    first: time
    second: time

    @classmethod
    def of(cls, minutes: int) -> LocalTime:
        days, rest = divmod(minutes, 24 * 60)
        hour, minute = divmod(rest, 60)
        first, second = time(hour, minute), time(hour, minute, fold=1)
        return cls(days, rest * 60_000_000, first, second)

    def epoch_us(self, zone: ZoneInfo, ordinal: int) -> int:
        """Epoch µs of this time on a local date (as an ordinal)."""
        ordinal += self.days
        day = date.fromordinal(ordinal)
        first = datetime.combine(day, self.first)
        second = datetime.combine(day, self.second)
        offset = zone.utcoffset(first)
        if offset is None or offset != zone.utcoffset(second):
            return wall_epoch_us(zone, first, second)  # in a gap or a fold
        local = (ordinal - _EPOCH_ORDINAL) * _DAY_US + self.us
        return local - offset.days * _DAY_US - offset.seconds * 1_000_000


def wall_epoch_us(zone: ZoneInfo, wall: datetime, wall_fold: datetime) -> int:
    """Epoch µs of a naive local time given with fold=0 and with fold=1.

    A time in a gap moves forward to the transition; one in a fold is its first
    occurrence. (tzinfo.utcoffset reads a naive datetime's wall time and fold.)
    """
    before = zone.utcoffset(wall)
    after = zone.utcoffset(wall_fold)
    assert before is not None and after is not None  # zoneinfo always answers
    if after > before:  # in a gap: fold=0 reads the old offset, fold=1 the new one
        return _transition_us(
            zone, to_epoch_us(wall - after), to_epoch_us(wall - before)
        )
    return to_epoch_us(wall - before)


def _transition_us(zone: ZoneInfo, low: int, high: int) -> int:
    """The gap's transition: the first whole second in (low, high] on new time."""
    offset = datetime.fromtimestamp(high // 1_000_000, zone).utcoffset()
    lo, hi = low // 1_000_000, -(-high // 1_000_000)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == offset:
            hi = mid
        else:
            lo = mid
    return hi * 1_000_000


def to_epoch_us(moment: datetime) -> int:
    """Epoch µs of an aware instant, or of a naive datetime read as UTC."""
    epoch = _EPOCH if moment.tzinfo is None else _EPOCH_UTC
    return (moment - epoch) // MICROSECOND


def from_epoch_us(us: int) -> datetime:
    """The aware UTC instant `us` microseconds after the epoch."""
    return _EPOCH_UTC + timedelta(0, 0, us)


NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def zone_problem(value: object) -> str | None:
    """Why a value is not an IANA timezone name, or None when it is one."""
    if not isinstance(value, str) or not value:
        return "give an IANA timezone name such as Europe/Berlin"
    if value in NOT_ZONES or value.startswith(("posix/", "right/")):
        return f"unknown timezone {value!r}; use an IANA name"
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        return f"unknown timezone {value!r}; use an IANA name"
    return None


def local_time(instant: datetime | str | None, timezone: str) -> str:
    """An instant as its recipient reads it: "Mon 16 Nov 2026, 13:00 (CET)"."""
    if instant is None:
        return "no deadline"
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%a %d %b %Y, %H:%M (%Z)")
