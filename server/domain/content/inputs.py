"""What the inputs of the content mutations may hold (SPEC §2.8).

Pure: each reader answers the value as stored or the first `Refusal`, with the
input field it is about.

Where the spec is silent:
- titles are 1–200 characters after trimming; descriptions, comments and
  reasons at most 5,000; a blank description is stored as empty;
- asset URLs are absolute ``http``/``https`` URLs with a host, at most 2,000
  characters, no spaces or control characters (a ``javascript:`` or
  ``data:`` URL is refused, never stored);
- ratings are whole numbers 1–5.
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlsplit

from server.domain.core.errors import ErrorCode
from server.domain.leads.stages import Refusal

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_URL = 2000
MIN_RATING = 1
MAX_RATING = 5
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f]")


class ContentType(StrEnum):
    CASE_STUDY = "CASE_STUDY"
    BATTLECARD = "BATTLECARD"
    ONE_PAGER = "ONE_PAGER"
    EMAIL_TEMPLATE = "EMAIL_TEMPLATE"
    PRESENTATION = "PRESENTATION"
    WHITEPAPER = "WHITEPAPER"
    VIDEO = "VIDEO"
    OTHER = "OTHER"


class Priority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


PRIORITY_RANK = {
    Priority.LOW: 1,
    Priority.MEDIUM: 2,
    Priority.HIGH: 3,
    Priority.URGENT: 4,
}


def read_title(raw: str, field: str = "title") -> str | Refusal:
    text = raw.strip()
    if not text:
        return Refusal(ErrorCode.INVALID_INPUT, "give a title", field)
    if len(text) > MAX_TITLE:
        message = f"use at most {MAX_TITLE} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, field)
    return text


def read_text(raw: str | None, field: str, required: bool = False) -> str | Refusal:
    """Free text (description, comment, reason): trimmed, bounded; required
    ones must not be blank."""
    text = (raw or "").strip()
    if required and not text:
        return Refusal(ErrorCode.INVALID_INPUT, "say why in a few words", field)
    if len(text) > MAX_TEXT:
        message = f"use at most {MAX_TEXT} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, field)
    return text


def read_url(raw: str, field: str = "url") -> str | Refusal:
    """An asset's link: only absolute http(s) URLs with a host."""
    text = raw.strip()
    if not text or len(text) > MAX_URL or _UNSAFE.search(text):
        return Refusal(ErrorCode.INVALID_INPUT, "give an http or https link", field)
    try:
        parts = urlsplit(text)
    except ValueError:
        return Refusal(ErrorCode.INVALID_INPUT, "this is not a link", field)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return Refusal(ErrorCode.INVALID_INPUT, "give an http or https link", field)
    return text


def read_rating(rating: int, field: str = "rating") -> int | Refusal:
    if not MIN_RATING <= rating <= MAX_RATING:
        message = f"give a rating from {MIN_RATING} to {MAX_RATING}"
        return Refusal(ErrorCode.INVALID_INPUT, message, field)
    return rating


def priority_rank(priority: Priority | str) -> int:
    return PRIORITY_RANK[Priority(priority)]
