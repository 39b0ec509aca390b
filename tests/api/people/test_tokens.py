"""API tokens: scopes, expiry, revocation, and what a token may never do."""

from __future__ import annotations

from datetime import timedelta

from server.clock import clock
from server.models.people import ApiToken
from tests.helpers import Api, issue_token, make_user, open_session

CREATE = """
mutation Create($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    secret apiToken { id name scopes prefix lastUsedAt }
    userErrors { code field message }
  }
}
"""
REVOKE = """
mutation Revoke($id: ID!) {
  revokeApiToken(input: {id: $id}) { apiToken { id revokedAt } userErrors { code } }
}
"""
VIEWER = "{ viewer { email } }"


async def test_a_user_creates_a_token_sees_the_secret_once_and_uses_it(
    api: Api,
) -> None:
    user = await make_user("int@example.com", "MARKETING")
    api.use_session(await open_session(user))

    created = await api.gql(CREATE, {"input": {"name": "CRM sync", "scopes": ["READ"]}})
    payload = created.data["createApiToken"]
    secret = payload["secret"]
    assert secret.startswith("acc_") and payload["apiToken"]["scopes"] == ["READ"]
    stored = await ApiToken.get(name="CRM sync")
    assert secret not in (stored.secret_hash, stored.prefix)
    assert secret.startswith(payload["apiToken"]["prefix"] + "_")

    api.use_session(None)
    assert (await api.gql(VIEWER, token=secret)).data["viewer"][
        "email"
    ] == "int@example.com"
    listed = await api.gql(
        "{ apiTokens { edges { node { name secret: prefix } } } }", token=secret
    )
    assert secret not in str(listed.body)


async def test_scopes_are_required_and_the_expiry_must_be_in_the_future(
    api: Api,
) -> None:
    api.use_session(await open_session(await make_user("int@example.com")))
    past = (clock.now() - timedelta(days=1)).isoformat()

    refused = await api.gql(
        CREATE, {"input": {"name": "x", "scopes": [], "expiresAt": past}}
    )

    fields = {tuple(e["field"]) for e in refused.data["createApiToken"]["userErrors"]}
    assert fields == {("scopes",), ("expiresAt",)}
    assert await ApiToken.all().count() == 0


async def test_a_read_token_cannot_mutate(api: Api) -> None:
    user = await make_user("reader@example.com", "LEADERSHIP", "ADMIN")
    token = await issue_token(user, "READ")

    response = await api.gql(REVOKE, {"id": "whatever"}, token=token)

    assert response.error_codes == ["FORBIDDEN"]
    assert response.body["data"] is None


async def test_tokens_cannot_create_tokens_or_sign_out_sessions(api: Api) -> None:
    token = await issue_token(await make_user("w@example.com"), "WRITE")
    made = await api.gql(
        CREATE, {"input": {"name": "x", "scopes": ["READ"]}}, token=token
    )
    assert made.error_codes == ["FORBIDDEN"]


async def test_a_revoked_token_stops_at_once(api: Api) -> None:
    user = await make_user("int@example.com")
    token = await issue_token(user, "WRITE")
    row = await ApiToken.get(user_id=user.id)
    from server.services.core import ids

    revoked = await api.gql(REVOKE, {"id": ids.encode("ApiToken", row.id)}, token=token)
    assert revoked.data["revokeApiToken"]["apiToken"]["revokedAt"] is not None

    after = await api.gql(VIEWER, token=token)
    assert after.status == 401 and after.error_codes == ["UNAUTHENTICATED"]


async def test_an_expired_token_is_refused(api: Api) -> None:
    user = await make_user("int@example.com")
    token = await issue_token(user, "READ")
    await ApiToken.filter(user_id=user.id).update(
        expires_at=clock.now() + timedelta(hours=1)
    )
    assert (await api.gql(VIEWER, token=token)).status == 200
    clock.advance(3601)
    assert (await api.gql(VIEWER, token=token)).error_codes == ["UNAUTHENTICATED"]


async def test_only_owners_and_admins_revoke_a_token(api: Api) -> None:
    owner = await make_user("owner@example.com")
    other = await make_user("other@example.com")
    admin = await make_user("admin@example.com", "LEADERSHIP", "ADMIN")
    await issue_token(owner, "READ")
    from server.services.core import ids

    token_id = ids.encode("ApiToken", (await ApiToken.get(user_id=owner.id)).id)

    api.use_session(await open_session(other))
    refused = await api.gql(REVOKE, {"id": token_id})
    assert refused.data["revokeApiToken"]["userErrors"] == [{"code": "NOT_FOUND"}]

    api.use_session(await open_session(admin))
    everyone = await api.gql("{ apiTokens(filter: {everyone: true}) { totalCount } }")
    assert everyone.data["apiTokens"]["totalCount"] == 1
    done = await api.gql(REVOKE, {"id": token_id})
    assert done.data["revokeApiToken"]["userErrors"] == []


async def test_last_used_is_kept_in_memory_so_a_read_stays_a_read(api: Api) -> None:
    from server import db

    user = await make_user("int@example.com")
    token = await issue_token(user, "READ")
    with db.count_statements() as statements:
        await api.gql(VIEWER, token=token)
    assert not any(
        s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in statements
    )
    listed = await api.gql(
        "{ apiTokens { edges { node { lastUsedAt } } } }", token=token
    )
    assert listed.data["apiTokens"]["edges"][0]["node"]["lastUsedAt"] is not None
