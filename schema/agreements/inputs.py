"""Agreement inputs: the terms as given and each mutation's input.

Terms inputs become plain mappings with the API's field names (`as_mapping`); the
service layer reads and validates them, so every problem comes back as a
field-level user error. Lead-field names, fit operators, weekdays and holidays
are strings here for that reason; the terms as read are typed.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from schema.agreements.terms import (
    AcceptTimeoutAction,
    ActivityKind,
    GoalDirection,
    GoalKind,
    GoalMetric,
    RoutingPolicy,
)
from schema.agreements.types import PersonaEvidenceSource
from server.domain.agreements.goals import GoalDirection as DomainGoalDirection
from server.domain.agreements.sla_terms import (
    AcceptTimeoutAction as DomainTimeoutAction,
)
from server.domain.agreements.sla_terms import RoutingPolicy as DomainRoutingPolicy


@strawberry.input
class GoalTermsInput:
    title: str
    kind: GoalKind
    description: str = ""
    metric: GoalMetric
    direction: GoalDirection = DomainGoalDirection.INCREASE
    target: Decimal
    unit: str = ""
    period_start: date
    period_end: date


@strawberry.input
class PersonaTermsInput:
    name: str
    summary: str = ""
    industries: list[str] = strawberry.field(default_factory=list)
    company_size_min: int | None = None
    company_size_max: int | None = None
    regions: list[str] = strawberry.field(default_factory=list)
    job_titles: list[str] = strawberry.field(default_factory=list)
    seniorities: list[str] = strawberry.field(default_factory=list)
    pain_points: list[str] = strawberry.field(default_factory=list)
    buying_triggers: list[str] = strawberry.field(default_factory=list)
    objections: list[str] = strawberry.field(default_factory=list)
    channels: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class FitRuleInput:
    field: str = strawberry.field(
        description="companySize, industry, jobTitle, seniority, country, source, "
        "persona or isCustomer."
    )
    operator: str = strawberry.field(
        description="EQ, IN, GTE, LTE, BETWEEN or CONTAINS."
    )
    values: list[str] = strawberry.field(
        description="One value (EQ, GTE, LTE, CONTAINS), two (BETWEEN), or a list "
        "(IN); numbers as decimal strings, personas by ID."
    )
    points: Decimal
    label: str


@strawberry.input
class EngagementRuleInput:
    activity_kind: ActivityKind
    points: Decimal
    max_points: Decimal
    half_life_days: Decimal | None = None


@strawberry.input
class QualificationModelTermsInput:
    fit_rules: list[FitRuleInput] = strawberry.field(default_factory=list)
    engagement_rules: list[EngagementRuleInput] = strawberry.field(default_factory=list)
    mql_threshold: Decimal
    min_fit_score: Decimal | None = None
    hand_raise_kinds: list[ActivityKind] = strawberry.field(default_factory=list)
    hand_raise_window_days: int = 7


@strawberry.input
class BusinessCalendarInput:
    timezone: str = strawberry.field(description="An IANA name, e.g. Europe/Berlin.")
    working_days: list[str] = strawberry.field(description="Weekdays, MON … SUN.")
    day_start: str = strawberry.field(description='Local opening time, "HH:MM".')
    day_end: str = strawberry.field(description='Local closing time; may be "24:00".')
    holidays: list[str] = strawberry.field(
        default_factory=list, description="ISO dates (YYYY-MM-DD)."
    )


@strawberry.input
class ServiceLevelAgreementTermsInput:
    qualified_leads_per_month: int
    accept_within_hours: Decimal
    first_touch_within_hours: Decimal
    min_touch_attempts: int
    touch_window_days: int
    accept_timeout_action: AcceptTimeoutAction = DomainTimeoutAction.NOTIFY
    routing: RoutingPolicy = DomainRoutingPolicy.ROUND_ROBIN
    business_calendar: BusinessCalendarInput | None = None
    review_cadence_days: int
    effective_from: datetime | None = None
    effective_until: datetime | None = None


def as_mapping(value: Any) -> Any:
    """An input object as a plain mapping with the API's (camelCase) names."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            to_camel_case(f.name): as_mapping(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
    if isinstance(value, list):
        return [as_mapping(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


# ---- mutation inputs -----------------------------------------------------------


@strawberry.input
class CreateGoalInput:
    terms: GoalTermsInput


@strawberry.input
class UpdateGoalInput:
    id: strawberry.ID
    expected_version: int
    terms: GoalTermsInput


@strawberry.input
class CreatePersonaInput:
    terms: PersonaTermsInput


@strawberry.input
class UpdatePersonaInput:
    id: strawberry.ID
    expected_version: int
    terms: PersonaTermsInput


@strawberry.input
class CreateQualificationModelInput:
    terms: QualificationModelTermsInput


@strawberry.input
class UpdateQualificationModelInput:
    id: strawberry.ID
    expected_version: int
    terms: QualificationModelTermsInput


@strawberry.input
class CreateServiceLevelAgreementInput:
    terms: ServiceLevelAgreementTermsInput


@strawberry.input
class UpdateServiceLevelAgreementInput:
    id: strawberry.ID
    expected_version: int
    terms: ServiceLevelAgreementTermsInput


@strawberry.input
class AgreementIdInput:
    agreement_id: strawberry.ID


@strawberry.input
class DiscardDraftInput(AgreementIdInput):
    pass


@strawberry.input
class ProposeAgreementInput(AgreementIdInput):
    pass


@strawberry.input
class ProposeRetirementInput(AgreementIdInput):
    pass


@strawberry.input
class WithdrawSignOffInput(AgreementIdInput):
    pass


@strawberry.input
class SignOffInput:
    agreement_id: strawberry.ID
    content_hash: str = strawberry.field(
        description="The hash of the proposal you read and agree to."
    )


@strawberry.input
class RejectProposalInput:
    agreement_id: strawberry.ID
    reason: str


@strawberry.input
class AddPersonaEvidenceInput:
    persona_id: strawberry.ID
    source: PersonaEvidenceSource
    note: str


@strawberry.input
class RecordGoalProgressInput:
    goal_id: strawberry.ID
    value: Decimal
    as_of: datetime | None = strawberry.field(
        default=None, description="When the value was measured; default now."
    )
    note: str = ""
