"""The GraphQL schema: one Query and one Mutation part per domain, merged here."""

from __future__ import annotations

from pathlib import Path

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.agreement_mutations import AgreementMutations
from schema.agreement_queries import AgreementQueries
from schema.audit import AuditQueries
from schema.credentials import CredentialMutations, CredentialQueries
from schema.feedback import FeedbackMutations
from schema.funnel import FunnelQueries
from schema.handoff_mutations import HandoffMutations
from schema.handoffs import HandoffQueries
from schema.lead_mutations import LeadMutations, install_fast_resolvers
from schema.leads import LeadQueries
from schema.nodes import NodeQueries
from schema.notifications import NotificationMutations, NotificationQueries
from schema.rescoring import RescoringMutations, RescoringQueries
from schema.users import UserMutations, UserQueries

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
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CredentialMutations,
        UserMutations,
        AgreementMutations,
        LeadMutations,
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
