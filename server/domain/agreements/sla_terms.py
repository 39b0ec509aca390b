"""Service-level agreement terms (SPEC §2.5): both teams' commitments.

Marketing commits to ``qualifiedLeadsPerMonth``; sales to accepting within
``acceptWithinHours`` and touching first within ``firstTouchWithinHours``, with
``minTouchAttempts`` within ``touchWindowDays``. Hours are counted on the
``businessCalendar`` (null: round the clock). The SLA applies within the
half-open window [``effectiveFrom``, ``effectiveUntil``); a missing end is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from server.domain.agreements.calendar_terms import WEEKDAYS, calendar_problems
from server.domain.agreements.terms import Reader, clean_text, finish

MAX_HOURS = Decimal(8760)
MAX_HOLIDAYS = 1000
CALENDAR_FIELDS = ("timezone", "workingDays", "dayStart", "dayEnd", "holidays")


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
    """The calendar with text trimmed, working days in weekday order and holidays
    sorted; its problems are `calendar_problems`', plus a cap on holidays."""
    if r is None:
        return None
    raw = {key: _as_text(r.raw.get(key)) for key in CALENDAR_FIELDS}
    days, holidays = raw["workingDays"], raw["holidays"] or []
    if isinstance(holidays, list) and len(holidays) > MAX_HOLIDAYS:
        r.fail("holidays", f"give at most {MAX_HOLIDAYS} dates")
        raw["holidays"] = holidays = []
    for where, message in calendar_problems(raw):
        r.fail_at(where, message)
    return {
        **raw,
        "workingDays": [d for d in WEEKDAYS if isinstance(days, list) and d in days],
        "holidays": sorted({d for d in holidays if isinstance(d, str)}),
    }


def _as_text(raw: Any) -> Any:
    """Text trimmed and in NFC, enum members and dates by their values, lists item
    by item; anything else as given, for `calendar_problems` to refuse."""
    if isinstance(raw, list | tuple):
        return [_as_text(item) for item in raw]
    if isinstance(raw, StrEnum):
        return raw.value
    if isinstance(raw, str):
        return clean_text(raw)
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw.isoformat()
    return raw


def applies_at(terms: Mapping[str, Any], instant: datetime) -> bool:
    """Whether SLA terms apply at an instant: within the half-open window
    [effectiveFrom, effectiveUntil); a missing end leaves that side open."""
    since, until = terms.get("effectiveFrom"), terms.get("effectiveUntil")
    if since is not None and instant < datetime.fromisoformat(since):
        return False
    return until is None or instant < datetime.fromisoformat(until)
