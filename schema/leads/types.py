"""Leads as read: the `Lead` type with its score breakdown and history, `node`
for leads, `leadByEmail` and the `leads` connection."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from operator import itemgetter
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.scalars import JSON

from schema.agreements.kinds import Persona, agreement_type
from schema.context import Context, Info
from schema.core.later import LaterField
from schema.core.money import Money, money
from schema.core.permissions import require
from schema.core.relay import (
    Connection,
    Node,
    NodeType,
    connection,
    page_request,
)
from schema.people.users import OrderDirection, User, user_by_key, user_type
from server.domain.agreements.activity_kinds import ActivityKind as DomainActivityKind
from server.domain.core.errors import InvalidArguments, UserErrors
from server.domain.leads.erasure import is_erased_email
from server.domain.leads.fit import Grade as DomainGrade
from server.domain.leads.qualification import QualifiedBy as DomainQualifiedBy
from server.domain.leads.scoring import BreakdownKind as DomainBreakdownKind
from server.domain.leads.stages import NEXT_ON_SPINE
from server.domain.leads.stages import LeadStage as DomainLeadStage
from server.domain.leads.stages import Via as DomainVia
from server.services.agreements import reads as agreement_reads
from server.services.core import ids
from server.services.core.pagination import Page
from server.services.leads import reads as lead_reads
from server.services.leads.store import COLUMNS
from server.services.people import reads as user_reads

MAX_SEARCH = 200
# What a lead shows of the waterfall and of feedback (see `schema.core.later`).
HANDOFFS = LaterField("Lead.handoffs")
FOLLOW_UPS = LaterField("Lead.followUps")
FEEDBACK = LaterField("Lead.feedback")

if TYPE_CHECKING:
    from schema.feedback.ratings import LeadFeedback
    from schema.waterfall.types import FollowUp, Handoff
    from server import models

strawberry.enum(DomainLeadStage, name="LeadStage")
strawberry.enum(DomainActivityKind, name="ActivityKind")
strawberry.enum(DomainGrade, name="LeadGrade")
strawberry.enum(DomainQualifiedBy, name="QualifiedBy")
strawberry.enum(DomainBreakdownKind, name="ScoreBreakdownKind")
strawberry.enum(
    DomainVia, name="StageChangeVia", description="How a lead reached a stage."
)
LeadStage: TypeAlias = DomainLeadStage
ActivityKind: TypeAlias = DomainActivityKind
LeadGrade: TypeAlias = DomainGrade
QualifiedBy: TypeAlias = DomainQualifiedBy
ScoreBreakdownKind: TypeAlias = DomainBreakdownKind
StageChangeVia: TypeAlias = DomainVia


@strawberry.type
class ExternalId:
    system: str
    id: str


@strawberry.type(description="One part of a score; the points sum to `rawScore`.")
class ScoreBreakdownEntry:
    label: str
    kind: ScoreBreakdownKind
    points: Decimal
    detail: str


@strawberry.type
class StageChange:
    from_stage: LeadStage | None = strawberry.field(name="from")
    to_stage: LeadStage = strawberry.field(name="to")
    at: datetime
    via: StageChangeVia
    reason: str | None
    _actor: strawberry.Private[int | None]

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        require(info, "StageChange.actor")
        return await user_by_key(info, self._actor)


@strawberry.type
class LeadActivity(Node):
    id: strawberry.ID
    kind: ActivityKind
    occurred_at: datetime
    external_id: str | None
    source: str | None
    metadata: JSON | None
    recorded_at: datetime
    imported: bool = strawberry.field(
        description="Brought in by a historical import (upsertLeads with backfill)."
    )


_MISSING: Any = object()


@strawberry.type
class Lead(Node):
    id: strawberry.ID
    email: str = strawberry.field(
        description="Normalised; `erased:<n>` (not an address) once erased."
    )
    erased: bool = strawberry.field(
        description="The person's data was erased (`eraseLead`): an anonymous record."
    )
    first_name: str | None
    last_name: str | None
    full_name: str = strawberry.field(description="First and last name, if known.")
    company: str | None
    company_size: int | None
    industry: str | None
    job_title: str | None
    seniority: str | None
    country: str | None
    source: str | None
    campaign: str | None
    is_customer: bool
    products: list[str]
    do_not_contact: bool
    persona_set_by_hand: bool
    stage: LeadStage
    stage_entered_at: datetime
    score: int | None = strawberry.field(
        description="`rawScore` rounded half up; null until a model scored the lead."
    )
    fit_score: Decimal | None
    engagement_score: Decimal | None
    raw_score: Decimal | None
    grade: LeadGrade | None
    scored_under: int | None = strawberry.field(
        description="The qualification model revision of the score."
    )
    scored_at: datetime | None
    qualified: bool
    qualified_at: datetime | None
    qualified_under: int | None
    qualified_by: QualifiedBy | None
    amount: Decimal | None = strawberry.field(
        description="The deal's value, in ACCORD_CURRENCY (see amountMoney)."
    )
    recurring: bool
    source_updated_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    _key: strawberry.Private[int]
    _persona: strawberry.Private[int | None]
    _owner: strawberry.Private[int | None]
    # Filled by `lead_types` (lists prefetch them in one statement each), so
    # the fields resolve without a task per row; otherwise loaded on demand.
    _persona_view: strawberry.Private[Any] = _MISSING
    _owner_view: strawberry.Private[Any] = _MISSING

    @strawberry.field(description="The amount with its currency.")
    def amount_money(self, info: Info) -> Money | None:
        return money(info, self.amount)

    @strawberry.field(
        description="What the score is made of; the points sum to `rawScore`."
    )
    async def score_breakdown(self, info: Info) -> list[ScoreBreakdownEntry]:
        rows = await info.context.loader("score_breakdown").load(self._key)
        return [breakdown_entry(e) for e in rows]

    @strawberry.field(graphql_type=Persona | None)
    def persona(self, info: Info) -> Any:
        if self._persona_view is not _MISSING:
            return self._persona_view
        return _persona(info, self._persona)

    @strawberry.field(graphql_type=User | None)
    def owner(self, info: Info) -> Any:
        require(info, "Lead.owner")
        if self._owner_view is not _MISSING:
            return self._owner_view
        return user_by_key(info, self._owner)

    @strawberry.field
    async def external_ids(self, info: Info) -> list[ExternalId]:
        rows = await info.context.loader("lead_external_ids").load(self._key)
        return [external_id_type(r) for r in rows]

    @strawberry.field(description="Every move through the waterfall, oldest first.")
    async def stage_history(self, info: Info) -> list[StageChange]:
        rows = await info.context.loader("stage_history").load(self._key)
        return [stage_change_type(r) for r in rows]

    @strawberry.field(description="Every handoff of the lead, oldest first.")
    async def handoffs(
        self, info: Info
    ) -> list[Annotated[Handoff, strawberry.lazy("schema.waterfall.types")]]:
        require(info, "Lead.handoffs")
        return await HANDOFFS(info, self._key)

    @strawberry.field(description="Sales' follow-ups on the lead, oldest first.")
    async def follow_ups(
        self, info: Info
    ) -> list[Annotated[FollowUp, strawberry.lazy("schema.waterfall.types")]]:
        require(info, "Lead.followUps")
        return await FOLLOW_UPS(info, self._key)

    @strawberry.field(description="Sales' lead-quality feedback, oldest first.")
    async def feedback(
        self, info: Info
    ) -> list[Annotated[LeadFeedback, strawberry.lazy("schema.feedback.ratings")]]:
        require(info, "Lead.feedback")
        return await FEEDBACK(info, self._key)

    @strawberry.field(description="The lead's activities, latest first.")
    async def activities(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LeadActivity]:
        require(info, "Lead.activities")
        page = await lead_reads.activities_page(
            self._key, page_request(first, after, last, before)
        )
        return connection(page, activity_type)


async def _persona(info: Info, key: int | None) -> Persona | None:
    if key is None:
        return None
    row = await info.context.loader("agreement").load(key)
    found: Persona | None = agreement_type(row) if row else None  # type: ignore[assignment]
    return found


async def lead_types(
    rows: Sequence[Mapping[str, Any] | models.Lead],
) -> list[Lead]:
    """Leads with their personas and owners resolved: two statements for any
    number of rows (none when no row has one)."""
    leads = [lead_type(row) for row in rows]
    persona_keys = {lead._persona for lead in leads if lead._persona is not None}
    owner_keys = {lead._owner for lead in leads if lead._owner is not None}
    personas = await agreement_reads.agreement_records(list(persona_keys))
    owners = await user_reads.user_records(list(owner_keys))
    persona_types = {k: agreement_type(v) for k, v in personas.items()}
    owner_types = {k: user_type(v) for k, v in owners.items()}
    for lead in leads:
        lead._persona_view = persona_types.get(lead._persona or 0)
        lead._owner_view = owner_types.get(lead._owner or 0)
    return leads


def _full_name(first: str | None, last: str | None) -> str:
    """The names given, space-separated (read for every row of a page)."""
    if first and last:
        return f"{first} {last}"
    return first or last or ""


def _score(values: Mapping[str, Any]) -> int | None:
    return values["score"] if values["scored_under"] is not None else None


# What each field of `Lead` holds, read from a lead's row: `lead_type` builds the
# objects the executor resolves with these, and the compiled reads
# (`schema.leads.compiled`) answer the same fields with the same functions.
LEAD_VALUES: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "id": lambda v: strawberry.ID(ids.encode("Lead", v["id"])),
    "email": itemgetter("email"),
    "erased": lambda v: is_erased_email(v["email"]),
    "first_name": itemgetter("first_name"),
    "last_name": itemgetter("last_name"),
    "full_name": lambda v: _full_name(v["first_name"], v["last_name"]),
    "company": itemgetter("company"),
    "company_size": itemgetter("company_size"),
    "industry": itemgetter("industry"),
    "job_title": itemgetter("job_title"),
    "seniority": itemgetter("seniority"),
    "country": itemgetter("country"),
    "source": itemgetter("source"),
    "campaign": itemgetter("campaign"),
    "is_customer": itemgetter("is_customer"),
    "products": lambda v: list(v["products"] or []),
    "do_not_contact": itemgetter("do_not_contact"),
    "persona_set_by_hand": itemgetter("persona_by_hand"),
    "stage": lambda v: DomainLeadStage(v["stage"]),
    "stage_entered_at": itemgetter("stage_entered_at"),
    "score": _score,
    "fit_score": lambda v: plain(v["fit_score"]),
    "engagement_score": lambda v: plain(v["engagement_score"]),
    "raw_score": lambda v: plain(v["raw_score"]),
    "grade": lambda v: DomainGrade(v["grade"]) if v["grade"] else None,
    "scored_under": itemgetter("scored_under"),
    "scored_at": itemgetter("scored_at"),
    "qualified": itemgetter("qualified"),
    "qualified_at": itemgetter("qualified_at"),
    "qualified_under": itemgetter("qualified_under"),
    "qualified_by": lambda v: (
        DomainQualifiedBy(v["qualified_by"]) if v["qualified_by"] else None
    ),
    "amount": itemgetter("amount"),
    "recurring": itemgetter("recurring"),
    "source_updated_at": itemgetter("source_updated_at"),
    "version": itemgetter("version"),
    "created_at": itemgetter("created_at"),
    "updated_at": itemgetter("updated_at"),
}


# The columns each of those reads (a compiled page selects only the columns of
# the fields asked for; `test_compiled.py` reads each field from its columns).
LEAD_COLUMNS: dict[str, tuple[str, ...]] = {
    **{name: (name,) for name in LEAD_VALUES},
    "erased": ("email",),
    "full_name": ("first_name", "last_name"),
    "persona_set_by_hand": ("persona_by_hand",),
    "score": ("score", "scored_under"),
}


def lead_type(row: Mapping[str, Any] | models.Lead) -> Lead:
    """A lead from a use case's row (a dict) or a table row."""
    values: Mapping[str, Any] = (
        row
        if isinstance(row, Mapping)
        else {column: getattr(row, column) for column in COLUMNS}
    )
    return Lead(
        **{name: read(values) for name, read in LEAD_VALUES.items()},
        _key=values["id"],
        _persona=values["persona_id"],
        _owner=values["owner_id"],
    )


