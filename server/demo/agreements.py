"""The demo's agreements: drafted by one team, signed by both.

Personas, the qualification model (whose first draft sales sends back) and the
SLA are in force before the history begins; this quarter's goals are signed on
its first working morning, the churn goal gets monthly readings, and two days
before the end an SLA amendment waits, signed by marketing, for sales.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from server.clock import clock
from server.demo.people import Cast
from server.demo.plans.company import (
    CHURN_MEASUREMENTS,
    PERSONA_EVIDENCE,
    PERSONAS,
    TIMEZONE,
    goal_terms,
    model_terms,
    sla_amendment,
    sla_terms,
)
from server.demo.timeline import Timeline, ok
from server.domain.agreements.calendar import BusinessCalendar, next_opening
from server.domain.agreements.lifecycle import AgreementKind
from server.services.agreements import goals, signing
from server.services.agreements import negotiation as agreements
from server.services.agreements import personas as persona_evidence
from server.services.agreements import store as agreement_store

if TYPE_CHECKING:
    from server.models.agreements import Agreement

ZONE = ZoneInfo(TIMEZONE)


@dataclass(frozen=True)
class Agreed:
    sla: Agreement
    terms: Mapping[str, Any]
    persona_ids: tuple[str, ...] = ()


async def agree(
    cast: Cast, at: datetime, begin: datetime, leads: int, years: Sequence[int]
) -> Agreed:
    """Personas, the qualification model and the SLA, in force before the
    history begins."""
    clock.freeze(at)
    persona_ids = []
    for terms in PERSONAS:
        row = await _signed(cast, AgreementKind.PERSONA, terms)
        persona_ids.append(agreement_store.global_id(row))
    for n, (which, source, note) in enumerate(PERSONA_EVIDENCE):
        who = "ae_paul" if source == "SALES_ANECDOTE" else "ops"
        clock.freeze(at + timedelta(hours=1, minutes=n))
        ok(
            await persona_evidence.add_persona_evidence(
                cast.actors[who], persona_ids[which], source, note
            ),
            "add persona evidence",
        )
    clock.freeze(at + timedelta(hours=3))
    await _negotiate_model(cast, persona_ids)
    clock.freeze(at + timedelta(days=1))
    terms = sla_terms(begin, _commitment(leads), years)
    kind = AgreementKind.SERVICE_LEVEL_AGREEMENT
    sla = await _signed(cast, kind, terms, first="sales")
    return Agreed(sla, terms, tuple(persona_ids))


def _commitment(leads: int) -> int:
    """Marketing's monthly promise: about what the demo's market delivers."""
    return max(1, round(leads * 0.3 / 3 / 5) * 5)


async def _signed(
    cast: Cast,
    kind: AgreementKind,
    terms: Mapping[str, Any],
    *,
    first: str = "marketing",
) -> Agreement:
    """Draft (marketing), propose, sign and countersign; the agreement in force."""
    made = ok(
        await agreements.create_agreement(cast.actors["cmo"], kind, terms), "draft"
    )
    return await _propose_and_sign(cast, agreement_store.global_id(made), first)


async def _propose_and_sign(cast: Cast, agreement_id: str, first: str) -> Agreement:
    proposer = cast.actors["cmo"]
    row = ok(await agreements.propose_agreement(proposer, agreement_id), "propose")
    signers = ["cmo", "vp_sales"] if first == "marketing" else ["vp_sales", "cmo"]
    for who in signers:
        clock.advance(15 * 60)
        row = ok(
            await signing.sign_off(
                cast.actors[who], agreement_id, row.content_hash or ""
            ),
            f"sign {agreement_id} as {who}",
        )
    return row


async def _negotiate_model(cast: Cast, persona_ids: list[str]) -> None:
    """Marketing's first draft leaves managers out; sales sends it back."""
    final = model_terms(persona_ids)
    first_draft = {
        **final,
        "fitRules": [r for r in final["fitRules"] if r["label"] != "Manager"],
    }
    kind, demand = AgreementKind.QUALIFICATION_MODEL, cast.actors["demand"]
    made = ok(await agreements.create_agreement(demand, kind, first_draft), "draft")
    model_id = agreement_store.global_id(made)
    ok(await agreements.propose_agreement(demand, model_id), "propose model")
    clock.advance(2 * 3600)
    why = "Plant and operations managers start most manufacturing deals: score them."
    sent_back = ok(
        await signing.reject_proposal(cast.actors["team_lead"], model_id, why),
        "reject model",
    )
    clock.advance(20 * 3600)
    change = agreements.TermsChange(model_id, sent_back.version, final)
    ok(await agreements.update_agreement(demand, kind, change), "amend model")
    await _propose_and_sign(cast, model_id, "marketing")


