"""Agreements as the compiler answers them (`schema.core.compiled`): `Persona`
and the `personas` connection."""

from __future__ import annotations

from typing import Any

from schema.agreements.kinds import PERSONA_COLUMNS, PERSONA_VALUES, agreement_type
from schema.agreements.queries import agreements_page
from schema.context import Context
from schema.core.compiled import Joins, NotCompiled, RootPage, RowType, request_of
from server.domain.agreements.lifecycle import AgreementKind
from server.services.core.pagination import Page


def _persona(row: Any) -> Any:
    _check_persona(row)
    return agreement_type(row)


async def _personas(
    kwargs: dict[str, Any], joins: Joins, context: Context
) -> Page[Any]:
    request = request_of(kwargs)
    kinds = [AgreementKind.PERSONA.value]
    return await agreements_page(
        kinds, kwargs.get("filter"), kwargs.get("order_by"), request
    )


def _check_persona(row: Any) -> None:
    if row.kind != AgreementKind.PERSONA.value:
        raise NotCompiled("a persona's row is not a persona")


TYPES = {
    "Persona": RowType(
        "Persona",
        convert=_persona,
        leaves=PERSONA_VALUES,
        columns=PERSONA_COLUMNS,
        check=_check_persona,
    )
}
ROOTS = {"personas": RootPage("Persona", "personas", _personas)}
