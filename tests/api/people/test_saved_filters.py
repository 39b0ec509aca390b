"""Saved filters over the API: per user and screen, replaced by name, deleted by
their owner only, validated, limited, a fixed number of statements, and two
saves at once on PostgreSQL leaving one row."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server import db
from server.domain.people.saved_filters import MAX_PER_SCREEN
from server.models.core import AuditEntry
from server.models.people import SavedFilter
from tests.helpers import Api, make_user, open_session

ERRORS = "userErrors { code field message }"
LIST = "query($screen: String!) { savedFilters(screen: $screen) { id name filter } }"
SAVE = f"""mutation($input: SaveFilterInput!) {{
  saveFilter(input: $input) {{ savedFilter {{ id screen name filter }} {ERRORS} }}
}}"""
DELETE = f"""mutation($input: DeleteSavedFilterInput!) {{
  deleteSavedFilter(input: $input) {{ deletedId {ERRORS} }}
}}"""


async def as_user(api: Api, email: str, team: str = "MARKETING") -> None:
    api.use_session(await open_session(await make_user(email, team)))


async def save(api: Api, **input: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await api.gql(SAVE, {"input": input})).data["saveFilter"]
    return found


async def listed(api: Api, screen: str = "leads") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await api.gql(LIST, {"screen": screen})).data[
        "savedFilters"
    ]
    return found


async def test_a_user_saves_lists_replaces_and_deletes_her_own_filters(
    api: Api,
) -> None:
    await as_user(api, "mia@example.com")
    hot = {"stages": "MQL", "qualified": "yes", "scoreMin": "70"}

    first = await save(api, screen="leads", name="  Hot MQLs ", filter=hot)
    assert first["userErrors"] == []
    assert first["savedFilter"]["name"] == "Hot MQLs"
    await save(api, screen="leads", name="Customers", filter={"customer": "yes"})
    await save(api, screen="content-requests", name="Mine", filter={"mine": True})

    assert [f["name"] for f in await listed(api)] == ["Customers", "Hot MQLs"]
    # saving under the same name replaces the contents, same id
    again = await save(api, screen="leads", name="Hot MQLs", filter={"grades": "A"})
    assert again["savedFilter"]["id"] == first["savedFilter"]["id"]
    assert {f["name"]: f["filter"] for f in await listed(api)}["Hot MQLs"] == {
        "grades": "A"
    }

    # another user sees none of them and cannot delete them
    await as_user(api, "sam@example.com", "SALES")
    assert await listed(api) == []
    theirs = await api.gql(DELETE, {"input": {"id": first["savedFilter"]["id"]}})
    refused = theirs.data["deleteSavedFilter"]
    assert refused["deletedId"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
    assert await SavedFilter.filter(id__isnull=False).count() == 3

    # the owner deletes it; audited both ways
    await as_user_again(api, "mia@example.com")
    done = (await api.gql(DELETE, {"input": {"id": first["savedFilter"]["id"]}})).data
    assert done["deleteSavedFilter"]["deletedId"] == first["savedFilter"]["id"]
    assert [f["name"] for f in await listed(api)] == ["Customers"]
    actions = await AuditEntry.filter(action__in=["saveFilter", "deleteSavedFilter"])
    assert sorted((a.action, a.outcome) for a in actions) == sorted(
        [("saveFilter", "OK")] * 4
        + [("deleteSavedFilter", "NOT_FOUND"), ("deleteSavedFilter", "OK")]
    )


async def as_user_again(api: Api, email: str) -> None:
    from server.models import User

    api.use_session(await open_session(await User.get(email=email)))


@pytest.mark.parametrize(
    ("input_", "field"),
    [
        ({"screen": "Leads!", "name": "x", "filter": {}}, "screen"),
        ({"screen": "leads", "name": "   ", "filter": {}}, "name"),
        ({"screen": "leads", "name": "x" * 81, "filter": {}}, "name"),
        ({"screen": "leads", "name": "x", "filter": ["a"]}, "filter"),
        ({"screen": "leads", "name": "x", "filter": {"a": {"b": 1}}}, "filter"),
        ({"screen": "leads", "name": "x", "filter": {"q": "y" * 5000}}, "filter"),
    ],
)
async def test_a_malformed_filter_is_refused_on_its_field(
    api: Api, input_: dict[str, Any], field: str
) -> None:
    await as_user(api, "mia@example.com")
    refused = await save(api, **input_)
    assert refused["savedFilter"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_INPUT", [field])
    ]
    assert await SavedFilter.all().count() == 0


async def test_fifty_filters_per_screen_at_most(api: Api) -> None:
    await as_user(api, "mia@example.com")
    for n in range(MAX_PER_SCREEN):
        assert (await save(api, screen="leads", name=f"f{n}", filter={}))[
            "userErrors"
        ] == []
    over = await save(api, screen="leads", name="one more", filter={})
    assert [e["code"] for e in over["userErrors"]] == ["LIMIT_EXCEEDED"]
    # replacing one still works, and another screen has its own fifty
    assert (await save(api, screen="leads", name="f0", filter={"a": 1}))[
        "userErrors"
    ] == []
    assert (await save(api, screen="other", name="f0", filter={}))["userErrors"] == []


async def test_listing_and_saving_cost_fixed_statements(api: Api) -> None:
    await as_user(api, "mia@example.com")
    counts = {}
    for n in (1, 20):
        for i in range(n):
            await save(api, screen=f"s{n}", name=f"f{i}", filter={"i": i})
        with db.count_statements() as statements:
            assert len(await listed(api, f"s{n}")) == n
        counts[n] = len(statements)
    # the session, then one select
    assert counts == {1: 2, 20: 2}
    with db.count_statements() as statements:
        await save(api, screen="s1", name="new", filter={})
    # the session; lock the user, look the name up, count, insert; the audit entry
    assert len(statements) == 6


@pytest.mark.only_backend("postgres")
async def test_two_saves_of_one_name_at_once_leave_one_filter(
    api: Api, backend: str
) -> None:
    await as_user(api, "mia@example.com")
    for round_ in range(20):
        answers = await asyncio.gather(
            *(
                api.gql(
                    SAVE,
                    {
                        "input": {
                            "screen": "leads",
                            "name": f"same {round_}",
                            "filter": {"n": n},
                        }
                    },
                )
                for n in range(3)
            )
        )
        assert all(a.data["saveFilter"]["userErrors"] == [] for a in answers)
        ids_ = {a.data["saveFilter"]["savedFilter"]["id"] for a in answers}
        assert len(ids_) == 1
    assert await SavedFilter.all().count() == 20
