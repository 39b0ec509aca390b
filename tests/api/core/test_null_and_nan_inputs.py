"""Inputs the outside probe sent that ended as internal errors: a null user name
and non-finite amounts. Each is now a field error."""

from __future__ import annotations

import pytest

from server.models import Lead, User
from server.services.core import ids
from tests.helpers import Api
from tests.lead_steps import CLOSE, MOVE, seat, well_fitting

UPDATE_USER = """mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { name } userErrors { code field } } }"""


@pytest.mark.parametrize("field", ["name", "team", "role", "timezone"])
async def test_update_user_with_a_null_field_is_a_field_error(
    api: Api, field: str
) -> None:
    desk = await seat(api)
    rey = await User.get(name="Rep")
    done = await desk.call(
        "admin", UPDATE_USER, {"id": ids.encode("User", rey.id), field: None}
    )
    assert done["userErrors"] == [{"code": "INVALID_INPUT", "field": [field]}]
    assert (await User.get(id=rey.id)).version == rey.version


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
@pytest.mark.parametrize("document", [MOVE, CLOSE])
async def test_a_non_finite_amount_is_a_field_error(
    api: Api, amount: str, document: str
) -> None:
    desk = await seat(api)
    done = await desk.upsert([well_fitting("ana@example.com")])
    lead_id = done["results"][0]["lead"]["id"]
    move = {"leadId": lead_id, "amount": amount}
    move |= {"stage": "WON"} if document is MOVE else {"outcome": "WON"}
    answer = await desk.send("rep", document, move)
    payload = next(iter(answer.data.values()))
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["amount"])
    ]
    assert (await Lead.get()).stage == "NEW"
