"""The clock statuses as SQL conditions agree with the domain on every combination.

Chains are stored with every mix of SLA (none or set), decision (pending,
accepted, auto-accepted, rejected, withdrawn, each before, at or after the
deadlines) and first touch (none, before, at or after its deadline); then at
instants before the at-risk instants, on them, between, on the deadlines and
after, each status filter of `handoff_clocks` must select exactly the chains
whose handoff `schema.waterfall.types.handoff_type` reports in that status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from tortoise.expressions import Q

from schema.waterfall.types import handoff_type
from server.domain.waterfall.clocks import ClockStatus
from server.models.leads import Lead
from server.models.people import User
from server.models.waterfall import Handoff, HandoffChain
from server.services.waterfall import clocks as handoff_clocks
from tests.helpers import make_user

pytestmark = pytest.mark.usefixtures("database")

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
TICK = timedelta(microseconds=1)
ACCEPT_AT_RISK, ACCEPT_DUE = T0 + 3 * HOUR, T0 + 4 * HOUR
TOUCH_AT_RISK, TOUCH_DUE = T0 + 6 * HOUR, T0 + 8 * HOUR


@dataclass(frozen=True)
class Decision:
    """What ended (or did not end) the chain's accept clock."""

    status: str
    decided_at: datetime | None = None
    auto: bool = False
    withdrawn_at: datetime | None = None

    @property
    def decision(self) -> str | None:
        return self.status if self.decided_at is not None else None


DECISIONS = {
    "pending": Decision("PENDING"),
    "accepted early": Decision("ACCEPTED", T0 + HOUR),
    "accepted on the deadline": Decision("ACCEPTED", ACCEPT_DUE),
    "accepted a microsecond late": Decision("ACCEPTED", ACCEPT_DUE + TICK),
    "auto-accepted": Decision("ACCEPTED", ACCEPT_DUE + TICK, auto=True),
    "rejected early": Decision("REJECTED", T0 + 2 * HOUR),
    "rejected after the accept deadline": Decision("REJECTED", T0 + 5 * HOUR),
    "rejected after the touch deadline": Decision("REJECTED", TOUCH_DUE + HOUR),
    "withdrawn early": Decision("WITHDRAWN", withdrawn_at=T0 + 2 * HOUR),
    "withdrawn on the accept deadline": Decision("WITHDRAWN", withdrawn_at=ACCEPT_DUE),
    "withdrawn after the accept deadline": Decision(
        "WITHDRAWN", withdrawn_at=T0 + 5 * HOUR
    ),
    "withdrawn on the touch deadline": Decision("WITHDRAWN", withdrawn_at=TOUCH_DUE),
    "withdrawn after the touch deadline": Decision(
        "WITHDRAWN", withdrawn_at=TOUCH_DUE + HOUR
    ),
}
TOUCHES = {
    "untouched": None,
    "touched early": T0 + HOUR / 2,
    "touched on the deadline": TOUCH_DUE,
    "touched a microsecond late": TOUCH_DUE + TICK,
}
NOWS = {
    "before either at-risk instant": T0 + HOUR,
    "on the accept at-risk instant": ACCEPT_AT_RISK,
    "between accept at-risk and due": T0 + 3.5 * HOUR,
    "on the accept deadline": ACCEPT_DUE,
    "past the accept deadline": T0 + 5 * HOUR,
    "on the touch at-risk instant": TOUCH_AT_RISK,
    "between touch at-risk and due": T0 + 7 * HOUR,
    "on the touch deadline": TOUCH_DUE,
    "past every deadline": TOUCH_DUE + 2 * HOUR,
}
Condition = Callable[[ClockStatus, datetime], Q]
CLOCKS: dict[str, Condition] = {
    "acceptStatus": handoff_clocks.accept_is,
    "firstTouchStatus": handoff_clocks.first_touch_is,
    "slaStatus": handoff_clocks.sla_is,
}


async def store_every_combination() -> dict[int, str]:
    """One chain (with its one handoff) per combination; their labels by chain id."""
    rep = await make_user("rey@example.com", "SALES")
    labels = {}
    combinations = product((True, False), DECISIONS.items(), TOUCHES.items())
    for n, (with_sla, (decided, decision), (touched, touch)) in enumerate(combinations):
        lead = await a_lead(n)
        chain = await a_chain(lead, with_sla, decision, touch)
        await a_handoff(chain, rep, decision)
        sla = "with an SLA" if with_sla else "without an SLA"
        labels[chain.id] = f"{sla}, {decided}, {touched}"
    return labels


async def a_lead(n: int) -> Lead:
    return await Lead.create(
        email=f"lead{n}@example.com",
        stage="MQL",
        stage_entered_at=T0,
        cycle_started_at=T0,
        created_at=T0,
        updated_at=T0,
    )


