"""Steps shared by the sweeper and notification tests: a floor with an SLA
round the clock (4 hours to accept, 24 to touch) and a handoff to the rep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from server.clock import clock
from server.models.core import OutboxEvent
from server.models.people import User
from server.models.waterfall import Handoff, HandoffChain
from server.services.core import ids
from tests.handoff_steps import Floor, floor, user_id
from tests.helpers import Api, settle_outbox

START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday
SLA_EVENTS = ("SLA_AT_RISK", "SLA_BREACHED")


@dataclass
class Handed:
    """A floor with one pending handoff to the rep."""

    room: Floor
    lead_id: str
    handoff: dict[str, Any]

    @property
    def key(self) -> int:
        return ids.decode(self.handoff["id"], "Handoff")


async def handed_to_rep(api: Api, action: str = "NOTIFY", **sla: Any) -> Handed:
    """At START, an SLA round the clock with this timeout action, and a
    qualified lead handed to the rep."""
    clock.set(START)
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla(acceptTimeoutAction=action, businessCalendar=None, **sla)
    lead_id = await room.qualified_lead()
    done = await room.hand_off(lead_id, assigneeId=await user_id("rep"))
    assert done["userErrors"] == [], done
    return Handed(room, lead_id, done["handoff"])


def at(hours: float, minutes: float = 0) -> datetime:
    return START + timedelta(hours=hours, minutes=minutes)


async def sla_events() -> list[tuple[str, str]]:
    """(kind, clock) of every SLA event, in the order written."""
    rows = await OutboxEvent.filter(kind__in=SLA_EVENTS).order_by("id")
    return [(row.kind, row.payload["clock"]) for row in rows]


async def kinds(*wanted: str) -> list[str]:
    rows = await OutboxEvent.filter(kind__in=wanted).order_by("id")
    return [row.kind for row in rows]


async def holders(lead_id: str) -> list[tuple[str, str, str | None]]:
    """(assignee name, status, reassign cause) of the lead's handoffs, in order."""
    key = ids.decode(lead_id, "Lead")
    rows = await Handoff.filter(lead_id=key).order_by("id")
    names = {u.id: u.name for u in await User.all()}
    return [(names[r.assignee_id], r.status, r.reassign_cause) for r in rows]


async def chain_of(lead_id: str) -> HandoffChain:
    return await HandoffChain.get(lead_id=ids.decode(lead_id, "Lead"))


async def settle() -> None:
    """Dispatch every outbox event written so far (the consumers run)."""
    await settle_outbox()


async def set_user(name: str, **values: Any) -> None:
    await User.filter(name=name.title()).update(**values)
