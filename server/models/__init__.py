"""Tables, one module per capability. Only `server/services/` and `server/db.py`
import them; Tortoise reads every table from this package (`server.models`)."""

from server.models.agreements import (
    Agreement,
    AgreementRevision,
    AgreementSignOff,
    GoalMeasurement,
    PersonaEvidence,
)
from server.models.content import (
    ContentAsset,
    ContentAssetRating,
    ContentComment,
    ContentHistory,
    ContentRequest,
    ContentVote,
)
from server.models.core import (
    AuditEntry,
    EmailDelivery,
    IdempotencyRecord,
    OutboxEvent,
    SubjectSequence,
)
from server.models.events import Notification, Webhook, WebhookDelivery
from server.models.feedback import LeadFeedback
from server.models.leads import (
    Lead,
    LeadActivity,
    LeadAlias,
    LeadEngagement,
    LeadExternalId,
    RescoreJob,
    StageChange,
    StageCount,
    StageCountDelta,
)
from server.models.people import (
    ApiToken,
    SavedFilter,
    Session,
    SetPasswordLink,
    User,
)
from server.models.waterfall import FollowUp, Handoff, HandoffChain, RoutingCursor

__all__ = [
    "Agreement",
    "AgreementRevision",
    "AgreementSignOff",
    "ApiToken",
    "AuditEntry",
    "ContentAsset",
    "ContentAssetRating",
    "ContentComment",
    "ContentHistory",
    "ContentRequest",
    "ContentVote",
    "EmailDelivery",
    "FollowUp",
    "GoalMeasurement",
    "Handoff",
    "HandoffChain",
    "IdempotencyRecord",
    "Lead",
    "LeadActivity",
    "LeadAlias",
    "LeadEngagement",
    "LeadExternalId",
    "LeadFeedback",
    "Notification",
    "OutboxEvent",
    "PersonaEvidence",
    "RescoreJob",
    "RoutingCursor",
    "SavedFilter",
    "Session",
    "SetPasswordLink",
    "StageChange",
    "StageCount",
    "StageCountDelta",
    "SubjectSequence",
    "User",
    "Webhook",
    "WebhookDelivery",
]
