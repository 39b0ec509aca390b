"""Activity rows as integrations send them to `recordLeadActivities` (SPEC §2.3, §3).

Each row names its lead by ``leadId`` (opaque, decoded by the caller) or
``leadEmail`` (normalised like any lead address), says what happened (``kind``)
and when (``occurredAt``, at most `FUTURE_TOLERANCE` ahead of the clock passed
in), and may carry the sender's ``externalId``, a ``source`` and a small JSON
``metadata`` object. Problems are raised together as `UserErrors`, with paths.
`activity_dedupe_key` makes recording idempotent, with or without external ids.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.agreements.terms import Reader, refuse_unstorable
from server.domain.core.errors import UserErrors
from server.domain.core.instants import as_utc
from server.domain.leads.intake import read_email, read_instant

MAX_ACTIVITY_ROWS = 1000
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_METADATA_BYTES = 4096
MAX_METADATA_DEPTH = 8
MAX_LEAD_ID = 200
MAX_EXTERNAL_ID = 200
MAX_SOURCE = 100

# Where inside metadata (keys and list positions) and what is wrong there.
Problem = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class ActivityRow:
    """One activity row, read: exactly one of ``lead_id`` and ``lead_email`` is set.

    ``occurred_at`` is in UTC; ``metadata`` is the object given (empty when none).
    """

    lead_id: str | None
    lead_email: str | None
    kind: ActivityKind
    occurred_at: datetime
    external_id: str | None
    source: str | None
    metadata: dict[str, Any]


def read_activity_row(
    raw: Mapping[str, Any], path: Sequence[str | int], now: datetime
) -> ActivityRow:
    """Read one `recordLeadActivities` row; raises `UserErrors` with every problem.

    ``path`` leads to the row in the input, as ``("activities", 7)``; ``now`` is
    the aware current instant that ``occurredAt`` is checked against.
    """
    reader = Reader(raw, tuple(str(step) for step in path))
    if refuse_unstorable(reader):
        raise UserErrors(reader.errors)
    lead_id, lead_email = _lead_reference(reader)
    kind = reader.choice("kind", ActivityKind)
    occurred_at = _occurred_at(reader, now)
    external_id = _external_id(reader)
    source = reader.text("source", max_length=MAX_SOURCE, required=False) or None
    metadata = _metadata(reader)
    if reader.errors or occurred_at is None:
        raise UserErrors(reader.errors)
    return ActivityRow(
        lead_id,
        lead_email,
        ActivityKind(kind),
        occurred_at,
        external_id,
        source,
        metadata,
    )


def read_imported_activity(reader: Reader, now: datetime) -> ActivityRow | None:
    """One past activity of a historical import row (its lead is the row's):
    the fields of `read_activity_row` but the lead reference. Problems are left
    on ``reader``; None when the row cannot be read."""
    kind = reader.choice("kind", ActivityKind)
    occurred_at = _occurred_at(reader, now)
    external_id = _external_id(reader)
    source = reader.text("source", max_length=MAX_SOURCE, required=False) or None
    metadata = _metadata(reader)
    if not kind or occurred_at is None:
        return None
    kinds = ActivityKind(kind)
    return ActivityRow(None, None, kinds, occurred_at, external_id, source, metadata)


def _lead_reference(reader: Reader) -> tuple[str | None, str | None]:
    named = [key for key in ("leadId", "leadEmail") if reader.raw.get(key) is not None]
    if len(named) != 1:
        reader.fail(None, "name the lead by exactly one of leadId and leadEmail")
        return None, None
    if named == ["leadEmail"]:
        return None, read_email(reader, "leadEmail")
    return reader.text("leadId", max_length=MAX_LEAD_ID) or None, None


def _occurred_at(reader: Reader, now: datetime) -> datetime | None:
    occurred_at = read_instant(reader, "occurredAt", required=True)
    if occurred_at is not None and occurred_at > as_utc(now) + FUTURE_TOLERANCE:
        minutes = FUTURE_TOLERANCE // timedelta(minutes=1)
        reader.fail(
            "occurredAt",
            f"this is in the future: at most {minutes} minutes ahead of now",
        )
    return occurred_at


def _external_id(reader: Reader) -> str | None:
    """The sender's id of the activity: optional, but never blank when given."""
    given = reader.raw.get("externalId") is not None
    return reader.text("externalId", max_length=MAX_EXTERNAL_ID, required=given) or None


def _metadata(reader: Reader) -> dict[str, Any]:
    value = reader.raw.get("metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.fail("metadata", "give a JSON object")
        return {}
    problem = _json_problem(value, 1)
    if problem is None:
        problem = _size_problem(value)
    if problem is not None:
        where, message = problem
        reader.fail_at(("metadata", *where), message)
    return value


def _json_problem(value: Any, depth: int) -> Problem | None:
    """Where and why `value` is not plain JSON within the depth limit, or None."""
    if isinstance(value, dict | list):
        return _container_problem(value, depth)
    if isinstance(value, float) and not math.isfinite(value):
        return (), "give finite numbers only"
    if value is None or isinstance(value, str | int | float):
        return None
    return (), f"give only JSON values, not {type(value).__name__}"


def _container_problem(value: dict[Any, Any] | list[Any], depth: int) -> Problem | None:
    if depth > MAX_METADATA_DEPTH:
        return (), f"nest objects and lists at most {MAX_METADATA_DEPTH} deep"
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in pairs:
        if isinstance(value, dict) and not isinstance(key, str):
            return (), "use text keys only"
        found = _json_problem(item, depth + 1)
        if found is not None:
            return (str(key), *found[0]), found[1]
    return None


def _size_problem(value: dict[str, Any]) -> Problem | None:
    try:
        size = len(orjson.dumps(value))
    except orjson.JSONEncodeError:  # numbers beyond 64 bits, lone surrogates
        return (), "give only JSON values"
    if size > MAX_METADATA_BYTES:
        return (), f"use at most {MAX_METADATA_BYTES} bytes as compact JSON ({size})"
    return None


def activity_dedupe_key(lead_id: int, row: ActivityRow) -> str:
    """The key under which a lead records an activity once (at most 202 characters).

    With an ``externalId`` it is ``"x:"`` and that id: the sender says what is
    one activity. Without, it is ``"h:"`` and the hex SHA-256 of the lead id,
    kind, ``occurredAt`` (UTC, ISO with microseconds) and source, so a batch
    retried after a timeout records nothing twice. Metadata is not part of it: a
    retry with enriched metadata is the same activity; the price is that two
    activities of one kind and source at the same microsecond count once. Keys
    are unique per lead (the same external id may recur on another lead).
    """
    if row.external_id is not None:
        return "x:" + row.external_id
    moment = as_utc(row.occurred_at).isoformat(timespec="microseconds")
    identity = orjson.dumps([lead_id, row.kind.value, moment, row.source])
    return "h:" + hashlib.sha256(identity).hexdigest()