def plain(number: Decimal | None) -> Decimal | None:
    """A stored decimal without the column's padding: 35, not 35.000000000."""
    if number is None:
        return None
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def external_id_type(row: models.LeadExternalId) -> ExternalId:
    return ExternalId(system=row.system, id=row.value)


def breakdown_entry(raw: Mapping[str, Any]) -> ScoreBreakdownEntry:
    return ScoreBreakdownEntry(
        label=raw["label"],
        kind=DomainBreakdownKind(raw["kind"]),
        points=Decimal(raw["points"]),
        detail=raw["detail"],
    )


def stage_change_type(row: models.StageChange) -> StageChange:
    return StageChange(
        from_stage=DomainLeadStage(row.from_stage) if row.from_stage else None,
        to_stage=DomainLeadStage(row.to_stage),
        at=row.at,
        via=DomainVia(row.via),
        reason=row.reason,
        _actor=row.actor_id,
    )


def activity_type(row: Mapping[str, Any]) -> LeadActivity:
    return LeadActivity(
        id=strawberry.ID(ids.encode("LeadActivity", row["id"])),
        kind=DomainActivityKind(row["kind"]),
        occurred_at=row["occurred_at"],
        external_id=row["external_id"],
        source=row["source"],
        metadata=row["metadata"],
        recorded_at=row["recorded_at"],
        imported=bool(row["imported"]),
    )


