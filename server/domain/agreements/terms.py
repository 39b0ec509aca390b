"""Reading agreement terms: every field checked, every value normalised.

Terms arrive as plain mappings with the API's field names. Each kind's reader
returns the normalised terms (what is stored, hashed and signed) or raises
`UserErrors` listing every problem with its path into the input, for example
``["terms", "fitRules", "2", "values"]``. Normalising is what makes the content
hash insensitive to formatting: text is trimmed and in Unicode NFC, decimals lose
trailing zeros, dates and instants are ISO strings, sets are sorted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from server.domain.agreements.canonical import canonical_number, iso_instant
from server.domain.core.errors import ErrorCode, UserError, UserErrors
from server.domain.core.inputs import (
    DATE_WANTED,
    FIRST_YEAR,
    INSTANT_WANTED,
    LAST_YEAR,
    input_problems,
    instant_in_range,
)

MAX_DIGITS = 24
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_ITEMS = 100


@dataclass
class Reader:
    """Reads one input object, collecting field-level errors with their paths."""

    raw: Mapping[str, Any]
    path: tuple[str, ...]
    errors: list[UserError] = field(default_factory=list)

    def fail(self, key: str | None, message: str) -> None:
        self.fail_at((key,) if key is not None else (), message)

    def fail_at(self, where: tuple[str, ...], message: str) -> None:
        path = (*self.path, *where)
        self.errors.append(UserError(ErrorCode.INVALID_INPUT, message, path))

    def value(self, key: str, required: bool) -> Any:
        found = self.raw.get(key)
        if found is None and required:
            self.fail(key, "this field is required")
        return found

    def text(self, key: str, *, max_length: int = 200, required: bool = True) -> str:
        raw = self.value(key, required)
        if raw is None:
            return ""
        if not isinstance(raw, str):
            self.fail(key, "give a text")
            return ""
        text = clean_text(raw)
        if required and not text:
            self.fail(key, "this field cannot be blank")
        elif len(text) > max_length:
            self.fail(key, f"use at most {max_length} characters")
        return text

    def texts(self, key: str, *, max_length: int = 200) -> list[str]:
        raw = self.value(key, False) or []
        if not _list_ok(self, key, raw):
            return []
        out: list[str] = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            text = clean_text(item) if isinstance(item, str) else ""
            if not text or len(text) > max_length:
                self.fail(key, f"item {i + 1}: give 1–{max_length} characters")
            elif text.casefold() not in seen:
                seen.add(text.casefold())
                out.append(text)
        return out

    def decimal(
        self,
        key: str,
        *,
        low: Decimal | int | None = None,
        above: Decimal | int | None = None,
        high: Decimal | int | None = None,
        required: bool = True,
    ) -> Decimal | None:
        raw = self.value(key, required)
        if raw is None:
            return None
        number = parse_decimal(raw)
        if number is None:
            self.fail(key, "give a finite decimal number")
        elif low is not None and number < low:
            self.fail(key, f"must be at least {low}")
        elif above is not None and number <= above:
            self.fail(key, f"must be greater than {above}")
        elif high is not None and number > high:
            self.fail(key, f"must be at most {high}")
        else:
            return Decimal(canonical_number(number))
        return None

    def integer(
        self, key: str, *, low: int, high: int, required: bool = True
    ) -> int | None:
        raw = self.value(key, required)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(key, "give a whole number")
        elif not low <= raw <= high:
            self.fail(key, f"must be between {low} and {high}")
        else:
            return raw
        return None

    def choice(self, key: str, allowed: type[StrEnum], default: str = "") -> str:
        raw = self.value(key, not default)
        if raw is None:
            return str(default)
        value = raw.value if isinstance(raw, StrEnum) else raw
        if value not in allowed.__members__:
            names = ", ".join(allowed.__members__)
            self.fail(key, f"unknown value {value!r}; use one of {names}")
            return str(default)
        return str(value)

    def choices(self, key: str, allowed: type[StrEnum]) -> list[str]:
        """A set of enum values, in the enum's order; unknown ones by position."""
        raw = self.value(key, False) or []
        if not _list_ok(self, key, raw):
            return []
        given = {v.value if isinstance(v, StrEnum) else v for v in raw}
        names = ", ".join(allowed.__members__)
        for i, item in enumerate(raw):
            value = item.value if isinstance(item, StrEnum) else item
            if value not in allowed.__members__:
                self.fail_at((key, str(i)), f"unknown value {value!r}; use {names}")
        return [name for name in allowed.__members__ if name in given]

    def errors_at(self, key: str) -> bool:
        """Whether a problem was already found at or under this field."""
        where = (*self.path, key)
        return any(e.field[: len(where)] == where for e in self.errors)

    def date(self, key: str, *, required: bool = True) -> str | None:
        raw = self.value(key, required)
        if raw is None:
            return None
        parsed = parse_date(raw)
        if parsed is None:
            self.fail(key, DATE_WANTED)
            return None
        return parsed.isoformat()

    def instant(self, key: str) -> str | None:
        raw = self.value(key, False)
        if raw is None:
            return None
        instant = parse_instant(raw)
        if instant is None:
            self.fail(key, INSTANT_WANTED)
            return None
        return iso_instant(instant)

    def child(self, key: str, *, required: bool = True) -> Reader | None:
        raw = self.value(key, required)
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            self.fail(key, "give an object")
            return None
        return Reader(raw, (*self.path, key), self.errors)

    def children(self, key: str, *, max_items: int = MAX_ITEMS) -> list[Reader]:
        raw = self.value(key, False) or []
        if not _list_ok(self, key, raw, max_items):
            return []
        out = []
        for i, item in enumerate(raw):
            if isinstance(item, Mapping):
                out.append(Reader(item, (*self.path, key, str(i)), self.errors))
            else:
                self.fail(key, f"item {i + 1}: give an object")
        return out


def _list_ok(reader: Reader, key: str, raw: Any, max_items: int = MAX_ITEMS) -> bool:
    if not isinstance(raw, list | tuple):
        reader.fail(key, "give a list")
        return False
    if len(raw) > max_items:
        reader.fail(key, f"give at most {max_items} items")
        return False
    return True


def clean_text(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).strip()


def parse_decimal(raw: Any) -> Decimal | None:
    """A finite decimal from a number or a decimal string, else None."""
    if isinstance(raw, bool):
        return None
    try:
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite() or len(number.normalize().as_tuple().digits) > MAX_DIGITS:
        return None
    if abs(number.adjusted()) > MAX_DIGITS:
        return None
    return number


def parse_date(raw: Any) -> date | None:
    """A calendar date, or an ISO "YYYY-MM-DD" string of one."""
    if isinstance(raw, datetime):
        return None
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        return None
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if FIRST_YEAR <= parsed.year <= LAST_YEAR else None


def parse_instant(raw: Any) -> datetime | None:
    """An aware datetime, or an ISO 8601 string of one with its offset."""
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw)
        except ValueError:
            return None
    if not isinstance(raw, datetime) or not instant_in_range(raw):
        return None
    return raw


def finish(reader: Reader, terms: dict[str, Any]) -> dict[str, Any]:
    """The normalised terms, or every problem found while reading them."""
    if reader.errors:
        raise UserErrors(reader.errors)
    return terms


def refuse_unstorable(reader: Reader) -> bool:
    """Record every NUL, out-of-range date or non-finite number in the input
    (`server.domain.core.inputs`) as a field error; whether there was one."""
    problems = input_problems(dict(reader.raw))
    for where, message in problems:
        reader.fail_at(where, message)
    return bool(problems)
