"""Reading a metrics request's arguments: the period, the timezone its dates
are read in, the persona. Arguments outside their bounds are a top-level
INVALID_INPUT error (SPEC §3)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from server.domain.core.errors import InvalidArguments, UserErrors
from server.domain.core.instants import zone_problem
from server.domain.core.periods import Period, read_period
from server.services.core import ids


def reporting_zone(timezone: str | None, default: str) -> ZoneInfo:
    name = default if timezone is None else timezone
    problem = zone_problem(name)
    if problem is not None:
        raise InvalidArguments(f"timezone: {problem}")
    return ZoneInfo(name)


def period(raw_from: str, raw_to: str, zone: ZoneInfo) -> Period:
    return read_period(raw_from, raw_to, zone)


def persona(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return ids.decode(raw, "Persona")
    except UserErrors:
        raise InvalidArguments(f"not a Persona ID: {raw}") from None
