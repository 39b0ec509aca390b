"""What the demo's sales team does with a handed-off lead, and when.

A `HandoffScript` is drawn per handoff from a seeded `random.Random`: accepted
(mostly in time, sometimes late), rejected with a reason that suits the lead,
reassigned by a manager first, pulled back by marketing, or left waiting; after
acceptance, follow-ups (the first one in time or late) and the way down the
waterfall. The instants are business hours on the SLA's calendar, so a "late"
decision really breaches whatever day the handoff falls on.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from server.domain.agreements.calendar import (
    BusinessCalendar,
    add_business_hours,
    business_hours_between,
)


class Decision(StrEnum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    WITHDRAW = "WITHDRAW"  # marketing pulls the lead back before a decision
    HOLD = "HOLD"  # nobody decides: the handoff waits (and breaches)


DECISIONS = {
    Decision.ACCEPT: 70,
    Decision.REJECT: 20,
    Decision.WITHDRAW: 3,
    Decision.HOLD: 7,
}


@dataclass(frozen=True)
class Rejection:
    reason: str
    comment: str | None
    disposition: str


@dataclass(frozen=True)
class HandoffScript:
    decision: Decision
    late: bool
    reassign: bool
    rejection: Rejection | None = None
    touches: int = 0
    first_touch_late: bool = False
    path: tuple[str, ...] = ()
    amount: Decimal | None = None
    recurring: bool = False


def handoff_script(rng: random.Random, lead: Mapping[str, Any]) -> HandoffScript:
    """One handoff's fate (see the module doc), drawn for this lead."""
    choices = list(DECISIONS)
    decision = rng.choices(choices, [DECISIONS[d] for d in choices])[0]
    late = rng.random() < 0.18
    reassign = decision in (Decision.ACCEPT, Decision.REJECT) and rng.random() < 0.1
    if decision is Decision.REJECT:
        return HandoffScript(decision, late, reassign, rejection_for(rng, lead))
    if decision is not Decision.ACCEPT:
        return HandoffScript(decision, late, False)
    return HandoffScript(
        decision,
        late,
        reassign,
        touches=rng.choices([0, 1, 2, 3, 4], [4, 14, 26, 36, 20])[0],
        first_touch_late=rng.random() < 0.2,
        path=waterfall_path(rng),
        amount=deal_amount(rng, lead.get("companySize") or 100),
        recurring=rng.random() < 0.8,
    )


def rejection_for(rng: random.Random, lead: Mapping[str, Any]) -> Rejection:
    """A reason a sales rep would give for this lead (its data first)."""
    if lead.get("isCustomer"):
        return Rejection("EXISTING_CUSTOMER", "Account team already owns it", "RECYCLE")
    if (lead.get("companySize") or 0) < 50:
        return Rejection("NOT_A_FIT", "Too small for the platform", "DISQUALIFY")
    if lead.get("seniority") == "Individual contributor" and rng.random() < 0.6:
        return Rejection(
            "WRONG_PERSONA", "Analyst, not the buyer; find the ops lead", "RECYCLE"
        )
    return rng.choices(
        [
            Rejection("NOT_READY", "Evaluating next quarter", "RECYCLE"),
            Rejection(
                "NO_BUDGET", "Budget frozen until the next fiscal year", "RECYCLE"
            ),
            Rejection("BAD_CONTACT_DATA", "Phone and e-mail bounce", "DISQUALIFY"),
            Rejection("DUPLICATE", None, "DISQUALIFY"),
            Rejection("COMPETITOR", "Works for a competitor", "DISQUALIFY"),
            Rejection("OTHER", "Student researching a thesis", "DISQUALIFY"),
        ],
        [30, 22, 16, 8, 6, 6],
    )[0]


def waterfall_path(rng: random.Random) -> tuple[str, ...]:
    """Where an accepted lead goes from SAL: most stall or qualify out early."""
    if rng.random() < 0.3:
        return rng.choice([("RECYCLED",), ("DISQUALIFIED",), ()])
    if rng.random() < 0.4:
        return ("SQL",)
    if rng.random() < 0.25:
        return ("SQL", "OPPORTUNITY")
    return ("SQL", "OPPORTUNITY", rng.choice(["WON", "WON", "LOST", "LOST", "LOST"]))


def deal_amount(rng: random.Random, company_size: int) -> Decimal:
    """Annual contract value in whole hundreds, growing with the company."""
    base = 6_000 + 18 * min(company_size, 5_000) ** 0.9
    return Decimal(int(base * rng.uniform(0.6, 1.6) / 100) * 100)


# ---- timing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Clocks:
    """A chain's start and deadlines, as the handoff use case stored them."""

    started: datetime
    accept_due: datetime | None
    first_touch_due: datetime | None


def later(
    rng: random.Random,
    calendar: BusinessCalendar | None,
    start: datetime,
    hours: tuple[float, float],
) -> datetime:
    """Some business hours after `start` (between the two given)."""
    return add_business_hours(
        calendar, start, Decimal(str(round(rng.uniform(*hours), 3)))
    )


def decision_time(
    rng: random.Random,
    calendar: BusinessCalendar | None,
    clocks: Clocks,
    late: bool,
) -> datetime:
    """In time: within the accept window; late: after its deadline."""
    if clocks.accept_due is None:
        return later(rng, calendar, clocks.started, (0.5, 6))
    if late:
        return later(rng, calendar, clocks.accept_due, (0.5, 14))
    window = business_hours_between(calendar, clocks.started, clocks.accept_due)
    share = rng.uniform(0.1, 0.85)
    return add_business_hours(calendar, clocks.started, window * Decimal(str(share)))


def first_touch_time(
    rng: random.Random,
    calendar: BusinessCalendar | None,
    clocks: Clocks,
    after: datetime,
    late: bool,
) -> datetime:
    """The first follow-up: before the first-touch deadline unless late (or
    unless the decision itself came after it)."""
    due = clocks.first_touch_due
    if due is None or late or after >= due:
        return later(rng, calendar, max(after, due or after), (0.5, 20))
    left = business_hours_between(calendar, after, due)
    share = Decimal(str(rng.uniform(0.05, 0.9)))
    return add_business_hours(calendar, after, left * share)