async def a_chain(
    lead: Lead, with_sla: bool, decision: Decision, touch: datetime | None
) -> HandoffChain:
    return await HandoffChain.create(
        lead_id=lead.id,
        started_at=T0,
        accept_due_at=ACCEPT_DUE if with_sla else None,
        accept_at_risk_at=ACCEPT_AT_RISK if with_sla else None,
        first_touch_due_at=TOUCH_DUE if with_sla else None,
        first_touch_at_risk_at=TOUCH_AT_RISK if with_sla else None,
        decision=decision.decision,
        decided_at=decision.decided_at,
        auto_accepted=decision.auto,
        withdrawn_at=decision.withdrawn_at,
        first_touch_at=touch,
        touch_attempts=0 if touch is None else 1,
    )


async def a_handoff(chain: HandoffChain, rep: User, decision: Decision) -> Handoff:
    return await Handoff.create(
        chain_id=chain.id,
        lead_id=chain.lead_id,
        assignee_id=rep.id,
        status=decision.status,
        handed_off_at=T0,
        sort_due_at=chain.accept_due_at or T0,
        decided_at=decision.decided_at,
    )


async def domain_statuses(now: datetime) -> dict[str, dict[int, ClockStatus]]:
    """Each clock's status per chain, as the `Handoff` type reports it at `now`."""
    chains = {c.id: c for c in await HandoffChain.all()}
    found: dict[str, dict[int, ClockStatus]] = {name: {} for name in CLOCKS}
    for row in await Handoff.all():
        typed = handoff_type(row, chains[row.chain_id], now)
        found["acceptStatus"][row.chain_id] = typed.accept_status
        found["firstTouchStatus"][row.chain_id] = typed.first_touch_status
        found["slaStatus"][row.chain_id] = typed.sla_status
    return found


async def selected(
    condition: Condition, status: ClockStatus, now: datetime
) -> set[int]:
    rows = await HandoffChain.filter(condition(status, now)).values_list(
        "id", flat=True
    )
    return {int(key) for key in rows}


async def test_each_status_condition_selects_the_chains_the_domain_puts_there() -> None:
    # given a chain for every combination of SLA, decision and first touch
    labels = await store_every_combination()
    assert len(labels) == 2 * len(DECISIONS) * len(TOUCHES)
    disagreements = []
    seen: set[tuple[str, ClockStatus]] = set()
    for when, now in NOWS.items():
        expected = await domain_statuses(now)
        for clock_name, condition in CLOCKS.items():
            for status in ClockStatus:
                # when the chains in one status are selected in SQL
                got = await selected(condition, status, now)
                # then they are exactly those the domain says are in it
                wanted = {k for k, s in expected[clock_name].items() if s is status}
                disagreements += [
                    f"{when}: {clock_name} {status} {'extra' if k in got else 'lacks'}"
                    f" {labels[k]} (domain: {expected[clock_name][k]})"
                    for k in sorted(got ^ wanted)
                ]
                if wanted:
                    seen.add((clock_name, status))
    assert disagreements == []
    # and every status of every clock occurred, so no condition went untested
    assert seen == set(product(CLOCKS, ClockStatus))


async def test_the_domain_statuses_of_a_few_chains_read_as_the_spec_says() -> None:
    # given the stored combinations (a check that the fixture means what it says)
    labels = await store_every_combination()
    by_label = {label: key for key, label in labels.items()}
    statuses = await domain_statuses(T0 + 5 * HOUR)

    def of(label: str) -> tuple[ClockStatus, ClockStatus, ClockStatus]:
        key = by_label[f"with an SLA, {label}"]
        return (
            statuses["acceptStatus"][key],
            statuses["firstTouchStatus"][key],
            statuses["slaStatus"][key],
        )

    # then past the accept deadline: an untouched pending chain has breached
    # acceptance while its first touch is still on track
    assert of("pending, untouched") == ("BREACHED", "ON_TRACK", "BREACHED")
    # an auto-accept is never on time; a touch on its deadline is met
    assert of("auto-accepted, touched on the deadline") == (
        "BREACHED",
        "MET",
        "BREACHED",
    )
    # a rejection before any deadline leaves the first touch without obligation
    assert of("rejected early, untouched") == ("MET", "NO_SLA", "MET")
    # a withdrawal after the accept deadline keeps that breach
    assert of("withdrawn after the accept deadline, untouched") == (
        "BREACHED",
        "NO_SLA",
        "BREACHED",
    )
    no_sla = statuses["slaStatus"][by_label["without an SLA, pending, untouched"]]
    assert no_sla == "NO_SLA"
