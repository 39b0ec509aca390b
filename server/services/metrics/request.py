"""Reading a metrics request's arguments: the period, the timezone its dates
are read in, the persona. Arguments outside their bounds are a top-level
INVALID_INPUT error (SPEC §3)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from server.domain.core.errors import InvalidArguments, UserErrors
from server.domain.core.instants import zone_problem
from server.domain.metrics.compliance import Period, read_bound
from server.services.core import ids


def reporting_zone(timezone: str | None, default: str) -> ZoneInfo:
    name = default if timezone is None else timezone
    problem = zone_problem(name)
    if problem is not None:
        raise InvalidArguments(f"timezone: {problem}")
    return ZoneInfo(name)


def period(raw_from: str, raw_to: str, zone: ZoneInfo) -> Period:
    try:
        return Period(read_bound(raw_from, zone), read_bound(raw_to, zone))
    except ValueError as problem:
        raise InvalidArguments(
            f"period: {problem} (give ISO dates, or instants with their offset, "
            "from before to)"
        ) from None


def persona(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return ids.decode(raw, "Persona")
    except UserErrors:
        raise InvalidArguments(f"not a Persona ID: {raw}") from None
