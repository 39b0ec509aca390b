"""`accord demo-data`: a realistic, deterministic company, built through the use cases.

Nordlicht Analytics GmbH (`server.demo.plans.company`): an admin, leadership,
marketing and sales managers and members; personas, a qualification model, an
SLA on a Berlin business calendar and goals, each proposed by one team and
signed by both (`people`, `agreements`); then 90 days of leads, activities,
handoffs, decisions, follow-ups and stage moves (`market`, `sales`) replayed in
order up to a reference instant (`timeline`). Every record is made by the use
case a person or integration would call, with the service clock frozen at the
simulated instant, so audit entries, events, deadlines and breaches are what
they would have been.

The same seed and reference instant always give the same company (passwords
aside: they are fresh each time, and shown once). Demo data goes into an empty
database only.

The events the history wrote stay in the outbox: the server's dispatcher hands
them to its consumers when it starts (notifications for the assignments,
reassignments and sign-off requests of the 90 days), as it would after any
outage. Marking them dispatched here, where no consumer listens, would lose them.
"""

from __future__ import annotations

from server.demo.build import (
    DemoOptions,
    DemoRefused,
    DemoReport,
    build_demo,
    describe,
)
from server.demo.timeline import DemoFailed

__all__ = [
    "DemoFailed",
    "DemoOptions",
    "DemoRefused",
    "DemoReport",
    "build_demo",
    "describe",
]
