"""Turning fetched values into Python values fast, for bulk reads.

SQLite hands back text for times, decimals and JSON; PostgreSQL typed values.
Tortoise's per-field conversion parses times with a pure-Python ISO parser,
which dominated the cost of reading thousands of rows; these converters use
the C ``datetime.fromisoformat`` and are picked once per column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from tortoise import fields
from tortoise.models import Model

Converter = Callable[[Any], Any]


def to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def to_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def to_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def to_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def to_json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def same(value: Any) -> Any:
    return value


def converters(model: type[Model]) -> dict[str, Converter]:
    """A converter per column of the model's table (a foreign key's ``_id``
    column is only known once Tortoise is set up: look columns up with
    ``.get(name, same)``)."""
    found: dict[str, Converter] = {}
    for name, field in model._meta.fields_map.items():
        if isinstance(field, fields.DatetimeField):
            found[name] = to_datetime
        elif isinstance(field, fields.DecimalField):
            found[name] = to_decimal
        elif isinstance(field, fields.BooleanField):
            found[name] = to_bool
        elif isinstance(field, fields.JSONField):
            found[name] = to_json
        else:
            found[name] = same
    return found


def record_converters(model: type[Model]) -> dict[str, Converter]:
    """`converters`, dates included: for rows read as `Record`s in place of
    the model's objects, every column as the model's field would give it."""
    found = converters(model)
    for name, field in model._meta.fields_map.items():
        if isinstance(field, fields.DateField) and not isinstance(
            field, fields.DatetimeField
        ):
            found[name] = to_date
    return found


class Record:
    """A fetched row read by attribute, like a model object, without the cost of
    building one (for pages that show many related rows)."""

    __slots__ = ("__dict__",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def records(model: type[Model], rows: list[dict[str, Any]]) -> dict[int, Any]:
    """Rows by id as `Record`s, converted like the model's fields."""
    convert = converters(model)
    found: dict[int, Any] = {}
    for raw in rows:
        values = {k: convert.get(k, same)(v) for k, v in raw.items()}
        found[int(values["id"])] = Record(values)
    return found


def group_by(rows: Iterable[Any], key: Callable[[Any], int]) -> dict[int, list[Any]]:
    """Rows of a batched read, grouped by the key a page's loader asks with."""
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped
