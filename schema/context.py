"""What every resolver receives: the caller, the request id and per-request loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from server.services.agreements import reads as agreement_reads
from server.services.core.actors import Actor, Anonymous
from server.services.events.subscriptions import Connection
from server.services.feedback import ratings as lead_feedback
from server.services.leads import reads as lead_reads
from server.services.leads import scoring as lead_scoring
from server.services.people import reads as user_reads
from server.services.waterfall import reads as handoff_reads
from server.settings import Settings


@dataclass
class CookieChange:
    name: str
    value: str | None  # None deletes the cookie
    max_age: int | None = None


@dataclass
class Context:
    settings: Settings
    caller: Actor | Anonymous
    request_id: str
    base_url: str = ""
    user_agent: str = ""
    session_secret: str | None = None
    cookies: list[CookieChange] = field(default_factory=list)
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)
    connection_params: dict[str, Any] | None = None  # set by graphql-transport-ws
    # the authenticated WebSocket a subscription runs on (graphql-transport-ws)
    connection: Connection | None = None

    @property
    def actor(self) -> Actor | None:
        return self.caller if isinstance(self.caller, Actor) else None

    def loader(self, name: str) -> DataLoader[Any, Any]:
        existing = self.loaders.get(name)
        if existing is None:
            existing = self.loaders[name] = DataLoader(load_fn=LOADERS[name])
        return existing


async def _load_users(keys: list[int]) -> list[Any]:
    found = await user_reads.users_by_ids(keys)
    return [found.get(k) for k in keys]


async def _load_agreements(keys: list[int]) -> list[Any]:
    found = await agreement_reads.agreements_by_ids(keys)
    return [found.get(k) for k in keys]


async def _load_external_ids(keys: list[int]) -> list[Any]:
    found = await lead_reads.external_ids(keys)
    return [found.get(k, []) for k in keys]


async def _load_stage_history(keys: list[int]) -> list[Any]:
    found = await lead_reads.stage_history(keys)
    return [found.get(k, []) for k in keys]


async def _load_leads(keys: list[int]) -> list[Any]:
    found = await lead_reads.leads_by_ids(keys)
    return [found.get(k) for k in keys]


async def _load_handoffs(keys: list[int]) -> list[Any]:
    found = await handoff_reads.handoffs_by_ids(keys)
    return [found.get(k) for k in keys]


async def _load_chain_handoffs(keys: list[int]) -> list[Any]:
    found = await handoff_reads.handoffs_of_chains(keys)
    return [found.get(k, []) for k in keys]


async def _load_lead_handoffs(keys: list[int]) -> list[Any]:
    found = await handoff_reads.handoffs_of_leads(keys)
    return [found.get(k, []) for k in keys]


async def _load_lead_follow_ups(keys: list[int]) -> list[Any]:
    found = await handoff_reads.follow_ups_of_leads(keys)
    return [found.get(k, []) for k in keys]


async def _load_lead_feedback(keys: list[int]) -> list[Any]:
    found = await lead_feedback.feedback_of_leads(keys)
    return [found.get(k, []) for k in keys]


async def _load_breakdowns(keys: list[int]) -> list[Any]:
    found = await lead_scoring.breakdowns(keys)
    return [found.get(k, []) for k in keys]


LOADERS = {
    "user": _load_users,
    "agreement": _load_agreements,
    "lead_external_ids": _load_external_ids,
    "stage_history": _load_stage_history,
    "lead": _load_leads,
    "handoff": _load_handoffs,
    "chain_handoffs": _load_chain_handoffs,
    "lead_handoffs": _load_lead_handoffs,
    "lead_follow_ups": _load_lead_follow_ups,
    "lead_feedback": _load_lead_feedback,
    "score_breakdown": _load_breakdowns,
}

Info = strawberry.Info[Context, None]
