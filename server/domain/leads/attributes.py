"""What scoring reads of a lead: its fit attributes and its activities.

These are plain values built by the caller from whatever it stores; nothing here
knows about tables. `LeadAttributes` holds the eight fields a fit rule may test
(SPEC §2.2), `Activity` one buying signal (SPEC §2.3 `LeadActivity`, reduced to
what scoring needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from server.domain.agreements.activity_kinds import ActivityKind


@dataclass(frozen=True)
class LeadAttributes:
    """The lead fields fit rules test; ``None`` (or blank text) means unknown.

    ``persona`` is the persona's key as fit rules store it (the agreements code
    resolves persona IDs to keys), compared exactly as text; the other text
    fields are compared case-insensitively by the rules.
    """

    company_size: int | Decimal | None = None
    industry: str | None = None
    job_title: str | None = None
    seniority: str | None = None
    country: str | None = None
    source: str | None = None
    persona: str | int | None = None
    is_customer: bool | None = None


@dataclass(frozen=True)
class Activity:
    """One buying signal: what the lead did and when (an aware instant)."""

    kind: ActivityKind
    occurred_at: datetime
