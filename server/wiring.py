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
- The dashboard's `reviewOverdue` (`metrics`) reads the last completed lead
  review (`meetings`); after each sweep (`waterfall`) the owners of overdue
  action items (`meetings`) are reminded once.
- The outbox (`core`) hands committed events to their consumers: in-app
  notifications and their e-mails, webhook deliveries (`events`).
- Retention (`core`) purges finished webhook deliveries (`events`).
- Merging and erasing a lead (`leads`) walk every capability's tables holding
  a lead key or a person's data, as each declares in its ``holdings`` module.
- Settings reach the services that keep module-level configuration, the
  crash-test fault injection of the mutation path (`core`) among them.
- In the schema, `node` (`core`) answers for every capability's types, and a
  `Lead` (`leads`) shows its handoffs and follow-ups (`waterfall`) and its
  feedback (`feedback`); the static cost of an operation (`core`) prices the
  expensive fields of later capabilities (the model simulator, `metrics`).

`wire` runs before anything else uses the services (the app, each CLI command,
each test's settings); `connect_consumers` runs while the app dispatches events.
"""

from __future__ import annotations

from schema.agreements import compiled as agreement_compiled
from schema.agreements import kinds as agreement_kinds
from schema.content import compiled as content_compiled
from schema.content import types as content_schema
from schema.core import compiled, relay
from schema.core.limits import install_field_costs
from schema.events import audit as audit_schema
from schema.events import notifications as notification_schema
from schema.events import webhooks as webhook_schema
from schema.feedback import compiled as feedback_compiled
from schema.feedback import ratings as feedback_schema
from schema.leads import compiled as lead_compiled
from schema.leads import types as lead_schema
from schema.meetings import types as meeting_schema
from schema.metrics import model as model_schema
from schema.people import compiled as people_compiled
from schema.people import credentials as credential_schema
from schema.people import saved_filters as saved_filter_schema
from schema.people import users as user_schema
from schema.waterfall import compiled as waterfall_compiled
from schema.waterfall import types as waterfall_schema
from server.services.agreements import goals, signing
from server.services.content import holdings as content_holdings
from server.services.core import ids, mutations, retention
from server.services.core import mail as mailer
from server.services.core import outbox as events
from server.services.events import delivery, notifications
from server.services.events import holdings as event_holdings
from server.services.events import subscriptions as live
from server.services.feedback import holdings as feedback_holdings
from server.services.leads import aliases, erasure, merging, rescoring
from server.services.leads.holdings import REGISTRY as LEAD_HOLDINGS
from server.services.meetings import action_items as meeting_actions
from server.services.meetings import holdings as meeting_holdings
from server.services.meetings import reads as meeting_reads
from server.services.metrics import goals as metrics_goals
from server.services.metrics import reviews as metrics_reviews
from server.services.people import auth, passwords, users
from server.services.waterfall import holdings as waterfall_holdings
from server.services.waterfall import sweeper
from server.settings import Settings

CONSUMERS = {"notifications": notifications.consume, "webhooks": delivery.consume}


def wire(settings: Settings) -> None:
    """Configure the services from the settings and connect every hook (again
    calling it changes nothing but the configuration)."""
    ids.configure(settings.secret_key)
    auth.configure(
        settings.session_idle_hours,
        settings.session_absolute_days,
        settings.credential_cache_seconds,
    )
    passwords.set_concurrency(settings.password_hash_concurrency)
    mutations.set_fault_exit_after_commit(settings.fault_exit_after_commit)
    mailer.configure(settings)
    live.registry.configure(
        settings.max_subscriptions_per_connection, settings.max_subscriptions_per_user
    )
    delivery.configure(settings)
    retention.purging.connect(delivery.purge)
    users.role_changed.connect(signing.void_sign_offs_of)
    signing.scoring_changed.connect(rescoring.request)
    goals.install_goal_measure(metrics_goals.measure_goals)
    metrics_reviews.install_last_review(meeting_reads.last_lead_review)
    sweeper.swept.connect(meeting_actions.remind_overdue)
    aliases.configure(settings.secret_key, settings.erased_reimport)
    install_lead_holdings()
    wire_schema()


def install_lead_holdings() -> None:
    """Tell merging and erasure where every capability keeps a lead's data; a
    capability adding a table holding a lead key or a person's text adds its
    ``holdings`` here (the registry's tests fail until it does)."""
    LEAD_HOLDINGS.install(
        merging.HOLDINGS,
        erasure.HOLDINGS,
        waterfall_holdings.HOLDINGS,
        feedback_holdings.HOLDINGS,
        content_holdings.HOLDINGS,
        meeting_holdings.HOLDINGS,
        event_holdings.HOLDINGS,
    )


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
        meeting_schema.NODE_TYPES,
        audit_schema.NODE_TYPES,
        notification_schema.NODE_TYPES,
        webhook_schema.NODE_TYPES,
    )
    lead_schema.HANDOFFS.connect(waterfall_schema.handoffs_of_lead)
    lead_schema.FOLLOW_UPS.connect(waterfall_schema.follow_ups_of_lead)
    lead_schema.FEEDBACK.connect(feedback_schema.feedback_of_lead)
    install_field_costs(model_schema.FIELD_COSTS)
    install_compiled_reads()


def install_compiled_reads() -> None:
    """The types and roots the compiled reads answer, capability by capability."""
    compiled.install(people_compiled.TYPES, people_compiled.ROOTS)
    compiled.install(agreement_compiled.TYPES, agreement_compiled.ROOTS)
    compiled.install(lead_compiled.TYPES, lead_compiled.ROOTS)
    compiled.install(
        waterfall_compiled.TYPES,
        waterfall_compiled.ROOTS,
        waterfall_compiled.RELATIONS,
        waterfall_compiled.NODES,
    )
    compiled.install(content_compiled.TYPES, content_compiled.ROOTS)
    compiled.install(
        feedback_compiled.TYPES,
        {},
        feedback_compiled.RELATIONS,
        feedback_compiled.NODES,
    )


def connect_consumers() -> None:
    """Let the outbox's dispatcher hand events to the later packages."""
    for name, consumer in CONSUMERS.items():
        events.register_consumer(name, consumer)


def disconnect_consumers() -> None:
    for name in CONSUMERS:
        events.unregister_consumer(name)
