"""Agreement queries: the lists, filtered and ordered, and the model and SLA in
force. Resolvers turn arguments into one service call and rows into edges."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from schema.agreements.kinds import (
    Goal,
    Persona,
    QualificationModel,
    ServiceLevelAgreement,
    agreement_type,
)
from schema.agreements.types import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    PendingState,
)
from schema.context import Info
from schema.core.permissions import require
from schema.core.relay import Connection, connection, page_request
from schema.people.users import OrderDirection
from server.domain.agreements.lifecycle import AgreementKind as Kind
from server.services.agreements import in_force
from server.services.agreements import reads as agreement_reads
from server.services.core.pagination import Page, PageRequest


@strawberry.enum
class AgreementOrderField(Enum):
    UPDATED_AT = "UPDATED_AT"
    TITLE = "TITLE"


@strawberry.input
class AgreementOrder:
    field: AgreementOrderField = AgreementOrderField.UPDATED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input
class AgreementFilter:
    kind: list[AgreementKind] | None = None
    status: list[AgreementStatus] | None = None
    pending: list[PendingState] | None = None


@strawberry.input
class AgreementStateFilter:
    status: list[AgreementStatus] | None = None
    pending: list[PendingState] | None = None


def _values(items: list[Any] | None) -> list[str] | None:
    return [i.value for i in items] if items else None


async def _page(
    kinds: list[str] | None,
    f: AgreementStateFilter | AgreementFilter | None,
    order: AgreementOrder | None,
    page: tuple[int | None, str | None, int | None, str | None],
) -> Connection[Any]:
    found = await agreements_page(kinds, f, order, page_request(*page))
    return connection(found, agreement_type)


async def agreements_page(
    kinds: list[str] | None,
    f: AgreementStateFilter | AgreementFilter | None,
    order: AgreementOrder | None,
    request: PageRequest,
) -> Page[Any]:
    """An agreement connection's page of rows (also `schema.agreements.compiled`)."""
    o = order or AgreementOrder()
    return await agreement_reads.list_agreements(
        {
            "kind": kinds,
            "status": _values(f.status if f else None),
            "pending": _values(f.pending if f else None),
        },
        o.field.value,
        o.direction is OrderDirection.DESC,
        request,
    )


@strawberry.type
class AgreementQueries:
    @strawberry.field(description="Every kind of agreement, newest change first.")
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AgreementFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[Agreement]:
        require(info, "agreements")
        kinds = _values(filter.kind if filter else None)
        return await _page(kinds, filter, order_by, (first, after, last, before))

    @strawberry.field
    async def goals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AgreementStateFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[Goal]:
        require(info, "goals")
        return await _page(
            [Kind.GOAL.value], filter, order_by, (first, after, last, before)
        )

    @strawberry.field
    async def personas(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AgreementStateFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[Persona]:
        require(info, "personas")
        kinds = [Kind.PERSONA.value]
        return await _page(kinds, filter, order_by, (first, after, last, before))

    @strawberry.field
    async def qualification_models(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AgreementStateFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[QualificationModel]:
        require(info, "qualificationModels")
        kinds = [Kind.QUALIFICATION_MODEL.value]
        return await _page(kinds, filter, order_by, (first, after, last, before))

    @strawberry.field
    async def service_level_agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AgreementStateFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[ServiceLevelAgreement]:
        require(info, "serviceLevelAgreements")
        kinds = [Kind.SERVICE_LEVEL_AGREEMENT.value]
        return await _page(kinds, filter, order_by, (first, after, last, before))

    @strawberry.field(description="The qualification model in force, if any.")
    async def active_qualification_model(self, info: Info) -> QualificationModel | None:
        require(info, "activeQualificationModel")
        row = await in_force.agreement(Kind.QUALIFICATION_MODEL)
        return agreement_type(row) if row else None  # type: ignore[return-value]

    @strawberry.field(description="The SLA in force, if any.")
    async def active_service_level_agreement(
        self, info: Info
    ) -> ServiceLevelAgreement | None:
        require(info, "activeServiceLevelAgreement")
        row = await in_force.agreement(Kind.SERVICE_LEVEL_AGREEMENT)
        return agreement_type(row) if row else None  # type: ignore[return-value]
