"""Service-level agreement terms (SPEC §2.5): both teams' commitments.

Marketing commits to ``qualifiedLeadsPerMonth``; sales to accepting within
``acceptWithinHours`` and touching first within ``firstTouchWithinHours``, with
``minTouchAttempts`` within ``touchWindowDays``. Hours are counted on the
``businessCalendar`` (null: round the clock). The SLA applies within the
half-open window [``effectiveFrom``, ``effectiveUntil``); a missing end is open.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from server.domain.terms import Reader, finish, parse_date

MAX_HOURS = Decimal(8760)
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d\Z")
# Loadable keys that are not portable IANA zones: the host's own zone and helpers.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


class Weekday(StrEnum):
    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"


class AcceptTimeoutAction(StrEnum):
    AUTO_ACCEPT = "AUTO_ACCEPT"
    REASSIGN = "REASSIGN"
    NOTIFY = "NOTIFY"


class RoutingPolicy(StrEnum):
    ROUND_ROBIN = "ROUND_ROBIN"
    LEAST_LOADED = "LEAST_LOADED"


def read_sla_terms(
    raw: Mapping[str, Any], path: tuple[str, ...] = ("terms",)
) -> dict[str, Any]:
    r = Reader(raw, path)
    terms: dict[str, Any] = {
        "qualifiedLeadsPerMonth": r.integer(
            "qualifiedLeadsPerMonth", low=0, high=1_000_000
        ),
        "acceptWithinHours": r.decimal("acceptWithinHours", above=0, high=MAX_HOURS),
        "firstTouchWithinHours": r.decimal(
            "firstTouchWithinHours", above=0, high=MAX_HOURS
        ),
        "minTouchAttempts": r.integer("minTouchAttempts", low=1, high=100),
        "touchWindowDays": r.integer("touchWindowDays", low=1, high=365),
        "acceptTimeoutAction": r.choice(
            "acceptTimeoutAction", AcceptTimeoutAction, AcceptTimeoutAction.NOTIFY
        ),
        "routing": r.choice("routing", RoutingPolicy, RoutingPolicy.ROUND_ROBIN),
        "businessCalendar": _calendar(r.child("businessCalendar", required=False)),
        "reviewCadenceDays": r.integer("reviewCadenceDays", low=1, high=366),
        "effectiveFrom": r.instant("effectiveFrom"),
        "effectiveUntil": r.instant("effectiveUntil"),
    }
    since, until = terms["effectiveFrom"], terms["effectiveUntil"]
    if since and until and until <= since:
        r.fail("effectiveUntil", "must be after effectiveFrom")
    return finish(r, terms)


def _calendar(r: Reader | None) -> dict[str, Any] | None:
    """An IANA timezone, working days, local "HH:MM" opening and closing times
    and holidays as ISO dates."""
    if r is None:
        return None
    return {
        "timezone": _timezone(r),
        "workingDays": _weekdays(r),
        **_hours(r),
        "holidays": _holidays(r),
    }


def _timezone(r: Reader) -> str:
    name = r.text("timezone", max_length=64)
    if name and not valid_timezone(name):
        r.fail("timezone", f"unknown timezone {name!r}; use an IANA name")
    return name


def valid_timezone(name: str) -> bool:
    """An IANA zone name this host knows (not the host's own helpers)."""
    if name in NOT_ZONES or name.startswith(("posix/", "right/")):
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _weekdays(r: Reader) -> list[str]:
    days = r.choices("workingDays", Weekday)
    if not days and not r.errors_at("workingDays"):
        r.fail("workingDays", "give at least one working day")
    return days


def _hours(r: Reader) -> dict[str, str]:
    """Local opening and closing times; the day may close at "24:00"."""
    start, end = r.text("dayStart", max_length=5), r.text("dayEnd", max_length=5)
    if start and not _CLOCK.match(start):
        r.fail("dayStart", 'give a local time as "HH:MM" (00:00–23:59)')
    elif end and not (_CLOCK.match(end) or end == "24:00"):
        r.fail("dayEnd", 'give a local time as "HH:MM" (00:01–24:00)')
    elif start and end and start >= end:
        r.fail("dayEnd", "the working day must end after it starts")
    return {"dayStart": start, "dayEnd": end}


def _holidays(r: Reader) -> list[str]:
    raw = r.value("holidays", False) or []
    if not isinstance(raw, list | tuple) or len(raw) > 1000:
        r.fail("holidays", "give at most 1000 dates")
        return []
    days: set[str] = set()
    for i, item in enumerate(raw):
        day = parse_date(item)
        if day is None:
            r.fail_at(("holidays", str(i)), "give a date as YYYY-MM-DD")
        else:
            days.add(day.isoformat())
    return sorted(days)


def applies_at(terms: Mapping[str, Any], instant: datetime) -> bool:
    """Whether SLA terms apply at an instant: within the half-open window
    [effectiveFrom, effectiveUntil); a missing end leaves that side open."""
    since, until = terms.get("effectiveFrom"), terms.get("effectiveUntil")
    if since is not None and instant < datetime.fromisoformat(since):
        return False
    return until is None or instant < datetime.fromisoformat(until)
