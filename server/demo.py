"""`accord demo-data`: a realistic, deterministic company, built through the use cases.

Nordlicht Analytics GmbH (`server.domain.demo_company`): an admin, leadership,
marketing and sales managers and members; personas, a qualification model, an
SLA on a Berlin business calendar and goals, each proposed by one team and
signed by both; then 90 days of leads, activities, handoffs, decisions,
follow-ups and stage moves (`server.demo_history`) ending at a reference
instant. Every record is made by the use case a person or integration would
call, with the service clock set to the simulated instant, so audit entries,
events, deadlines and breaches are what they would have been.

The same seed and reference instant always give the same company (passwords
aside: they are fresh each time, and shown once). Demo data goes into an empty
database only.

The events the history wrote stay in the outbox: the server's dispatcher hands
them to its consumers when it starts (notifications for the assignments,
reassignments and sign-off requests of the 90 days), as it would after any
outage. Marking them dispatched here, where no consumer listens, would lose them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from server.clock import clock
from server.demo_history import History, ok
from server.domain.agreements import AgreementKind
from server.domain.calendar import calendar_from_terms
from server.domain.demo_company import (
    ADMIN,
    CHURN_MEASUREMENTS,
    COMPANY,
    PERSONA_EVIDENCE,
    PERSONAS,
    STAFF,
    TIMEZONE,
    Person,
    goal_terms,
    model_terms,
    sla_amendment,
    sla_terms,
)
from server.domain.demo_leads import plan_leads
from server.domain.users import Role, Team
from server.services import (
    agreement_store,
    agreements,
    goals,
    ids,
    signing,
    users,
)
from server.services import personas as persona_evidence
from server.services.actors import Actor
from server.services.passwords import new_secret

if TYPE_CHECKING:
    from server.models import Agreement

HISTORY_DAYS = 90
HIRED_BEFORE = timedelta(days=14)  # before the history starts
AGREED_AFTER_HIRING = timedelta(days=3)  # past the 24-hour rule for new roles
ZONE = ZoneInfo(TIMEZONE)


class DemoRefused(Exception):
    """The database is not empty: demo data would mix with real records."""


@dataclass(frozen=True)
class DemoOptions:
    now: datetime
    leads: int = 2000
    seed: int = 1


@dataclass(frozen=True)
class Login:
    person: Person
    password: str


@dataclass
class DemoReport:
    now: datetime
    logins: list[Login]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Cast:
    """The seeded people as the use cases see them, by `Person.key`."""

    actors: dict[str, Actor] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)

    def add(self, person: Person, user_id: int, password: str) -> None:
        self.actors[person.key] = Actor(
            user_id,
            Team(person.team),
            Role(person.role),
            credential="session",
            credential_id=0,
            request_id="demo",
        )
        self.logins.append(Login(person, password))


def new_password() -> str:
    return new_secret(12)


async def build_demo(
    options: DemoOptions, password: Callable[[], str] = new_password
) -> DemoReport:
    """Build the demo company (see the module doc); `DemoRefused` when the
    database has users already."""
    if await users.count_users():
        raise DemoRefused("the database has users already")
    started = time.monotonic()
    now = options.now
    begin = now - timedelta(days=HISTORY_DAYS)
    try:
        cast = await _hire(begin - HIRED_BEFORE, password)
        agreed = begin - HIRED_BEFORE + AGREED_AFTER_HIRING
        sla = await _agree(cast, agreed, begin, options)
        rng = random.Random(f"accord-demo/{options.seed}/leads")
        plans = plan_leads(rng, options.leads, begin, now)
        calendar = calendar_from_terms(sla.terms["businessCalendar"])
        history = History(cast.actors, plans, calendar, options.seed)
        _schedule_goals(history, cast, now, max(agreed, begin), options.leads)
        history.at(now - timedelta(days=2), lambda: _amend_sla(cast, sla))
        counts = await history.run(begin, now)
    finally:
        clock.reset()
    return DemoReport(now, cast.logins, counts, time.monotonic() - started)


# ---- people ---------------------------------------------------------------------


async def _hire(at: datetime, password: Callable[[], str]) -> Cast:
    """The admin is the operator's (`create-user`); the admin grants the rest."""
    cast = Cast()
    clock.freeze(at)
    secret = password()
    admin = ok(await users.create_user_from_cli(_new(ADMIN, secret)), "create admin")
    cast.add(ADMIN, admin.id, secret)
    for n, person in enumerate(STAFF, start=1):
        clock.freeze(at + timedelta(minutes=10 * n))
        secret = password()
        made = ok(
            await users.create_user(cast.actors["admin"], _new(person, secret)),
            f"create {person.email}",
        )
        cast.add(person, made.id, secret)
        if not person.accepts_leads:
            change = users.UserChanges(
                ids.encode("User", made.id), None, {"acceptsLeads": False}
            )
            ok(await users.update_user(cast.actors["admin"], change), "update user")
    return cast


