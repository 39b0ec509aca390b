"""`node`/`nodes` and SQL statements per operation, pinned."""

from __future__ import annotations

from server import db
from server.models.core import AuditEntry
from server.models.people import User
from server.services.core import ids
from tests.helpers import Api, make_user, open_session

NODE = "query($id: ID!) { node(id: $id) { __typename id ... on User { email } } }"


async def test_node_resolves_a_user_by_its_global_id(api: Api) -> None:
    ann = await make_user("ann@example.com")
    api.use_session(await open_session(ann))
    gid = ids.encode("User", ann.id)
    found = await api.gql(NODE, {"id": gid})
    assert found.data["node"] == {
        "__typename": "User",
        "id": gid,
        "email": "ann@example.com",
    }


async def test_unknown_forged_and_unreadable_ids_resolve_to_null(api: Api) -> None:
    rep = await make_user("rep@example.com")
    api.use_session(await open_session(rep))
    await AuditEntry.create(action="x", at=rep.created_at)
    audit_id = ids.encode("AuditEntry", (await AuditEntry.get(action="x")).id)
    for gid in ("not-an-id", ids.encode("User", 999_999), audit_id, "VXNlcjox"):
        assert (await api.gql(NODE, {"id": gid})).data["node"] is None


async def test_nodes_keeps_order_and_refuses_more_than_100(api: Api) -> None:
    ann = await make_user("ann@example.com")
    bob = await make_user("bob@example.com")
    api.use_session(await open_session(ann))
    wanted = [ids.encode("User", bob.id), "junk", ids.encode("User", ann.id)]
    got = await api.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { email } } }",
        {"ids": wanted},
    )
    assert got.data["nodes"] == [
        {"email": "bob@example.com"},
        None,
        {"email": "ann@example.com"},
    ]
    too_many = await api.gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 101}
    )
    assert too_many.error_codes == ["INVALID_INPUT"]


async def test_an_id_of_the_wrong_type_is_refused_with_its_field(api: Api) -> None:
    admin = await make_user("admin@example.com", "LEADERSHIP", "ADMIN")
    api.use_session(await open_session(admin))
    token_id = ids.encode("ApiToken", 1)
    refused = await api.gql(
        "mutation($id: ID!) { deactivateUser(input: {id: $id})"
        " { userErrors { code field message } } }",
        {"id": token_id},
    )
    error = refused.data["deactivateUser"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["id"])
    assert "User" in error["message"]


async def test_page_sizes_outside_bounds_are_top_level_invalid_input(api: Api) -> None:
    api.use_session(await open_session(await make_user("ann@example.com")))
    for size in (0, 101):
        response = await api.gql(
            "query($n: Int) { users(first: $n) { totalCount } }", {"n": size}
        )
        assert response.error_codes == ["INVALID_INPUT"]


USERS_PAGE = """query($n: Int!) { users(first: $n) {
  totalCount edges { cursor node { id name email team role roleGrantedBy { name } } }
  pageInfo { hasNextPage endCursor } } }"""


async def test_statements_per_operation_do_not_grow_with_rows(api: Api) -> None:
    admin = await make_user("admin@example.com", "LEADERSHIP", "ADMIN")
    for i in range(60):
        await make_user(f"u{i}@example.com")
    await User.all().update(role_granted_by_id=admin.id)
    api.use_session(await open_session(admin))
    counts = {}
    for n in (5, 50):
        with db.count_statements() as statements:
            assert (await api.gql(USERS_PAGE, {"n": n})).status == 200
        counts[n] = len(statements)
    # authentication, the page, its count, and one batch for roleGrantedBy
    assert counts == {5: 4, 50: 4}
    with db.count_statements() as statements:
        await api.gql("{ viewer { name } }")
    assert len(statements) == 2  # authentication and the user
