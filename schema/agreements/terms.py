"""The four kinds of agreement terms as read: typed, built from stored terms.

Their inputs are in `schema.agreements.inputs`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeAlias

import strawberry
from strawberry.utils.str_converters import to_camel_case

from server.domain.agreements.activity_kinds import ActivityKind as DomainActivityKind
from server.domain.agreements.calendar_terms import Weekday as DomainWeekday
from server.domain.agreements.fit_rules import FitOperator as DomainFitOperator
from server.domain.agreements.goals import GoalDirection as DomainGoalDirection
from server.domain.agreements.goals import GoalKind as DomainGoalKind
from server.domain.agreements.goals import GoalMetric as DomainGoalMetric
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.agreements.sla_terms import (
    AcceptTimeoutAction as DomainTimeoutAction,
)
from server.domain.agreements.sla_terms import RoutingPolicy as DomainRoutingPolicy
from server.services.core import ids

strawberry.enum(DomainActivityKind, name="ActivityKind")
strawberry.enum(DomainGoalKind, name="GoalKind")
strawberry.enum(DomainGoalMetric, name="GoalMetric")
strawberry.enum(DomainGoalDirection, name="GoalDirection")
strawberry.enum(DomainFitOperator, name="FitOperator")
strawberry.enum(DomainWeekday, name="Weekday")
strawberry.enum(DomainTimeoutAction, name="AcceptTimeoutAction")
strawberry.enum(DomainRoutingPolicy, name="RoutingPolicy")
ActivityKind: TypeAlias = DomainActivityKind
GoalKind: TypeAlias = DomainGoalKind
GoalMetric: TypeAlias = DomainGoalMetric
GoalDirection: TypeAlias = DomainGoalDirection
FitOperator: TypeAlias = DomainFitOperator
Weekday: TypeAlias = DomainWeekday
AcceptTimeoutAction: TypeAlias = DomainTimeoutAction
RoutingPolicy: TypeAlias = DomainRoutingPolicy


# ---- terms as read --------------------------------------------------------------


@strawberry.type
class GoalTerms:
    title: str
    kind: GoalKind
    description: str
    metric: GoalMetric
    direction: GoalDirection
    target: Decimal
    unit: str
    period_start: date
    period_end: date


@strawberry.type
class PersonaTerms:
    name: str
    summary: str
    industries: list[str]
    company_size_min: int | None
    company_size_max: int | None
    regions: list[str]
    job_titles: list[str]
    seniorities: list[str]
    pain_points: list[str]
    buying_triggers: list[str]
    objections: list[str]
    channels: list[str]


@strawberry.type
class FitRule:
    field: str = strawberry.field(description="The lead field tested.")
    operator: FitOperator
    values: list[str] = strawberry.field(
        description="Decimal strings for companySize; persona IDs for persona."
    )
    points: Decimal
    label: str


@strawberry.type
class EngagementRule:
    activity_kind: ActivityKind
    points: Decimal
    max_points: Decimal
    half_life_days: Decimal | None = strawberry.field(
        description="Null: the points do not decay."
    )


@strawberry.type
class QualificationModelTerms:
    fit_rules: list[FitRule]
    engagement_rules: list[EngagementRule]
    mql_threshold: Decimal
    min_fit_score: Decimal | None = strawberry.field(
        description="The fit a lead needs at least; null: no minimum."
    )
    hand_raise_kinds: list[ActivityKind]
    hand_raise_window_days: int


@strawberry.type
class BusinessCalendar:
    timezone: str
    working_days: list[Weekday]
    day_start: str = strawberry.field(description='Local opening time, "HH:MM".')
    day_end: str = strawberry.field(description='Local closing time; may be "24:00".')
    holidays: list[date]


@strawberry.type
class ServiceLevelAgreementTerms:
    qualified_leads_per_month: int
    accept_within_hours: Decimal
    first_touch_within_hours: Decimal
    min_touch_attempts: int
    touch_window_days: int
    accept_timeout_action: AcceptTimeoutAction
    routing: RoutingPolicy
    business_calendar: BusinessCalendar | None = strawberry.field(
        description="Null: the clocks run round the clock."
    )
    review_cadence_days: int
    effective_from: datetime | None
    effective_until: datetime | None


AgreementTerms = Annotated[
    GoalTerms | PersonaTerms | QualificationModelTerms | ServiceLevelAgreementTerms,
    strawberry.union("AgreementTerms"),
]


AgreementTermsValue = (
    GoalTerms
    | PersonaTerms
    | QualificationModelTerms
    | ServiceLevelAgreementTerms
    | None
)


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def goal_terms(t: Mapping[str, Any]) -> GoalTerms:
    return GoalTerms(
        title=t["title"],
        kind=DomainGoalKind(t["kind"]),
        description=t["description"],
        metric=DomainGoalMetric(t["metric"]),
        direction=DomainGoalDirection(t["direction"]),
        target=_d(t["target"]),
        unit=t["unit"],
        period_start=date.fromisoformat(t["periodStart"]),
        period_end=date.fromisoformat(t["periodEnd"]),
    )


def persona_terms(t: Mapping[str, Any]) -> PersonaTerms:
    names = [f.name for f in dataclasses.fields(PersonaTerms)]
    return PersonaTerms(**{name: t[to_camel_case(name)] for name in names})


def _fit_rule(r: Mapping[str, Any]) -> FitRule:
    values = r["values"]
    if r["field"] == "persona":
        values = [ids.encode("Persona", int(v)) for v in values]
    return FitRule(
        field=r["field"],
        operator=DomainFitOperator(r["operator"]),
        values=values,
        points=_d(r["points"]),
        label=r["label"],
    )


def model_terms(t: Mapping[str, Any]) -> QualificationModelTerms:
    return QualificationModelTerms(
        fit_rules=[_fit_rule(r) for r in t["fitRules"]],
        engagement_rules=[
            EngagementRule(
                activity_kind=DomainActivityKind(r["activityKind"]),
                points=_d(r["points"]),
                max_points=_d(r["maxPoints"]),
                half_life_days=None
                if r["halfLifeDays"] is None
                else _d(r["halfLifeDays"]),
            )
            for r in t["engagementRules"]
        ],
        mql_threshold=_d(t["mqlThreshold"]),
        min_fit_score=None if t["minFitScore"] is None else _d(t["minFitScore"]),
        hand_raise_kinds=[DomainActivityKind(k) for k in t["handRaiseKinds"]],
        hand_raise_window_days=t["handRaiseWindowDays"],
    )


def _calendar(c: Mapping[str, Any] | None) -> BusinessCalendar | None:
    if c is None:
        return None
    return BusinessCalendar(
        timezone=c["timezone"],
        working_days=[DomainWeekday(d) for d in c["workingDays"]],
        day_start=c["dayStart"],
        day_end=c["dayEnd"],
        holidays=[date.fromisoformat(d) for d in c["holidays"]],
    )


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def sla_terms(t: Mapping[str, Any]) -> ServiceLevelAgreementTerms:
    return ServiceLevelAgreementTerms(
        qualified_leads_per_month=t["qualifiedLeadsPerMonth"],
        accept_within_hours=_d(t["acceptWithinHours"]),
        first_touch_within_hours=_d(t["firstTouchWithinHours"]),
        min_touch_attempts=t["minTouchAttempts"],
        touch_window_days=t["touchWindowDays"],
        accept_timeout_action=DomainTimeoutAction(t["acceptTimeoutAction"]),
        routing=DomainRoutingPolicy(t["routing"]),
        business_calendar=_calendar(t["businessCalendar"]),
        review_cadence_days=t["reviewCadenceDays"],
        effective_from=_instant(t["effectiveFrom"]),
        effective_until=_instant(t["effectiveUntil"]),
    )


TERMS_TYPES: dict[AgreementKind, Callable[[Mapping[str, Any]], AgreementTermsValue]] = {
    AgreementKind.GOAL: goal_terms,
    AgreementKind.PERSONA: persona_terms,
    AgreementKind.QUALIFICATION_MODEL: model_terms,
    AgreementKind.SERVICE_LEVEL_AGREEMENT: sla_terms,
}


def terms_type(kind: str, terms: Mapping[str, Any] | None) -> AgreementTermsValue:
    return None if terms is None else TERMS_TYPES[AgreementKind(kind)](terms)