@strawberry.enum
class LeadOrderField(Enum):
    SCORE = "SCORE"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NAME = "NAME"


@strawberry.input
class LeadOrder:
    field: LeadOrderField = LeadOrderField.SCORE
    direction: OrderDirection = OrderDirection.DESC


@strawberry.enum(description="How sales decided a handoff chain.")
class DeliveredDecision(Enum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@strawberry.input(description="Every condition given must hold.")
class LeadFilter:
    stages: list[LeadStage] | None = None
    persona_ids: list[strawberry.ID] | None = None
    owner_ids: list[strawberry.ID] | None = None
    score_min: int | None = None
    score_max: int | None = None
    qualified: bool | None = None
    is_customer: bool | None = None
    grades: list[LeadGrade] | None = None
    search: str | None = strawberry.field(
        default=None, description="Text in the name, e-mail or company."
    )
    created_from: datetime | None = None
    created_to: datetime | None = None
    stage_entered_from: datetime | None = None
    stage_entered_to: datetime | None = None
    stage_at: datetime | None = strawberry.field(
        default=None,
        description="Read `stages` as they stood at this instant (the "
        "dashboard's funnel at a period's end).",
    )
    qualified_from: datetime | None = strawberry.field(
        default=None, description="Qualified (recorded) at or after this instant."
    )
    qualified_to: datetime | None = strawberry.field(
        default=None, description="Qualified before this instant."
    )
    qualified_by: list[QualifiedBy] | None = strawberry.field(
        default=None, description="How the qualification in the range came about."
    )
    qualified_persona_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The lead's persona when it qualified."
    )
    entered_stage: LeadStage | None = strawberry.field(
        default=None, description="Entered this stage in [enteredFrom, enteredTo)."
    )
    entered_from: datetime | None = None
    entered_to: datetime | None = None
    advanced: bool | None = strawberry.field(
        default=None,
        description="With `enteredStage` (MQL to OPPORTUNITY): later reached the "
        "waterfall's next stage (or never did).",
    )
    delivered_from: datetime | None = strawberry.field(
        default=None,
        description="Handed to sales (a chain created, not withdrawn) at or after.",
    )
    delivered_to: datetime | None = None
    delivered_manually: bool | None = strawberry.field(
        default=None,
        description="Delivered after a qualification by hand or an override "
        "(true), or an automatic one (false).",
    )
    delivered_persona_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The lead's persona at that handoff."
    )
    delivered_decision: DeliveredDecision | None = strawberry.field(
        default=None, description="That handoff chain was decided so."
    )


