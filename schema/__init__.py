"""The GraphQL schema: one Query and one Mutation part per domain, merged here."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.agreements.mutations import AgreementMutations
from schema.agreements.queries import AgreementQueries
from schema.core.nodes import NodeQueries
from schema.events.audit import AuditQueries
from schema.events.notifications import NotificationMutations, NotificationQueries
from schema.feedback.ratings import FeedbackMutations
from schema.leads.funnel import FunnelQueries
from schema.leads.mutations import LeadMutations, install_fast_resolvers
from schema.leads.rescoring import RescoringMutations, RescoringQueries
from schema.leads.types import LeadQueries
from schema.metrics.planner import PlannerQueries
from schema.metrics.queries import MetricsQueries
from schema.people.credentials import CredentialMutations, CredentialQueries
from schema.people.users import UserMutations, UserQueries
from schema.waterfall.moves import StageMoveMutations
from schema.waterfall.mutations import HandoffMutations
from schema.waterfall.types import HandoffQueries

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")

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
        NotificationQueries,
        MetricsQueries,
        PlannerQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CredentialMutations,
        UserMutations,
        AgreementMutations,
        LeadMutations,
        StageMoveMutations,
        HandoffMutations,
        FeedbackMutations,
        RescoringMutations,
        NotificationMutations,
    ),
)

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(auto_camel_case=True),
)
install_fast_resolvers(schema._schema)


def printed() -> str:
    return schema.as_str() + "\n"
