"""Reading handoffs: the `handoffs` list with its filters, `myQueue`, a lead's
handoffs and follow-ups, and the SLA terms a chain was created under."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery

from server.clock import clock
from server.domain.core.errors import InvalidArguments
from server.domain.waterfall.clocks import ClockStatus, SlaTerms, sla_terms_from
from server.domain.waterfall.handoffs import HandoffStatus
from server.models.agreements import AgreementRevision
from server.models.waterfall import FollowUp, Handoff, HandoffChain
from server.services.agreements.store import terms_of
from server.services.core import fetched
from server.services.core.pagination import Ordering, Page, PageRequest, paginate
from server.services.waterfall import chains
from server.services.waterfall import clocks as handoff_clocks
from server.services.waterfall.store import NO_DEADLINE

ORDER_FIELDS = {"DUE": "sort_due_at", "CREATED_AT": "handed_off_at"}
# Parsed terms by their stored text: ids and revision numbers repeat when a
# database is rebuilt (each test's, a restored backup) while the process lives.
_terms_cache: dict[str, SlaTerms] = {}


@dataclass(frozen=True)
class HandoffFilter:
    status: tuple[str, ...] = ()
    assignee_ids: tuple[int, ...] = ()
    accept_status: tuple[ClockStatus, ...] = ()
    first_touch_status: tuple[ClockStatus, ...] = ()
    sla_status: tuple[ClockStatus, ...] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    chain: chains.ChainFilter = field(default_factory=chains.ChainFilter)


async def chain_terms(chain: HandoffChain) -> SlaTerms | None:
    """The terms of the SLA revision a chain was created under (one statement;
    parsed once per distinct terms)."""
    if chain.sla_id is None or chain.sla_revision is None:
        return None
    revision = await AgreementRevision.get(
        agreement_id=chain.sla_id, number=chain.sla_revision
    ).only("id", "terms")
    text = revision.terms
    found = _terms_cache.get(text)
    if found is None:
        found = _terms_cache[text] = sla_terms_from(terms_of(text) or {})
    return found


def _clock(
    statuses: tuple[ClockStatus, ...],
    condition: handoff_clocks.Condition,
    now: datetime,
) -> Q | None:
    if not statuses:
        return None
    chains = HandoffChain.filter(handoff_clocks.any_of(condition, statuses, now))
    return Q(chain_id__in=Subquery(chains.values("id")))


async def list_handoffs(
    filter: HandoffFilter,
    order: str,
    descending: bool,
    page: PageRequest,
    now: datetime,
) -> Page[Handoff]:
    query = Handoff.all().select_related("chain")
    if filter.status:
        query = query.filter(status__in=list(filter.status))
    if filter.assignee_ids:
        query = query.filter(assignee_id__in=list(filter.assignee_ids))
    for statuses, condition in (
        (filter.accept_status, handoff_clocks.accept_is),
        (filter.first_touch_status, handoff_clocks.first_touch_is),
        (filter.sla_status, handoff_clocks.sla_is),
    ):
        clause = _clock(statuses, condition, now)
        if clause is not None:
            query = query.filter(clause)
    query = chains.apply(_ranges(query, filter), filter.chain)
    ordering = Ordering(
        f"{order}:{'D' if descending else 'A'}", ((ORDER_FIELDS[order], descending),)
    )
    return await paginate(query, ordering, page)


def _ranges(query: Any, filter: HandoffFilter) -> Any:
    """Half-open ranges of creation and (accept) deadline; a handoff without a
    deadline is in no deadline range. Bounds are compared in UTC (SQLite
    compares the stored text)."""
    bounds = (
        ("handed_off_at__gte", filter.created_from, "createdFrom"),
        ("handed_off_at__lt", filter.created_to, "createdTo"),
        ("sort_due_at__gte", filter.due_from, "dueFrom"),
        ("sort_due_at__lt", filter.due_to, "dueTo"),
    )
    for condition, bound, name in bounds:
        if bound is not None:
            query = query.filter(**{condition: _utc(bound, name)})
    if filter.due_from is not None or filter.due_to is not None:
        query = query.filter(sort_due_at__lt=NO_DEADLINE)
    return query


def _utc(bound: datetime, name: str) -> datetime:
    if bound.utcoffset() is None:
        raise InvalidArguments(f"give filter.{name} with a timezone offset")
    return bound.astimezone(UTC)


async def my_queue(user_id: int, page: PageRequest) -> Page[Handoff]:
    """The user's open handoffs, soonest deadline first."""
    query = Handoff.filter(
        assignee_id=user_id, status=HandoffStatus.PENDING.value
    ).select_related("chain")
    return await paginate(query, Ordering("DUE:A", (("sort_due_at", False),)), page)


async def handoffs_by_ids(keys: Iterable[int]) -> dict[int, Handoff]:
    rows = await Handoff.filter(id__in=list(keys)).select_related("chain")
    return {row.id: row for row in rows}


async def chains_by_ids(keys: Iterable[int]) -> dict[int, HandoffChain]:
    return {row.id: row for row in await HandoffChain.filter(id__in=list(keys))}


async def chains_of(rows: Iterable[Handoff]) -> dict[int, HandoffChain]:
    """The chains of handoffs by id: those read with their handoffs (every read
    here joins them), and one statement for any others."""
    found: dict[int, HandoffChain] = {}
    wanted = set()
    for row in rows:
        joined = row.chain
        if isinstance(joined, HandoffChain):
            found[row.chain_id] = joined
        wanted.add(row.chain_id)
    missing = wanted - found.keys()
    if missing:
        found.update(await chains_by_ids(missing))
    return found


async def handoffs_of_leads(keys: list[int]) -> dict[int, list[Handoff]]:
    rows = (
        await Handoff.filter(lead_id__in=keys)
        .select_related("chain")
        .order_by("handed_off_at", "id")
    )
    return fetched.group_by(rows, lambda r: r.lead_id)


async def follow_ups_of_leads(keys: list[int]) -> dict[int, list[FollowUp]]:
    rows = await FollowUp.filter(lead_id__in=keys).order_by("occurred_at", "id")
    return fetched.group_by(rows, lambda r: r.lead_id)


async def follow_ups_by_ids(keys: Iterable[int]) -> dict[int, FollowUp]:
    return {row.id: row for row in await FollowUp.filter(id__in=list(keys))}


async def handoffs_of_chains(keys: list[int]) -> dict[int, list[Handoff]]:
    rows = (
        await Handoff.filter(chain_id__in=keys)
        .select_related("chain")
        .order_by("handed_off_at", "id")
    )
    return fetched.group_by(rows, lambda r: r.chain_id)


def now() -> datetime:
    """The service clock's now, which the clock statuses are judged at."""
    return clock.now()
