"""The GraphQL schema: one Query and one Mutation part per domain, merged here."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.agreements.mutations import AgreementMutations
from schema.agreements.queries import AgreementQueries
from schema.content.mutations import ContentMutations
from schema.content.queries import ContentQueries
from schema.core.inputs import install_input_guard
from schema.core.nodes import NodeQueries
from schema.events.audit import AuditQueries
from schema.events.notifications import NotificationMutations, NotificationQueries
from schema.events.subscriptions import EventSubscriptions
from schema.events.webhooks import WebhookMutations, WebhookQueries
from schema.feedback.ratings import FeedbackMutations
from schema.leads.funnel import FunnelQueries
from schema.leads.hygiene import HygieneMutations, HygieneQueries
from schema.leads.mutations import LeadMutations, record_activities_fast
from schema.leads.rescoring import RescoringMutations, RescoringQueries
from schema.leads.types import LeadQueries
from schema.meetings.mutations import MeetingMutations
from schema.meetings.queries import MeetingQueries
from schema.meetings.summary import FeedbackQueries
from schema.metrics.model import ModelQueries
from schema.metrics.planner import PlannerMutations, PlannerQueries
from schema.metrics.queries import MetricsQueries
from schema.people.credentials import CredentialMutations, CredentialQueries
from schema.people.saved_filters import SavedFilterMutations, SavedFilterQueries
from schema.people.users import UserMutations, UserQueries
from schema.waterfall.moves import StageMoveMutations
from schema.waterfall.mutations import HandoffMutations
from schema.waterfall.types import HandoffQueries

Query = merge_types(
    "Query",
    (
        UserQueries,
        CredentialQueries,
        AuditQueries,
        NodeQueries,
        AgreementQueries,
        LeadQueries,
        HandoffQueries,
        RescoringQueries,
        FunnelQueries,
        HygieneQueries,
        NotificationQueries,
        SavedFilterQueries,
        ContentQueries,
        MetricsQueries,
        PlannerQueries,
        ModelQueries,
        WebhookQueries,
        FeedbackQueries,
        MeetingQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CredentialMutations,
        UserMutations,
        AgreementMutations,
        LeadMutations,
        HygieneMutations,
        StageMoveMutations,
        HandoffMutations,
        FeedbackMutations,
        ContentMutations,
        RescoringMutations,
        NotificationMutations,
        SavedFilterMutations,
        PlannerMutations,
        WebhookMutations,
        MeetingMutations,
    ),
)

Subscription = merge_types("Subscription", (EventSubscriptions,))

# Fields whose built resolver is a faster one than the method that declares them:
# the same contract and the same use case, without building a strawberry input
# object per row of a 1,000-row batch. `tests/api/leads/test_fast_path.py` sends
# the same batches through both and compares every answer.
FAST_RESOLVERS = {"recordLeadActivities": record_activities_fast}


def build(*, fast: bool = True) -> strawberry.Schema:
    """The schema; with ``fast=False`` every field keeps its declared resolver."""
    built = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=True),
    )
    mutation = built._schema.mutation_type
    assert mutation is not None
    if fast:
        for name, resolver in FAST_RESOLVERS.items():
            mutation.fields[name].resolve = resolver
    install_input_guard(built)  # after the fast resolvers: it wraps them too
    return built


schema = build()


def printed() -> str:
    return schema.as_str() + "\n"
