"""The one place an earlier package is told about a later one.

Inside a layer, packages look back only: `people` never imports `agreements`,
`agreements` never imports `leads`, and so on down the list in README's Layout.
When an earlier package must let a later one act, it offers a hook and this
module connects it; nothing is registered as a side effect of an import.

- A user's team or role changes, or the user is deactivated (`people`): the
  user's sign-offs on pending proposals are voided (`agreements`).
- A model or persona revision comes into force or is retired (`agreements`):
  every lead is rescored (`leads`).
- A goal with a computed metric (`agreements`) reports progress measured by
  `metrics`.
- The outbox (`core`) hands committed events to their consumers: in-app
  notifications and their e-mails (`events`).
- Settings reach the services that keep module-level configuration, the
  crash-test fault injection of the mutation path (`core`) among them.
- In the schema, `node` (`core`) answers for every capability's types, and a
  `Lead` (`leads`) shows its handoffs and follow-ups (`waterfall`) and its
  feedback (`feedback`).

`wire` runs before anything else uses the services (the app, each CLI command,
each test's settings); `connect_consumers` runs while the app dispatches events.
"""

from __future__ import annotations

from schema.agreements import kinds as agreement_kinds
from schema.content import types as content_schema
from schema.core import relay
from schema.events import audit as audit_schema
from schema.events import notifications as notification_schema
from schema.feedback import ratings as feedback_schema
from schema.leads import types as lead_schema
from schema.people import credentials as credential_schema
from schema.people import saved_filters as saved_filter_schema
from schema.people import users as user_schema
from schema.waterfall import types as waterfall_schema
from server.services.agreements import goals, signing
from server.services.core import ids, mutations
from server.services.core import mail as mailer
from server.services.core import outbox as events
from server.services.events import notifications
from server.services.events import subscriptions as live
from server.services.leads import rescoring
from server.services.metrics import goals as metrics_goals
from server.services.people import auth, passwords, users
from server.settings import Settings

CONSUMERS = {"notifications": notifications.consume}


def wire(settings: Settings) -> None:
    """Configure the services from the settings and connect every hook (again
    calling it changes nothing but the configuration)."""
    ids.configure(settings.secret_key)
    auth.configure(settings.session_idle_hours, settings.session_absolute_days)
    passwords.set_concurrency(settings.password_hash_concurrency)
    mutations.set_fault_exit_after_commit(settings.fault_exit_after_commit)
    mailer.configure(settings)
    live.registry.configure(
        settings.max_subscriptions_per_connection, settings.max_subscriptions_per_user
    )
    users.role_changed.connect(signing.void_sign_offs_of)
    signing.scoring_changed.connect(rescoring.request)
    goals.install_goal_measure(metrics_goals.measure_goal)
    wire_schema()


def wire_schema() -> None:
    """Connect the schema's capabilities: node types, and a lead's later fields."""
    relay.install_node_types(
        user_schema.NODE_TYPES,
        credential_schema.NODE_TYPES,
        saved_filter_schema.NODE_TYPES,
        agreement_kinds.NODE_TYPES,
        lead_schema.NODE_TYPES,
        waterfall_schema.NODE_TYPES,
        feedback_schema.NODE_TYPES,
        content_schema.NODE_TYPES,
        audit_schema.NODE_TYPES,
        notification_schema.NODE_TYPES,
    )
    lead_schema.HANDOFFS.connect(waterfall_schema.handoffs_of_lead)
    lead_schema.FOLLOW_UPS.connect(waterfall_schema.follow_ups_of_lead)
    lead_schema.FEEDBACK.connect(feedback_schema.feedback_of_lead)


def connect_consumers() -> None:
    """Let the outbox's dispatcher hand events to the later packages."""
    for name, consumer in CONSUMERS.items():
        events.register_consumer(name, consumer)


def disconnect_consumers() -> None:
    for name in CONSUMERS:
        events.unregister_consumer(name)
