"""Erasing a person (SPEC §2.3 `eraseLead`, GDPR Art. 17): the pure part.

What stays is an anonymous record: the lead's id, stage, dates, scores and
attributes that say nothing about who the person is (industry, country, size,
seniority, source, campaign), so that every count and sum stays right. What
goes is everything that identifies them. Free text linked to the person is
replaced whole (`ERASED`); shared text (an audit entry of a bulk call) loses
every occurrence of the person's identifying strings; in JSON, values under a
personal key are replaced too, so an old name in an audit entry's changes goes
with the current one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Any

ERASED = "[erased]"
EMAIL_PREFIX = "erased:"
# Keys of JSON documents (audit changes, event payloads, activity metadata)
# whose values are a person's data, in either spelling.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "leadEmail",
        "lead_email",
        "firstName",
        "first_name",
        "lastName",
        "last_name",
        "name",
        "leadName",
        "company",
        "jobTitle",
        "job_title",
        "externalIds",
        "external_ids",
        "externalId",
        "external_id",
        "comment",
        "note",
        "metadata",
        "phone",
    }
)
# The lead's own columns that identify the person, and what they become.
PROFILE_ERASED: dict[str, Any] = {
    "first_name": None,
    "last_name": None,
    "company": None,
    "job_title": None,
    "products": [],
    "score_breakdown": [],
    "do_not_contact": True,
    "source_updated_at": None,
}


def erased_email(lead_id: int) -> str:
    """The address an erased lead keeps: unique, and no address (no ``@``)."""
    return f"{EMAIL_PREFIX}{lead_id}"


def is_erased_email(email: str) -> bool:
    return email.startswith(EMAIL_PREFIX)


def email_digest(key: bytes, email: str) -> str:
    """The keyed hash kept of an erased address (HMAC-SHA256 of the normalised
    address): recognises the same address later without storing it."""
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()


def erasure_key(secret_key: str) -> bytes:
    """The hash key, derived from ``ACCORD_SECRET_KEY`` for this purpose only."""
    return hmac.new(
        secret_key.encode(), b"accord lead erasure", hashlib.sha256
    ).digest()


def needles_of(values: Iterable[str | None]) -> tuple[str, ...]:
    """The identifying strings to look for: non-empty, longest first (so a full
    name goes before its parts), at least 3 characters (shorter ones would
    blank ordinary words)."""
    found = {v.strip() for v in values if v and len(v.strip()) >= 3}
    return tuple(sorted(found, key=lambda v: (-len(v), v)))


def scrub_text(text: str, needles: tuple[str, ...]) -> str:
    """Every occurrence of a needle, in any case, replaced by `ERASED`."""
    if not needles or not text:
        return text
    pattern = "|".join(re.escape(n) for n in needles)
    return re.sub(pattern, ERASED, text, flags=re.IGNORECASE)


def scrub_json(value: Any, needles: tuple[str, ...], *, keys: bool = True) -> Any:
    """A JSON document with personal keys' values (when ``keys``) and every
    needle in its strings replaced."""
    if isinstance(value, dict):
        return {
            k: (
                ERASED
                if keys and k in PERSONAL_KEYS and v not in (None, "", [], {})
                else scrub_json(v, needles, keys=keys)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_json(v, needles, keys=keys) for v in value]
    if isinstance(value, str):
        return scrub_text(value, needles)
    return value


def hashed_key(text: str) -> str:
    """An activity's dedupe key, kept unique but no longer readable."""
    return "erased:" + hashlib.sha256(text.encode()).hexdigest()[:48]
