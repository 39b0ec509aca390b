"""What is in force: the qualification model, the SLA, the active personas.

The one reader every capability asks (scoring, persona matching, routing, the
SLA clocks, the decay pass, signing's checks), with the one cache: a reader
passes the function that turns terms into the value it uses, and each value is
made once per agreement, revision and terms text (the activation instant is
read every time: it is not part of the terms). The text is part of the key
because ids and revisions repeat when a database is rebuilt (each test's, a
restored backup) while the process lives on. One statement per question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from server import db
from server.domain.agreements.canonical import load_terms
from server.domain.agreements.lifecycle import AgreementKind, AgreementStatus
from server.models.agreements import Agreement
from server.services.core import fetched

T = TypeVar("T")
_COLUMNS = "id, revision, terms, activated_at"


@dataclass(frozen=True)
class Revision:
    """An agreement revision in force, its terms as signed."""

    agreement_id: int
    revision: int
    terms: dict[str, Any]
    activated_at: datetime | None


@dataclass(frozen=True)
class InForce(Generic[T]):
    """A revision in force and the value a reader made of its terms."""

    revision: Revision
    value: T


Reading = Callable[[Revision], T]
_cache: dict[tuple[Callable[[Revision], Any], int, int, str], Any] = {}


def _read(row: dict[str, Any], reading: Reading[T]) -> InForce[T]:
    text = row["terms"]
    key = (reading, int(row["id"]), int(row["revision"]), text)
    cached = _cache.get(key)
    terms = cached[0] if cached else load_terms(text) or {}
    revision = Revision(
        agreement_id=key[1],
        revision=key[2],
        terms=terms,
        activated_at=fetched.to_datetime(row["activated_at"]),
    )
    if cached is None:
        cached = _cache[key] = (terms, reading(revision))
    return InForce(revision, cached[1])


async def one(kind: AgreementKind, reading: Reading[T]) -> InForce[T] | None:
    """The model or SLA in force (a kind with one revision in force at a time)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM agreement WHERE in_force_slot = ?", kind.value
    )
    return _read(rows[0], reading) if rows else None


async def every(kind: AgreementKind, reading: Reading[T]) -> tuple[InForce[T], ...]:
    """Every active agreement of a kind (personas: several at a time), by id."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM agreement WHERE kind = ? AND status = ? ORDER BY id",
        kind.value,
        AgreementStatus.ACTIVE.value,
    )
    return tuple(_read(row, reading) for row in rows)


async def agreement(kind: AgreementKind) -> Agreement | None:
    """The model or SLA in force as the agreement queries show it."""
    return await Agreement.get_or_none(in_force_slot=kind.value)


def terms(revision: Revision) -> dict[str, Any]:
    """The reading for callers that want the terms as signed."""
    return revision.terms
