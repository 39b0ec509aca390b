"""How two records of one person become one (SPEC §2.3 `mergeLeads`).

The survivor keeps its id; the duplicate's activities, history and work move to
it. Where the two disagree the rules below decide, and `merged_fields` says
which record each contested field came from, for the audit entry:

- **Stage**: the further one in the waterfall wins (`stage_rank`), with the
  cycle and qualification that belong to it; a tie keeps the survivor's.
- **Customers**: ``is_customer`` and ``recurring`` are true when either is;
  ``products`` is the union; ``amount`` is the winner's, else the other's.
- **Profile fields** (names, company, title…): the survivor's, filled in from
  the duplicate where the survivor has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.domain.leads.stages import LeadStage

# Open pipeline positions beat closed outcomes: the person is being worked now.
_ORDER = (
    LeadStage.NEW,
    LeadStage.NURTURING,
    LeadStage.RECYCLED,
    LeadStage.DISQUALIFIED,
    LeadStage.LOST,
    LeadStage.MQL,
    LeadStage.SAL,
    LeadStage.SQL,
    LeadStage.OPPORTUNITY,
    LeadStage.WON,
)
RANK = {stage: index for index, stage in enumerate(_ORDER)}

PROFILE = (
    "first_name",
    "last_name",
    "company",
    "company_size",
    "industry",
    "job_title",
    "seniority",
    "country",
    "source",
    "campaign",
)
# What comes with the stage that wins: its place, cycle, qualification, owner.
WITH_STAGE = (
    "stage",
    "stage_entered_at",
    "cycle_started_at",
    "cycle_counts_after",
    "qualified",
    "qualified_at",
    "qualified_under",
    "qualified_by",
    "owner_id",
)


def stage_rank(stage: str) -> int:
    return RANK[LeadStage(stage)]


def duplicate_stage_wins(survivor_stage: str, duplicate_stage: str) -> bool:
    """Whether the duplicate's stage is further along (a tie keeps the survivor's)."""
    return stage_rank(duplicate_stage) > stage_rank(survivor_stage)


def merged_fields(
    survivor: Mapping[str, Any], duplicate: Mapping[str, Any]
) -> dict[str, Any]:
    """The survivor's columns that change, with their merged values."""
    changes: dict[str, Any] = {}
    for column in PROFILE:
        if survivor[column] in (None, "") and duplicate[column] not in (None, ""):
            changes[column] = duplicate[column]
    winner, other = survivor, duplicate
    if duplicate_stage_wins(survivor["stage"], duplicate["stage"]):
        winner, other = duplicate, survivor
        changes.update({column: duplicate[column] for column in WITH_STAGE})
    no_owner = survivor["owner_id"] is None and "owner_id" not in changes
    if no_owner and duplicate["owner_id"] is not None:
        changes["owner_id"] = duplicate["owner_id"]
    for flag in ("is_customer", "recurring", "do_not_contact"):
        if duplicate[flag] and not survivor[flag]:
            changes[flag] = True
    products = list(survivor["products"])
    products += [p for p in duplicate["products"] if p not in products]
    if products != list(survivor["products"]):
        changes["products"] = products
    amount = winner["amount"] if winner["amount"] is not None else other["amount"]
    if amount != survivor["amount"]:
        changes["amount"] = amount
    return changes
