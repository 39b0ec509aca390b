"""Leads at scale: agreements in force, leads, activities and their decayed sums.

The scoring scenarios (`bench.scoring`) need a database that looks like one the
service built: a signed qualification model and two personas in force, 100,000
leads each matched to a persona and scored, 1,000,000 activities, and for every
lead the stored decayed sums (``lead_engagement``) that `server.domain.leads.engagement`
would hold. Nothing here imitates the service's arithmetic: each lead's sums are
`tally_activities` of its activities at the seeding instant, its persona is
`match_many`'s, its score `score_state`'s (written with `write_score`) and its
qualification `apply_score`'s; qualified leads sit in MQL with the history rows a
qualification writes.

Rows are deterministic relative to ``Sizes.now`` (the run's start, to the
minute): activity ages, kinds and lead attributes come from one
``random.Random`` per lead, so the lead, activity and engagement tables, each
generated in its own pass, agree without reading anything back.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench.datasets import Dataset, Row, Sizes, Table
from bench.handoff_plan import SLA_ID, ChainPlan, chain_plan, stored_sla_terms
from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.agreements.canonical import activation_hash, canonical_json
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.agreements.personas import read_persona_terms
from server.domain.leads.attributes import Activity
from server.domain.leads.engagement import EngagementState, tally_activities
from server.domain.leads.persona_match import (
    PersonaProfile,
    match_many,
    profile_from_terms,
)
from server.domain.leads.qualification import Trigger, apply_score, qualify_manually
from server.domain.leads.qualification_model import QualificationModel, read_model
from server.domain.leads.scoring import score_state
from server.domain.leads.stages import NEXT_ON_SPINE, LeadStage, Via
from server.services.leads import activity_store
from server.services.leads import store as lead_store
from server.services.leads.scoring import attributes, cycle_of, write_score

MODEL_ID, PERSONA_IDS = 3, (1, 2)
MQL_SEED = "mql"
INDUSTRIES = ("Logistics", "Retail", "Manufacturing", "Healthcare", "Software")
TITLES = ("Head of Operations", "CTO", "Analyst", "VP Sales", "Engineer")
SENIORITIES = ("Director", "VP", "Manager", "Individual")
COUNTRIES = ("DE", "FR", "US", "GB", "NL")
SOURCES = ("webinar", "ads", "organic", "referral")
SIZES = (15, 80, 250, 700, 1500, 5000)
# Activity kinds by frequency; hand-raises are rare and qualify at once.
KINDS = (
    (ActivityKind.PAGE_VIEW, 40),
    (ActivityKind.EMAIL_OPEN, 25),
    (ActivityKind.EMAIL_CLICK, 12),
    (ActivityKind.PRICING_VIEW, 8),
    (ActivityKind.CONTENT_DOWNLOAD, 7),
    (ActivityKind.WEBINAR_ATTENDED, 5),
    (ActivityKind.FORM_SUBMIT, 3),
)
KIND_CHOICES = [k for k, n in KINDS for _ in range(n)]
HAND_RAISE_EVERY = 400  # about one lead in this many asked for a demo
MAX_AGE_DAYS = 180
# (kind, points, maxPoints, halfLifeDays)
ENGAGEMENT = (
    ("PAGE_VIEW", 1, 10, 7),
    ("EMAIL_OPEN", 1, 5, 7),
    ("EMAIL_CLICK", 2, 10, 14),
    ("PRICING_VIEW", 6, 24, 14),
    ("CONTENT_DOWNLOAD", 4, 12, 30),
    ("WEBINAR_ATTENDED", 8, 16, 30),
    ("FORM_SUBMIT", 5, 10, 30),
)


def model_terms(revision: int) -> dict[str, Any]:
    """Revision 1 is in force when seeded; revision 2 (the renegotiation the
    rescoring scenario brings into force) changes points and the threshold, not
    the half-lives, so the stored sums stay valid."""
    bump = 1 if revision > 1 else 0
    return {
        "fitRules": [
            _fit("companySize", "BETWEEN", ["200", "2000"], 20, "Mid-size"),
            _fit("industry", "IN", ["Logistics", "Retail"], 15 + 5 * bump, "Target"),
            _fit("seniority", "IN", ["Director", "VP"], 10, "Decision maker"),
        ],
        "engagementRules": [
            {
                "activityKind": kind,
                "points": str(points + bump),
                "maxPoints": str(cap),
                "halfLifeDays": str(half_life),
            }
            for kind, points, cap, half_life in ENGAGEMENT
        ],
        "mqlThreshold": str(60 - 5 * bump),
        "handRaiseKinds": ["DEMO_REQUEST", "CONTACT_SALES"],
        "handRaiseWindowDays": 7,
    }


def _fit(field: str, op: str, values: list[str], points: int, label: str) -> Any:
    return {
        "field": field,
        "operator": op,
        "values": values,
        "points": str(points),
        "label": label,
    }


def canonical_model(revision: int) -> dict[str, Any]:
    from server.services.agreements.store import read_terms

    return read_terms(AgreementKind.QUALIFICATION_MODEL, model_terms(revision))


PERSONA_TERMS: tuple[dict[str, Any], ...] = (
    {
        "name": "Logistics operator",
        "companySizeMin": 200,
        "companySizeMax": 5000,
        "industries": ["Logistics"],
        "jobTitles": ["Operations"],
    },
    {
        "name": "Retail buyer",
        "industries": ["Retail", "Manufacturing"],
        "seniorities": ["Director", "VP"],
    },
)


def persona_terms(count: int) -> tuple[dict[str, Any], ...]:
    """The two personas above, then narrower ones (one industry, a size band
    and a job title each) up to ``count``, as the peers' 20 personas are."""
    extra: list[dict[str, Any]] = []
    for n in range(count - len(PERSONA_TERMS)):
        industry = INDUSTRIES[n % len(INDUSTRIES)]
        title = TITLES[(n // len(INDUSTRIES)) % len(TITLES)]
        low = SIZES[n % len(SIZES)]
        extra.append(
            {
                "name": f"{industry} {title} ({low}+)",
                "companySizeMin": low,
                "industries": [industry],
                "jobTitles": [title],
            }
        )
    return (*PERSONA_TERMS, *extra)[:count]


def persona_ids(count: int) -> tuple[int, ...]:
    """1 and 2, then 4, 5, …: the model holds id 3."""
    return (*PERSONA_IDS, *range(MODEL_ID + 1, MODEL_ID + count - 1))[:count]


@dataclass(frozen=True)
class World:
    """What every lead is scored against: the model and personas in force."""

    model: QualificationModel
    personas: tuple[PersonaProfile, ...]
    persona_terms: tuple[dict[str, Any], ...]


_worlds: dict[int, World] = {}


def world(personas: int = len(PERSONA_IDS)) -> World:
    if personas not in _worlds:
        terms = tuple(read_persona_terms(t) for t in persona_terms(personas))
        profiles = tuple(
            profile_from_terms(pid, t)
            for pid, t in zip(persona_ids(personas), terms, strict=True)
        )
        model = read_model(canonical_model(1), 1)
        _worlds[personas] = World(model, profiles, terms)
    return _worlds[personas]


def activity_count(sizes: Sizes, lead_id: int) -> int:
    """Activities of one lead: pairs of leads share twice the mean, unevenly,
    so the total is exactly ``sizes.activities`` (the remainder on lead 1)."""
    base = sizes.activities // sizes.leads
    pair = (lead_id - 1) // 2
    spread = (pair * 7919) % (base + 1)
    count = base + spread if lead_id % 2 else base - spread
    if lead_id == sizes.leads and sizes.leads % 2:
        count = base  # an unpaired last lead
    if lead_id == 1:
        count += sizes.activities - base * sizes.leads
    return count


@dataclass
class SeededLead:
    row: dict[str, Any]
    activities: list[tuple[ActivityKind, datetime]]
    state: EngagementState
    promoted: bool
    by_hand: bool = False
    plan: ChainPlan | None = None


def lead_email(lead_id: int) -> str:
    return f"lead{lead_id}@bench{lead_id % 97}.example"


def seeded_lead(sizes: Sizes, lead_id: int) -> SeededLead:
    w, now = world(sizes.personas), sizes.now
    activities, pick = _draw_activities(sizes, lead_id)
    created = now - timedelta(days=MAX_AGE_DAYS + 10) + timedelta(seconds=lead_id)
    row = _lead_row(sizes, lead_id, pick, created)
    automatic = {lead_id: attributes(row)}
    row["persona_id"] = match_many(automatic, w.personas)[lead_id]
    state = tally_activities(
        (Activity(kind, at) for kind, at in activities), w.model, now
    )
    score = score_state(w.model, attributes(row), state, now)
    write_score(row, score, now)
    plan = chain_plan(sizes, lead_id)
    at = plan.qualified_at if plan else now
    step = apply_score(cycle_of(row), score, Trigger.ACTIVITY, at)
    by_hand = not step.promoted and (
        plan is not None or _qualified_by_hand(sizes, lead_id)
    )
    if by_hand:
        step = qualify_manually(cycle_of(row), w.model.revision, at)
    if step.promoted:
        found = step.cycle.qualification
        assert found is not None
        row.update(
            qualified=True,
            qualified_at=found.at,
            qualified_under=found.under,
            qualified_by=found.by.value,
            stage=LeadStage.MQL.value,
            stage_entered_at=at,
            version=2,
            updated_at=at,
        )
    if plan is not None:
        _handed_off(row, plan)
    return SeededLead(row, activities, state, step.promoted, by_hand, plan)


def _handed_off(row: dict[str, Any], plan: ChainPlan) -> None:
    """The lead after its handoff chain: the decision's stage (the assignee
    owns an accepted lead) and the moves after it, one version each."""
    moves = (plan.decision is not None) + len(plan.later)
    row.update(
        stage=plan.stage,
        stage_entered_at=plan.stage_at,
        version=2 + moves,
        updated_at=plan.stage_at,
    )
    if plan.decision == "ACCEPTED":
        row["owner_id"] = plan.assignee
    if plan.stage == LeadStage.WON.value:
        row["is_customer"] = True


def _qualified_by_hand(sizes: Sizes, lead_id: int) -> bool:
    if not sizes.mql_percent:
        return False
    return random.Random(f"{MQL_SEED}:{lead_id}").randrange(100) < sizes.mql_percent


def _lead_row(
    sizes: Sizes, lead_id: int, pick: random.Random, created: datetime
) -> dict[str, Any]:
    return {
        "id": lead_id,
        "email": lead_email(lead_id),
        "first_name": f"First{lead_id}",
        "last_name": f"Last{lead_id % 1000}",
        "company": f"Company {lead_id % 20_000}",
        "company_size": pick.choice(SIZES),
        "industry": pick.choice(INDUSTRIES),
        "job_title": pick.choice(TITLES),
        "seniority": pick.choice(SENIORITIES),
        "country": pick.choice(COUNTRIES),
        "source": pick.choice(SOURCES),
        "campaign": None,
        "is_customer": False,
        "products": [],
        "do_not_contact": False,
        "persona_id": None,
        "persona_by_hand": False,
        "stage": LeadStage.NEW.value,
        "stage_entered_at": created,
        "score": 0,
        "fit_score": None,
        "engagement_score": None,
        "raw_score": None,
        "grade": None,
        "score_breakdown": [],
        "scored_under": None,
        "scored_at": None,
        "qualified": False,
        "qualified_at": None,
        "qualified_under": None,
        "qualified_by": None,
        "cycle_started_at": created,
        "cycle_counts_after": None,
        "owner_id": 1 + lead_id % sizes.users,
        "amount": None,
        "recurring": False,
        "source_updated_at": None,
        "version": 1,
        "created_at": created,
        "updated_at": created,
    }


def lead_ids(sizes: Sizes) -> range:
    return range(1, sizes.leads + 1)


def lead_rows(sizes: Sizes) -> Iterator[Row]:
    for lead_id in lead_ids(sizes):
        row = seeded_lead(sizes, lead_id).row
        yield tuple(
            canonical_json(row[c]) if c in lead_store.JSON_COLUMNS else row[c]
            for c in lead_store.COLUMNS
        )


ACTIVITY_COLUMNS = ("id", *activity_store.COLUMNS)


def activity_rows(sizes: Sizes) -> Iterator[Row]:
    # Only the activities are needed here: no scoring, so a lighter pass.
    next_id = 1
    for lead_id in lead_ids(sizes):
        for n, (kind, at) in enumerate(seeded_activities(sizes, lead_id)):
            external = f"seed-{lead_id}-{n}"
            yield (
                next_id,
                lead_id,
                kind.value,
                at,
                "x:" + external,
                external,
                "bench",
                None,  # metadata
                at,
            )
            next_id += 1


def seeded_activities(
    sizes: Sizes, lead_id: int
) -> list[tuple[ActivityKind, datetime]]:
    return _draw_activities(sizes, lead_id)[0]


def _draw_activities(
    sizes: Sizes, lead_id: int
) -> tuple[list[tuple[ActivityKind, datetime]], random.Random]:
    """A lead's activities, first draws of its own stream; the lead's attributes
    are drawn after them from the same stream (`seeded_lead`)."""
    pick, now = random.Random(lead_id), sizes.now
    found = []
    for _ in range(activity_count(sizes, lead_id)):
        age = pick.randrange(60, MAX_AGE_DAYS * 86_400)
        found.append((pick.choice(KIND_CHOICES), now - timedelta(seconds=age)))
    if lead_id % HAND_RAISE_EVERY == 0 and found:
        found[-1] = (ActivityKind.DEMO_REQUEST, found[-1][1])
    return found, pick


ENGAGEMENT_COLUMNS = (
    "id",
    "lead_id",
    "kind",
    "weight",
    "as_of",
    "half_life_days",
    "count",
    "latest_at",
)


def engagement_rows(sizes: Sizes) -> Iterator[Row]:
    w, next_id = world(), 1
    for lead_id in lead_ids(sizes):
        activities = [Activity(k, at) for k, at in seeded_activities(sizes, lead_id)]
        state = tally_activities(activities, w.model, sizes.now)
        for kind, t in state.tallies.items():
            yield (
                next_id,
                lead_id,
                kind.value,
                t.weight,
                t.as_of,
                t.half_life_days,
                t.count,
                t.latest_at,
            )
            next_id += 1


STAGE_COLUMNS = (
    "id",
    "lead_id",
    "from_stage",
    "to_stage",
    "at",
    "via",
    "reason",
    "left_at",
    "advanced",
)
_stage_totals: dict[Sizes, Counter[str]] = {}


def stage_rows(sizes: Sizes) -> Iterator[Row]:
    """Each lead's creation, and its qualification when seeding qualified it;
    the totals are kept for `stage_count_rows` (the folded funnel)."""
    totals: Counter[str] = Counter()
    next_id = 1
    for lead_id in lead_ids(sizes):
        lead = seeded_lead(sizes, lead_id)
        moves: list[tuple[Any, ...]] = []
        created = lead.row["created_at"]
        moves.append((None, "NEW", created, Via.CREATED.value, None))
        at = lead.row["qualified_at"]
        if lead.by_hand:
            via, reason = Via.MANUAL_QUALIFICATION.value, "qualified by hand"
            moves.append(("NEW", "MQL", at, via, reason))
        elif lead.promoted:
            reason = f"score {lead.row['score']} reached the threshold"
            if lead.row["score"] < world().model.mql_threshold:
                reason = "hand-raise: DEMO_REQUEST"
            moves.append(("NEW", "MQL", at, "QUALIFICATION", reason))
        moves.extend(_chain_changes(lead.plan))
        numbered = [(next_id + n, *move) for n, move in enumerate(moves)]
        next_id += len(moves)
        for row in settled(numbered):
            yield (row[0], lead_id, *row[1:])
        totals[lead.row["stage"]] += 1
    _stage_totals[sizes] = totals


def settled(moves: list[tuple[Any, ...]]) -> Iterator[Row]:
    """One lead's moves (id, from, to, at, via, reason) with what the service
    keeps beside each (`lead_store.settle_stage_history`): the instant of the
    next move by instant then id (None for the last), and whether a later move
    went to the spine's next stage."""
    for move in moves:
        key = (move[3], move[0])
        later = [m for m in moves if (m[3], m[0]) > key]
        left_at = min((m[3] for m in later), default=None)
        following = NEXT_ON_SPINE.get(move[2])
        yield (*move, left_at, any(m[2] == following for m in later))


def _chain_changes(plan: ChainPlan | None) -> Iterator[Row]:
    """The handoff decision's move out of MQL, and the moves after it."""
    if plan is None or plan.decided_at is None:
        return
    if plan.decision == "ACCEPTED":
        why = "accepted automatically" if plan.auto else None
        yield ("MQL", "SAL", plan.decided_at, Via.HANDOFF_DECISION.value, why)
    else:
        why = f"rejected: {plan.reason}"
        yield ("MQL", "DISQUALIFIED", plan.decided_at, "HANDOFF_DECISION", why)
    yield from plan.later


def stage_count_rows(sizes: Sizes) -> Iterator[Row]:
    return iter(sorted(_stage_totals.pop(sizes, Counter()).items()))


AGREEMENT_COLUMNS = (
    "id",
    "kind",
    "status",
    "pending",
    "title",
    "revision",
    "terms",
    "content_hash",
    "in_force_slot",
    "activated_at",
    "version",
    "created_at",
    "updated_at",
)


def agreement_rows(sizes: Sizes) -> Iterator[Row]:
    at = sizes.now - timedelta(days=MAX_AGE_DAYS + 20)
    found = world(sizes.personas).persona_terms
    for pid, terms in zip(persona_ids(sizes.personas), found, strict=True):
        kind = AgreementKind.PERSONA
        yield (
            pid,
            kind.value,
            "ACTIVE",
            "NONE",
            terms["name"],
            1,
            canonical_json(terms),
            activation_hash(kind, terms),
            None,
            at,
            1,
            at,
            at,
        )
    kind, terms = AgreementKind.QUALIFICATION_MODEL, canonical_model(1)
    yield (
        MODEL_ID,
        kind.value,
        "ACTIVE",
        "NONE",
        "Qualification model",
        1,
        canonical_json(terms),
        activation_hash(kind, terms),
        kind.value,
        at,
        1,
        at,
        at,
    )
    if not sizes.handoff_chains:
        return
    kind, terms = AgreementKind.SERVICE_LEVEL_AGREEMENT, stored_sla_terms(sizes)
    yield (
        SLA_ID,
        kind.value,
        "ACTIVE",
        "NONE",
        "Service level agreement",
        1,
        canonical_json(terms),
        activation_hash(kind, terms),
        kind.value,
        at,
        1,
        at,
        at,
    )


def revision_rows(sizes: Sizes) -> Iterator[Row]:
    for row in agreement_rows(sizes):
        agreement_id, terms, digest, at = row[0], row[6], row[7], row[9]
        yield (agreement_id, agreement_id, 1, terms, digest, at)


# Two managers countersigned each agreement: marketing's and sales'.
SIGNERS = ((3, "MARKETING", "MANAGER"), (4, "SALES", "MANAGER"))


def sign_off_rows(sizes: Sizes) -> Iterator[Row]:
    next_id = 1
    for row in agreement_rows(sizes):
        agreement_id, digest, at = row[0], row[7], row[9]
        for user_id, team, role in SIGNERS:
            yield (
                next_id,
                agreement_id,
                agreement_id,
                "ACTIVATE",
                digest,
                user_id,
                team,
                role,
                at,
            )
            next_id += 1


AGREEMENTS = Dataset(
    "agreements",
    (
        Table("agreement", AGREEMENT_COLUMNS, agreement_rows),
        Table(
            "agreement_revision",
            ("id", "agreement_id", "number", "terms", "content_hash", "activated_at"),
            revision_rows,
        ),
        Table(
            "agreement_sign_off",
            (
                "id",
                "agreement_id",
                "revision_id",
                "action",
                "content_hash",
                "user_id",
                "team",
                "role",
                "signed_at",
            ),
            sign_off_rows,
        ),
    ),
)
LEADS = Dataset(
    "leads",
    (
        Table("lead", lead_store.COLUMNS, lead_rows),
        Table("lead_activity", ACTIVITY_COLUMNS, activity_rows),
        Table("lead_engagement", ENGAGEMENT_COLUMNS, engagement_rows),
        Table("stage_change", STAGE_COLUMNS, stage_rows),
        Table("stage_count", ("stage", "count"), stage_count_rows),
    ),
)
DATASETS: tuple[Dataset, ...] = (AGREEMENTS, LEADS)
