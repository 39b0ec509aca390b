"""Who may call what: SPEC §2.1's table, in one place.

Every GraphQL operation (mutation, and every query field that needs more than being
signed in) maps to exactly one `Rule`. A caller whose role can never call the
operation gets a top-level FORBIDDEN; object- and state-dependent refusals are the
use case's job and come back as a FORBIDDEN user error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from server.domain.core.errors import Forbidden, Unauthenticated
from server.domain.core.roles import Role, Scope, Team
from server.services.core.actors import Actor, Anonymous


@dataclass(frozen=True)
class Rule:
    who: str
    allows: Callable[[Actor], bool]
    scopes: frozenset[Scope] = frozenset({Scope.WRITE})
    session_only: bool = False
    anonymous: bool = False


def _anyone(actor: Actor) -> bool:
    return True


def _admins(actor: Actor) -> bool:
    return actor.role is Role.ADMIN


def _managers_and_admins(actor: Actor) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN)


def _negotiators(actor: Actor) -> bool:
    return actor.role is Role.ADMIN or _signing_managers(actor)


def _signing_managers(actor: Actor) -> bool:
    return actor.role is Role.MANAGER and actor.team in (Team.MARKETING, Team.SALES)


def _managers(actor: Actor) -> bool:
    return actor.role is Role.MANAGER


def _marketing_or_sales(actor: Actor) -> bool:
    return actor.team in (Team.MARKETING, Team.SALES)


def _marketing_users_and_admins(actor: Actor) -> bool:
    return actor.team is Team.MARKETING or actor.role is Role.ADMIN


def _sales(actor: Actor) -> bool:
    return actor.team is Team.SALES and actor.role is not Role.ADMIN


def _marketing_users(actor: Actor) -> bool:
    return actor.team is Team.MARKETING and actor.role is not Role.ADMIN


def _sales_managers(actor: Actor) -> bool:
    return actor.team is Team.SALES and actor.role is Role.MANAGER


def _marketing_managers_and_admins(actor: Actor) -> bool:
    return actor.role is Role.ADMIN or (
        actor.team is Team.MARKETING and actor.role is Role.MANAGER
    )


def _anonymous_rule(who: str) -> Rule:
    return Rule(who, _anyone, anonymous=True)


NEGOTIATORS = "managers of marketing or sales, and admins"
SIGNERS = "managers of marketing or sales, for their own team, in a session"
READ = frozenset({Scope.READ})
READ_OR_INGEST = frozenset({Scope.READ, Scope.INGEST})
INGEST = frozenset({Scope.INGEST})
INGESTERS = "marketing users and admins (tokens with INGEST or WRITE)"
OWNERS = "the requester or a sales manager"
ATTENDEES = "the meeting's attendees and managers"


RULES: dict[str, Rule] = {
    # sessions and credentials
    "login": _anonymous_rule("anyone, without credentials"),
    "setPassword": _anonymous_rule("the holder of a one-time set-password link"),
    "logout": Rule("the session's owner", _anyone, session_only=True),
    "logoutEverywhere": Rule(
        "any user, for their own sessions", _anyone, session_only=True
    ),
    "changePassword": Rule("any user, for themselves", _anyone, session_only=True),
    "createApiToken": Rule("any user, for themselves", _anyone, session_only=True),
    "revokeApiToken": Rule("the token's owner; admins for any token", _anyone),
    # users (admin)
    "createUser": Rule("admins", _admins),
    "updateUser": Rule("admins", _admins),
    "deactivateUser": Rule("admins", _admins),
    "createSetPasswordLink": Rule("admins", _admins),
    # webhooks (admin, SPEC §2.9)
    "createWebhook": Rule("admins", _admins),
    "updateWebhook": Rule("admins", _admins),
    "deleteWebhook": Rule("admins", _admins),
    "rotateWebhookSecret": Rule("admins", _admins),
    "redeliverWebhookDelivery": Rule("admins", _admins),
    "webhooks": Rule("admins", _admins, READ),
    "webhookDeliveries": Rule("admins", _admins, READ),
    # reads beyond "every authenticated user"
    # INGEST alone reads only `viewer` and what its mutations return (README).
    "viewer": Rule("any authenticated caller", _anyone, READ_OR_INGEST),
    "users": Rule("any authenticated user", _anyone, READ),
    "node": Rule("any authenticated user (per-type rules apply)", _anyone, READ),
    "nodes": Rule("any authenticated user (per-type rules apply)", _anyone, READ),
    "sessions": Rule("the sessions' owner", _anyone, READ),
    "apiTokens": Rule("owners; admins see every token", _anyone, READ),
    "auditEntries": Rule("managers and admins", _managers_and_admins, READ),
    # agreements (SPEC §2.2): drafts, proposals, sign-offs
    **{
        f"{verb}{kind}": Rule(NEGOTIATORS, _negotiators)
        for verb in ("create", "update")
        for kind in ("Goal", "Persona", "QualificationModel", "ServiceLevelAgreement")
    },
    "discardDraft": Rule(NEGOTIATORS, _negotiators),
    "proposeAgreement": Rule(NEGOTIATORS, _negotiators),
    "proposeRetirement": Rule(NEGOTIATORS, _negotiators),
    "rejectProposal": Rule(NEGOTIATORS, _negotiators, session_only=True),
    "signOff": Rule(SIGNERS, _signing_managers, session_only=True),
    "withdrawSignOff": Rule(SIGNERS, _signing_managers, session_only=True),
    "addPersonaEvidence": Rule("marketing and sales users", _marketing_or_sales),
    "recordGoalProgress": Rule("managers", _managers),
    **{
        name: Rule("any authenticated user", _anyone, READ)
        for name in (
            "agreements",
            "goals",
            "personas",
            "qualificationModels",
            "serviceLevelAgreements",
            "activeQualificationModel",
            "activeServiceLevelAgreement",
        )
    },
    # leads (SPEC §2.3, §3)
    "upsertLeads": Rule(INGESTERS, _marketing_users_and_admins, INGEST),
    "recordLeadActivities": Rule(INGESTERS, _marketing_users_and_admins, INGEST),
    "updateLead": Rule(INGESTERS, _marketing_users_and_admins, INGEST),
    "moveLeadStage": Rule(
        "marketing and sales users, as the waterfall table names them",
        _marketing_or_sales,
    ),
    "closeLead": Rule("sales users working the lead, sales managers", _sales),
    "leadByEmail": Rule("any authenticated user", _anyone, READ),
    "leads": Rule("any authenticated user", _anyone, READ),
    "leadSegments": Rule("any authenticated user", _anyone, READ),
    # what a lead payload links to beyond the lead itself: people and sales' work,
    # closed to INGEST-only tokens (they read what their mutations changed)
    **{
        name: Rule("any authenticated user with READ", _anyone, READ)
        for name in (
            "Lead.owner",
            "Lead.handoffs",
            "Lead.followUps",
            "Lead.feedback",
            "Lead.activities",
            "StageChange.actor",
        )
    },
    # handoff and follow-ups (SPEC §2.4)
    "handoffLead": Rule(
        "marketing users (an unqualified lead: marketing managers)", _marketing_users
    ),
    "acceptHandoff": Rule("the assignee or a sales manager", _sales),
    "rejectHandoff": Rule("the assignee or a sales manager", _sales),
    "reassignHandoff": Rule("sales managers", _sales_managers),
    "recordFollowUp": Rule(
        "sales users working the lead (owner or assignee), sales managers", _sales
    ),
    # lead-quality feedback (SPEC §2.7)
    "submitLeadFeedback": Rule(
        "sales users working the lead (owner or assignee), sales managers", _sales
    ),
    # content requests (SPEC §2.8; who, per request and status: domain.content)
    "requestContent": Rule("anyone", _anyone),
    "commentOnContentRequest": Rule("anyone", _anyone),
    "voteContentRequest": Rule("anyone", _anyone),
    "updateContentRequest": Rule("the requester", _anyone),
    "triageContentRequest": Rule("marketing users", _marketing_users),
    "moveContentRequest": Rule("marketing users", _marketing_users),
    "deliverContentRequest": Rule("marketing users", _marketing_users),
    "cancelContentRequest": Rule(OWNERS, _anyone),
    "reopenContentRequest": Rule(OWNERS, _anyone),
    "rateContentRequest": Rule(OWNERS, _anyone),
    "rateContentAsset": Rule("sales users", _sales),
    **{
        name: Rule("any authenticated user", _anyone, READ)
        for name in (
            "contentRequests",
            "contentRequestCounts",
            "contentAssets",
            "turnaround",
        )
    },
    "handoffs": Rule("any authenticated user", _anyone, READ),
    "myQueue": Rule("any authenticated user, for their own queue", _anyone, READ),
    # notifications and one's own preferences (SPEC §2.1, §2.4)
    "notifications": Rule("any authenticated user, their own", _anyone, READ),
    "events": Rule(
        "any authenticated user, events whose subject they may read", _anyone, READ
    ),
    "markNotificationsRead": Rule("any authenticated user, their own", _anyone),
    "updatePreferences": Rule("any authenticated user, for themselves", _anyone),
    # saved filters of the client's list screens (SPEC §2.3)
    "savedFilters": Rule("any authenticated user, their own", _anyone, READ),
    "saveFilter": Rule("any authenticated user, their own", _anyone),
    "deleteSavedFilter": Rule("any authenticated user, their own", _anyone),
    # rescoring (SPEC §2.1: rescore leads — marketing managers, admins)
    "rescoreLeads": Rule(
        "marketing managers and admins", _marketing_managers_and_admins
    ),
    "rescoring": Rule("any authenticated user", _anyone, READ),
    # lead hygiene (SPEC §2.1: merge, erase leads; §2.3)
    "mergeLeads": Rule("marketing managers and admins", _marketing_managers_and_admins),
    "eraseLead": Rule("admins", _admins),
    "duplicateLeadCandidates": Rule("any authenticated user", _anyone, READ),
    "leadFunnel": Rule("any authenticated user", _anyone, READ),
    "dashboard": Rule("any authenticated user", _anyone, READ),
    "metricSeries": Rule("any authenticated user", _anyone, READ),
    "goalPlan": Rule("any authenticated user", _anyone, READ),
    "applyGoalPlan": Rule(NEGOTIATORS, _negotiators),
    "qualificationModelReport": Rule("any authenticated user", _anyone, READ),
    "simulateQualificationModel": Rule("any authenticated user", _anyone, READ),
    # feedback in aggregate and meetings (SPEC §2.7; attendees, per meeting:
    # domain.meetings)
    "leadFeedbackSummary": Rule("any authenticated user", _anyone, READ),
    "meetings": Rule("any authenticated user", _anyone, READ),
    "myActionItems": Rule("any authenticated user, their own", _anyone, READ),
    "scheduleMeeting": Rule("managers", _managers),
    "completeMeeting": Rule("managers", _managers),
    "updateMeeting": Rule(ATTENDEES, _anyone),
    "addActionItem": Rule(ATTENDEES, _anyone),
    "updateActionItem": Rule(f"{ATTENDEES}, the item's owner", _anyone),
}


def rule_for(operation: str) -> Rule:
    try:
        return RULES[operation]
    except KeyError:
        # An operation without a rule is refused outright; a test keeps this empty.
        raise Forbidden(f"no permission rule for {operation}") from None


def scope_allows(granted: frozenset[Scope], accepted: frozenset[Scope]) -> bool:
    """WRITE covers everything its owner may do; otherwise a listed scope must match."""
    return Scope.WRITE in granted or bool(granted & accepted)


def authorize(caller: Actor | Anonymous | None, operation: str) -> Rule:
    """Check the caller against the operation's rule; raise a top-level error."""
    rule = rule_for(operation)
    if rule.anonymous:
        return rule
    if not isinstance(caller, Actor):
        raise Unauthenticated("sign in or send an API token")
    if not rule.allows(caller):
        raise Forbidden(f"{operation} is for {rule.who}")
    if rule.session_only and not caller.in_session:
        raise Forbidden(f"{operation} needs a signed-in session, not an API token")
    if caller.credential == "token" and not scope_allows(caller.scopes, rule.scopes):
        needed = " or ".join(sorted(s.value for s in rule.scopes | {Scope.WRITE}))
        raise Forbidden(f"this API token needs the {needed} scope")
    return rule