def _new(person: Person, password: str) -> users.NewUser:
    return users.NewUser(
        person.email, person.name, person.team, person.role, person.timezone, password
    )


# ---- agreements -----------------------------------------------------------------


async def _agree(
    cast: Cast, at: datetime, begin: datetime, options: DemoOptions
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
    years = sorted({begin.year - 1, begin.year, options.now.year + 1})
    terms = sla_terms(begin, _commitment(options.leads), years)
    kind = AgreementKind.SERVICE_LEVEL_AGREEMENT
    return Agreed(await _signed(cast, kind, terms, first="sales"), terms)


@dataclass(frozen=True)
class Agreed:
    sla: Agreement
    terms: Mapping[str, Any]


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


async def _amend_sla(cast: Cast, agreed: Agreed) -> None:
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


# ---- goals ----------------------------------------------------------------------


def _schedule_goals(
    history: History, cast: Cast, now: datetime, earliest: datetime, leads: int
) -> None:
    """This quarter's goals, signed on its first working morning (or once the
    teams exist), and the churn goal's monthly readings."""
    today = now.astimezone(ZONE).date()
    terms = goal_terms(today, leads)
    start = date.fromisoformat(terms[0]["periodStart"])
    signed_at = max(earliest, _morning(start))
    goal_ids: list[str] = []

    async def sign_goals() -> None:
        for goal in terms:
            row = await _signed(cast, AgreementKind.GOAL, goal)
            goal_ids.append(agreement_store.global_id(row))

    history.at(min(signed_at, now - timedelta(hours=6)), sign_goals)
    for n, value in enumerate(CHURN_MEASUREMENTS):
        at = now - timedelta(days=30 * (len(CHURN_MEASUREMENTS) - n) - 25)
        history.at(
            max(at, signed_at + timedelta(hours=n + 1)), _reading(cast, goal_ids, value)
        )


def _reading(cast: Cast, goal_ids: list[str], value: str) -> Callable[[], Any]:
    async def record() -> None:
        measurement = goals.Measurement(
            goal_ids[-1], value, None, "Monthly churn report"
        )
        ok(await goals.record_goal_progress(cast.actors["cmo"], measurement), "reading")

    return record


def _morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZONE)


# ---- the report -----------------------------------------------------------------


def describe(report: DemoReport) -> str:
    """What the operator sees once: the company, and everyone's login."""
    counts = report.counts
    lines = [
        "",
        f"  Demo company {COMPANY}: {counts.get('leads', 0)} leads, "
        f"{counts.get('activities', 0)} activities, "
        f"{counts.get('handoffs', 0)} handoffs over {HISTORY_DAYS} days "
        f"to {report.now:%Y-%m-%d %H:%M} UTC (built in {report.seconds:.1f} s).",
        "  Sign in with any of these (passwords shown once; change them after "
        "signing in):",
        "",
    ]
    width = max(len(login.person.email) for login in report.logins)
    for login in report.logins:
        p = login.person
        lines.append(
            f"    {p.email:<{width}}  {login.password}  "
            f"{p.name} — {p.title} ({p.team} {p.role})"
        )
    return "\n".join([*lines, ""])