async def amend_sla(cast: Cast, agreed: Agreed) -> None:
    """A proposal marketing signed, waiting for sales' countersignature."""
    kind, cmo = AgreementKind.SERVICE_LEVEL_AGREEMENT, cast.actors["cmo"]
    sla_id = agreement_store.global_id(agreed.sla)
    change = agreements.TermsChange(
        sla_id, agreed.sla.version, sla_amendment(agreed.terms)
    )
    ok(await agreements.update_agreement(cmo, kind, change), "amend the SLA")
    proposed = ok(await agreements.propose_agreement(cmo, sla_id), "propose")
    ok(
        await signing.sign_off(cmo, sla_id, proposed.content_hash or ""),
        "sign the amendment",
    )


async def draft_next_sla(cast: Cast, agreed: Agreed, now: datetime) -> None:
    """Marketing's draft of next year's SLA, its volume still the current one:
    what the goal planner applies a revenue target to."""
    start = datetime(now.astimezone(ZONE).year + 1, 1, 1, tzinfo=ZONE)
    terms = {**agreed.terms, "effectiveFrom": start.isoformat()}
    kind = AgreementKind.SERVICE_LEVEL_AGREEMENT
    draft = await agreements.create_agreement(cast.actors["cmo"], kind, terms)
    ok(draft, "draft next year's SLA")


def schedule_goals(
    timeline: Timeline,
    cast: Cast,
    calendar: BusinessCalendar | None,
    window: tuple[datetime, datetime],
    leads: int,
    currency: str = "USD",
) -> None:
    """This quarter's goals, signed on its first working morning (or once the
    teams exist), and the churn goal's monthly readings."""
    earliest, now = window
    today = now.astimezone(ZONE).date()
    terms = goal_terms(today, leads, currency)
    start = date.fromisoformat(terms[0]["periodStart"])
    signed_at = max(earliest, _first_opening(calendar, start))
    goal_ids: list[str] = []

    async def sign_goals() -> None:
        for goal in terms:
            row = await _signed(cast, AgreementKind.GOAL, goal)
            goal_ids.append(agreement_store.global_id(row))

    timeline.at(min(signed_at, now - timedelta(hours=6)), sign_goals)
    for n, value in enumerate(CHURN_MEASUREMENTS):
        at = now - timedelta(days=30 * (len(CHURN_MEASUREMENTS) - n) - 25)
        timeline.at(
            max(at, signed_at + timedelta(hours=n + 1)), _reading(cast, goal_ids, value)
        )


def _reading(cast: Cast, goal_ids: list[str], value: str) -> Callable[[], Any]:
    async def record() -> None:
        measurement = goals.Measurement(
            goal_ids[-1], value, None, "Monthly churn report"
        )
        ok(await goals.record_goal_progress(cast.actors["cmo"], measurement), "reading")

    return record


def _first_opening(calendar: BusinessCalendar | None, day: date) -> datetime:
    """Half an hour into the first working day from `day` on."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    return next_opening(calendar, midnight) + timedelta(minutes=30)
