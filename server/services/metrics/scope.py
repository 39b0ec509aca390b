"""What a metrics read is about: the period, the persona and the instant it is
read at, with the SQL conditions every figure shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.core.instants import as_utc
from server.domain.core.periods import Period


@dataclass(frozen=True)
class Scope:
    """A period (half-open), an optional persona (the figure says which one:
    at qualification, at handoff, or now) and the instant of reading."""

    period: Period
    persona_id: int | None
    zone: ZoneInfo
    now: datetime

    @property
    def opens(self) -> datetime:
        return as_utc(self.period.opens)

    @property
    def closes(self) -> datetime:
        return as_utc(self.period.closes)

    @property
    def due_until(self) -> datetime:
        """Deadlines count once they fell: before the period's end and now."""
        return min(self.closes, as_utc(self.now))

    def within(self, column: str) -> tuple[str, list[Any]]:
        """``column`` in [opens, closes)."""
        return f"{column} >= ? AND {column} < ?", [self.opens, self.closes]

    def fell(self, column: str) -> tuple[str, list[Any]]:
        """``column`` (a deadline) in [opens, min(closes, now))."""
        return f"{column} >= ? AND {column} < ?", [self.opens, self.due_until]

    def persona(self, column: str) -> tuple[str, list[Any]]:
        if self.persona_id is None:
            return "1 = 1", []
        return f"{column} = ?", [self.persona_id]


def instant(raw: Any) -> datetime:
    """A timestamp as fetched (SQLite gives text), aware UTC."""
    if isinstance(raw, datetime):
        return as_utc(raw)
    return as_utc(datetime.fromisoformat(str(raw)))


def number(raw: Any) -> int:
    """A count as fetched (SUM over no rows is NULL)."""
    return int(raw or 0)


def decimal(raw: Any) -> Decimal:
    return Decimal(str(raw)) if raw is not None else Decimal(0)
