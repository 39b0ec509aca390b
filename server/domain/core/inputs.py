"""What every input must be before it is stored or compared (one rule for all).

Strings never hold NUL (PostgreSQL text cannot store it; SQLite could, so both
databases refuse it alike), in values or in JSON object keys. Instants lie in
years 1000–9999 once converted to UTC, and dates in years 1000–9999: every
canonical form prints a year with exactly four digits, and arithmetic near the
edges (deadlines, windows) stays within what Python and both databases hold.
Numbers are finite (no NaN, no infinities).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

FIRST_YEAR = 1000
LAST_YEAR = 9999
RANGE = f"years {FIRST_YEAR}–{LAST_YEAR}"

Problem = tuple[tuple[str, ...], str]
INSTANT_WANTED = f"give an instant with its UTC offset, in {RANGE} in UTC"
DATE_WANTED = f"give a date as YYYY-MM-DD in {RANGE}"


def input_problems(value: Any, path: tuple[str, ...] = ()) -> list[Problem]:
    """Every place in `value` (nested dicts and lists) that breaks the rule above,
    as (path, message); empty when all of it may be stored."""
    if _clean(value):
        return []
    return list(_walk(value, path))


def _clean(value: Any) -> bool:
    """Whether `_walk` finds nothing, without building paths: the common case,
    checked fast on the plain types JSON gives (anything else goes to `_walk`)."""
    kind = type(value)
    if kind is str:
        return "\x00" not in value
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or "\x00" in key or not _clean(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(map(_clean, value))
    if value is None or kind is int or kind is bool:
        return True
    return next(_walk(value, ()), None) is None


def _walk(value: Any, path: tuple[str, ...]) -> Iterator[Problem]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path, "remove the NUL character (\\u0000)"
    elif isinstance(value, dict):
        for key, item in value.items():
            step = (*path, str(key))
            if isinstance(key, str) and "\x00" in key:
                yield step, "remove the NUL character (\\u0000) from the key"
            yield from _walk(item, step)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, str(index)))
    elif isinstance(value, datetime):
        if not instant_in_range(value):
            yield path, INSTANT_WANTED
    elif isinstance(value, date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            yield path, DATE_WANTED
    elif isinstance(value, Decimal | float) and not _finite(value):
        yield path, "give finite numbers only"
    elif hasattr(value, "__dataclass_fields__"):
        yield from _walk(vars(value), path)


def instant_in_range(value: datetime) -> bool:
    """Whether an aware instant lies in the supported years once in UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        return False
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        return False
    return FIRST_YEAR <= year <= LAST_YEAR


def _finite(value: Decimal | float) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
