"""The pure rules of merging and erasure (`server.domain.leads.merging`,
`server.domain.leads.erasure`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from server.domain.leads.erasure import (
    ERASED,
    email_digest,
    erasure_key,
    needles_of,
    scrub_json,
    scrub_text,
)
from server.domain.leads.merging import (
    RANK,
    duplicate_stage_wins,
    merged_fields,
)
from server.domain.leads.stages import LeadStage

EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 6, 1, tzinfo=UTC)


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "first_name": "Ana",
        "last_name": "Ops",
        "company": "Freight Co",
        "company_size": 500,
        "industry": "Logistics",
        "job_title": None,
        "seniority": None,
        "country": "DE",
        "source": None,
        "campaign": None,
        "stage": "NEW",
        "stage_entered_at": EARLY,
        "cycle_started_at": EARLY,
        "cycle_counts_after": None,
        "qualified": False,
        "qualified_at": None,
        "qualified_under": None,
        "qualified_by": None,
        "owner_id": None,
        "is_customer": False,
        "recurring": False,
        "do_not_contact": False,
        "products": [],
        "amount": None,
    }
    return base | changes


def test_every_stage_has_a_rank_and_won_is_furthest() -> None:
    assert set(RANK) == set(LeadStage)
    assert max(RANK, key=RANK.__getitem__) is LeadStage.WON


@pytest.mark.parametrize(
    ("survivor", "duplicate", "wins"),
    [
        ("NEW", "MQL", True),
        ("MQL", "NEW", False),
        ("SAL", "SAL", False),  # a tie keeps the survivor's
        ("LOST", "MQL", True),  # an open pipeline position beats a closed loss
        ("WON", "OPPORTUNITY", False),
    ],
)
def test_the_further_stage_wins(survivor: str, duplicate: str, wins: bool) -> None:
    assert duplicate_stage_wins(survivor, duplicate) is wins


def test_a_winning_duplicate_brings_its_cycle_qualification_and_owner() -> None:
    survivor = record(stage="NURTURING", cycle_started_at=LATE, owner_id=None)
    duplicate = record(
        stage="SAL",
        cycle_started_at=EARLY,
        qualified=True,
        qualified_at=EARLY,
        qualified_by="ACTIVITY",
        owner_id=7,
    )
    changes = merged_fields(survivor, duplicate)
    assert changes["stage"] == "SAL" and changes["cycle_started_at"] == EARLY
    assert changes["qualified"] is True and changes["owner_id"] == 7


def test_customers_combine_and_blanks_fill_in() -> None:
    survivor = record(
        is_customer=True, products=["Fleet"], job_title=None, amount=Decimal("100")
    )
    duplicate = record(
        is_customer=True,
        recurring=True,
        products=["Yard", "Fleet"],
        job_title="COO",
        amount=Decimal("900"),
        first_name="Anna",
    )
    changes = merged_fields(survivor, duplicate)
    assert changes == {
        "job_title": "COO",
        "recurring": True,
        "products": ["Fleet", "Yard"],
    }


def test_scrubbing_replaces_every_occurrence_in_any_case() -> None:
    needles = needles_of(["Ana Ops", "ana@x.example", "Ana", "Op", None])
    assert needles == ("ana@x.example", "Ana Ops", "Ana")  # "Op" is too short
    text = "Call ANA OPS (ana@x.example); ana said yes"
    assert scrub_text(text, needles) == f"Call {ERASED} ({ERASED}); {ERASED} said yes"


def test_json_loses_personal_keys_and_needles_but_keeps_the_rest() -> None:
    doc = {
        "email": "old@x.example",
        "rows": [{"note": "hi"}, "Ana was here"],
        "count": 3,
        "lastName": None,
    }
    assert scrub_json(doc, ("Ana",)) == {
        "email": ERASED,
        "rows": [{"note": ERASED}, f"{ERASED} was here"],
        "count": 3,
        "lastName": None,
    }
    assert scrub_json(doc, ("Ana",), keys=False)["email"] == "old@x.example"


def test_the_kept_hash_depends_on_the_secret_key() -> None:
    one, two = erasure_key("a" * 32), erasure_key("b" * 32)
    assert email_digest(one, "x@y.example") == email_digest(one, "x@y.example")
    assert email_digest(one, "x@y.example") != email_digest(two, "x@y.example")
    assert "x@y" not in email_digest(one, "x@y.example")
