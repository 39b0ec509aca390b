"""Duplicate records for the demo's review screen (`duplicateLeadCandidates`).

Real CRMs inherit them: the same person signs up again at a webinar with a
plus-tagged address, a list import writes the address without its dot, or a
trade-show scan comes in under the group's other domain. A few planned people
arrive a second time that way, a week or two after the first record, so the
duplicates screen has realistic pairs to review and merge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from server.demo.plans.market import LeadPlan

PAIRS = 3
MIN_LEADS = 200  # smaller demos (the tests' own) stay exactly as planned


def _plus_tagged(local: str, domain: str) -> str:
    return f"{local}+webinar@{domain}"


def _dotless(local: str, domain: str) -> str:
    return f"{local.replace('.', '')}@{domain}"


def _group_domain(local: str, domain: str) -> str:
    return f"{local}@{domain.replace('.example', '-group.example')}"


VARIANTS: tuple[tuple[str, str, Callable[[str, str], str]], ...] = (
    ("Webinar", "webinar-rerun", _plus_tagged),
    ("List import", "partner-list", _dotless),
    ("Trade show", "logimat-scan", _group_domain),
)


def pairs_for(leads: int) -> int:
    """How many of the demo's ``leads`` arrive as second records."""
    return PAIRS if leads >= MIN_LEADS else 0


def with_duplicates(plans: list[LeadPlan], count: int, end: datetime) -> list[LeadPlan]:
    """The plans plus ``count`` second records of people spread over them, in
    order of arrival (the seconds engage no further: the first has the story)."""
    seconds = []
    for n in range(count):
        first = plans[(n + 1) * len(plans) // (count + 1)]
        source, campaign, address = VARIANTS[n % len(VARIANTS)]
        local, domain = first.email.split("@")
        arrives = min(
            first.created_at + timedelta(days=9 + 4 * n), end - timedelta(hours=6)
        )
        row = {
            **first.row,
            "email": address(local, domain),
            "source": source,
            "campaign": campaign,
            "externalIds": [{"system": "crm", "id": f"DUP-{first.index}"}],
        }
        seconds.append(
            replace(
                first, index=len(plans) + n, row=row, created_at=arrives, activities=()
            )
        )
    return sorted([*plans, *seconds], key=lambda p: (p.created_at, p.index))