def _filter(f: LeadFilter) -> lead_reads.LeadFilter:
    if f.search is not None and len(f.search) > MAX_SEARCH:
        raise InvalidArguments(f"search for at most {MAX_SEARCH} characters")
    for moment in (
        f.created_from,
        f.created_to,
        f.stage_entered_from,
        f.stage_entered_to,
        f.stage_at,
        f.qualified_from,
        f.qualified_to,
        f.entered_from,
        f.entered_to,
        f.delivered_from,
        f.delivered_to,
    ):
        if moment is not None and moment.utcoffset() is None:
            raise InvalidArguments("give instants with their UTC offset")
    entered = f.entered_stage.value if f.entered_stage is not None else None
    if f.advanced is not None and entered not in NEXT_ON_SPINE:
        raise InvalidArguments(
            "advanced needs enteredStage MQL, SAL, SQL or OPPORTUNITY"
        )
    return lead_reads.LeadFilter(
        stages=tuple(s.value for s in f.stages or ()),
        persona_ids=_keys(f.persona_ids, "Persona"),
        owner_ids=_keys(f.owner_ids, "User"),
        score_min=f.score_min,
        score_max=f.score_max,
        qualified=f.qualified,
        is_customer=f.is_customer,
        grades=tuple(g.value for g in f.grades or ()),
        search=f.search,
        created_from=f.created_from,
        created_to=f.created_to,
        stage_entered_from=f.stage_entered_from,
        stage_entered_to=f.stage_entered_to,
        stage_at=f.stage_at,
        qualified_from=f.qualified_from,
        qualified_to=f.qualified_to,
        qualified_by=tuple(q.value for q in f.qualified_by or ()),
        qualified_persona_ids=_keys(f.qualified_persona_ids, "Persona"),
        entered_stage=entered,
        entered_from=f.entered_from,
        entered_to=f.entered_to,
        advanced=f.advanced,
        delivered_from=f.delivered_from,
        delivered_to=f.delivered_to,
        delivered_manually=f.delivered_manually,
        delivered_persona_ids=_keys(f.delivered_persona_ids, "Persona"),
        delivered_decision=(
            f.delivered_decision.value if f.delivered_decision is not None else None
        ),
    )


