"""What the inputs of the meeting mutations may hold (SPEC §2.7).

Pure: each reader answers the value as stored or the first `Refusal`.

Where the spec is silent:
- titles are 1–200 characters after trimming; notes at most 20,000; each
  decision, agenda topic and action item 1–1,000, at most 100 of each;
- a meeting has 1–50 attendees, distinct (order kept);
- the reviewed period is at most 400 days long.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from server.domain.core.errors import ErrorCode
from server.domain.core.periods import Period
from server.domain.leads.stages import Refusal

MAX_TITLE = 200
MAX_NOTES = 20_000
MAX_LINE = 1000
MAX_LINES = 100
MAX_ATTENDEES = 50
MAX_PERIOD = timedelta(days=400)


def read_title(raw: str) -> str | Refusal:
    text = raw.strip()
    if not text:
        return Refusal(ErrorCode.INVALID_INPUT, "give a title", "title")
    if len(text) > MAX_TITLE:
        message = f"use at most {MAX_TITLE} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, "title")
    return text


def read_notes(raw: str) -> str | Refusal:
    if len(raw) > MAX_NOTES:
        message = f"use at most {MAX_NOTES} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, "notes")
    return raw.strip()


def read_line(raw: str, field: str) -> str | Refusal:
    text = raw.strip()
    if not text:
        return Refusal(ErrorCode.INVALID_INPUT, "write something", field)
    if len(text) > MAX_LINE:
        message = f"use at most {MAX_LINE} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, field)
    return text


def read_lines(raw: Sequence[str], field: str) -> list[str] | Refusal:
    """Decisions or agenda topics: blank lines dropped, each bounded."""
    kept = [line.strip() for line in raw if line.strip()]
    if len(kept) > MAX_LINES:
        message = f"at most {MAX_LINES} entries"
        return Refusal(ErrorCode.INVALID_INPUT, message, field)
    for line in kept:
        if len(line) > MAX_LINE:
            message = f"use at most {MAX_LINE} characters per entry"
            return Refusal(ErrorCode.INVALID_INPUT, message, field)
    return kept


def read_attendees(keys: Sequence[int]) -> list[int] | Refusal:
    distinct = list(dict.fromkeys(keys))
    if not distinct:
        message = "name at least one attendee"
        return Refusal(ErrorCode.INVALID_INPUT, message, "attendeeIds")
    if len(distinct) > MAX_ATTENDEES:
        message = f"at most {MAX_ATTENDEES} attendees"
        return Refusal(ErrorCode.INVALID_INPUT, message, "attendeeIds")
    return distinct


def check_period(period: Period) -> Refusal | None:
    if period.closes - period.opens > MAX_PERIOD:
        message = f"review at most {MAX_PERIOD.days} days at once"
        return Refusal(ErrorCode.INVALID_INPUT, message, "reviewedPeriod")
    return None