def _keys(values: list[strawberry.ID] | None, type_name: str) -> tuple[int, ...]:
    found = []
    for value in values or ():
        try:
            found.append(ids.decode(value, type_name))
        except UserErrors:
            raise InvalidArguments(f"not a {type_name} ID: {value}") from None
    return tuple(found)


@strawberry.enum
class LeadSegmentGroup(Enum):
    COUNTRY = "COUNTRY"
    INDUSTRY = "INDUSTRY"
    PRODUCT = "PRODUCT"
    PERSONA = "PERSONA"


@strawberry.type(description="Leads sharing a country, industry, product or persona.")
class LeadSegment:
    key: str | None = strawberry.field(
        description="The country, industry or product; a persona's ID; null: unknown."
    )
    label: str
    leads: int
    customers: int
    won_revenue: Decimal = strawberry.field(description="In ACCORD_CURRENCY.")
    recurring_revenue: Decimal = strawberry.field(
        description="The part of wonRevenue from recurring deals."
    )

    @strawberry.field(description="wonRevenue with its currency.")
    def won_revenue_money(self, info: Info) -> Money:
        return Money(amount=self.won_revenue, currency=info.context.settings.currency)

    @strawberry.field(description="recurringRevenue with its currency.")
    def recurring_revenue_money(self, info: Info) -> Money:
        return Money(
            amount=self.recurring_revenue, currency=info.context.settings.currency
        )


async def _segments(group: LeadSegmentGroup, f: LeadFilter) -> list[LeadSegment]:
    found = await lead_reads.segments(group.value, _filter(f))
    names: dict[int, str] = {}
    if group is LeadSegmentGroup.PERSONA:
        keys = {int(s.key) for s in found if s.key is not None}
        rows = await agreement_reads.agreements_by_ids(keys)
        names = {k: v.title for k, v in rows.items()}
    result = []
    for s in found:
        key, label = s.key, s.key or "unknown"
        if group is LeadSegmentGroup.PERSONA and s.key is not None:
            key = ids.encode("Persona", int(s.key))
            label = names.get(int(s.key), label)
        result.append(
            LeadSegment(
                key=key,
                label=label,
                leads=s.leads,
                customers=s.customers,
                won_revenue=s.won_revenue,
                recurring_revenue=s.recurring_revenue,
            )
        )
    return result


@strawberry.type
class LeadQueries:
    @strawberry.field(description="The lead with this address (normalised first).")
    async def lead_by_email(self, info: Info, email: str) -> Lead | None:
        require(info, "leadByEmail")
        row = await lead_reads.lead_by_email(email)
        return (await lead_types([row]))[0] if row else None

    @strawberry.field(
        description="Counts and won revenue per group, e.g. of customers to "
        "nurture for recurring revenue (filter isCustomer with a search, stage…)."
    )
    async def lead_segments(
        self, info: Info, group_by: LeadSegmentGroup, filter: LeadFilter | None = None
    ) -> list[LeadSegment]:
        require(info, "leadSegments")
        return await _segments(group_by, filter or LeadFilter())

    @strawberry.field
    async def leads(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: LeadFilter | None = None,
        order_by: LeadOrder | None = None,
    ) -> Connection[Lead]:
        require(info, "leads")
        page = await lead_page(first, after, last, before, filter, order_by)
        built = {lead._key: lead for lead in await lead_types(page.rows)}
        return connection(page, lambda row: built[row["id"]])


async def lead_page(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: LeadFilter | None = None,
    order_by: LeadOrder | None = None,
    joins: Mapping[str, frozenset[str] | None] | None = None,
    columns: frozenset[str] | None = None,
) -> Page[lead_reads.ListedLead]:
    """The rows of a `leads` page (the caller's permission checked before),
    with the to-one relations in ``joins`` read by the same statement; with
    ``columns``, only those of the lead's (and the page's key and cursor)."""
    order = order_by or LeadOrder()
    return await lead_reads.list_leads(
        _filter(filter or LeadFilter()),
        order.field.value,
        order.direction is OrderDirection.DESC,
        page_request(first, after, last, before),
        joins,
        columns,
    )


async def _fetch_leads(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    # One lead's page seldom shows persona and owner; they load on demand.
    rows = await lead_reads.leads_by_ids(keys)
    return {key: lead_type(row) for key, row in rows.items()}


NODE_TYPES = {"Lead": NodeType(_fetch_leads)}
