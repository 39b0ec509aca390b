"""Admins manage people; nobody else can, and the record shows who granted what."""

from __future__ import annotations

from datetime import timedelta

from server.clock import clock
from server.models.core import AuditEntry
from server.models.people import Session, SetPasswordLink, User
from server.services.core import ids
from tests.helpers import Api, issue_token, make_user, open_session

CREATE = """
mutation Create($input: CreateUserInput!) {
  createUser(input: $input) {
    user { id email team role roleGrantedAt roleGrantedBy { email } version }
    userErrors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateUserInput!) {
  updateUser(input: $input) {
    user { team role version outOfOffice } userErrors { code field }
  }
}
"""
LINK = """
mutation Link($id: ID!) {
  createSetPasswordLink(input: {userId: $id}) { url expiresAt userErrors { code } }
}
"""
SET_PASSWORD = """
mutation Set($input: SetPasswordInput!) {
  setPassword(input: $input) { ok userErrors { code field message } }
}
"""


async def signed_in_admin(api: Api) -> User:
    admin = await make_user("admin@example.com", "LEADERSHIP", "ADMIN")
    api.use_session(await open_session(admin))
    return admin


async def test_an_admin_creates_a_user_and_the_grant_is_recorded(api: Api) -> None:
    await signed_in_admin(api)

    made = await api.gql(
        CREATE,
        {
            "input": {
                "email": "New@Example.com",
                "name": "Nia",
                "team": "MARKETING",
                "role": "MANAGER",
            }
        },
    )

    user = made.data["createUser"]["user"]
    assert user["email"] == "new@example.com" and user["role"] == "MANAGER"
    assert user["roleGrantedBy"] == {"email": "admin@example.com"}
    assert user["roleGrantedAt"] is not None
    entry = await AuditEntry.get(action="createUser", outcome="OK")
    assert entry.changes["email"] == "new@example.com"


async def test_bad_user_input_names_each_field_and_saves_nothing(api: Api) -> None:
    await signed_in_admin(api)
    await make_user("taken@example.com")

    refused = await api.gql(
        CREATE,
        {
            "input": {
                "email": "taken@example.com",
                "name": " ",
                "team": "SALES",
                "role": "MEMBER",
                "timezone": "Mars/Base",
            }
        },
    )
    codes = {
        tuple(e["field"]): e["code"] for e in refused.data["createUser"]["userErrors"]
    }
    assert codes == {("name",): "INVALID_INPUT", ("timezone",): "INVALID_INPUT"}

    duplicate = await api.gql(
        CREATE,
        {
            "input": {
                "email": "TAKEN@example.com",
                "name": "T",
                "team": "SALES",
                "role": "MEMBER",
            }
        },
    )
    assert duplicate.data["createUser"]["userErrors"][0]["code"] == "DUPLICATE"
    assert await User.all().count() == 2


async def test_members_and_managers_may_not_manage_users(api: Api) -> None:
    manager = await make_user("m@example.com", "SALES", "MANAGER")
    api.use_session(await open_session(manager))
    refused = await api.gql(
        CREATE,
        {
            "input": {
                "email": "x@example.com",
                "name": "X",
                "team": "SALES",
                "role": "MEMBER",
            }
        },
    )
    assert refused.error_codes == ["FORBIDDEN"]
    assert (
        await AuditEntry.filter(action="createUser", outcome="FORBIDDEN").count() == 1
    )


async def test_a_stale_version_is_a_conflict(api: Api) -> None:
    await signed_in_admin(api)
    rep = await make_user("rep@example.com")
    rid = ids.encode("User", rep.id)

    ok = await api.gql(
        UPDATE, {"input": {"id": rid, "expectedVersion": 1, "outOfOffice": True}}
    )
    assert ok.data["updateUser"]["user"]["version"] == 2
    stale = await api.gql(
        UPDATE, {"input": {"id": rid, "expectedVersion": 1, "role": "MANAGER"}}
    )
    assert stale.data["updateUser"]["userErrors"] == [
        {"code": "CONFLICT", "field": ["expectedVersion"]}
    ]
    assert (await User.get(id=rep.id)).role == "MEMBER"


async def test_changing_a_role_records_who_granted_it_and_when(api: Api) -> None:
    admin = await signed_in_admin(api)
    rep = await make_user("rep@example.com")
    await api.gql(
        UPDATE, {"input": {"id": ids.encode("User", rep.id), "role": "MANAGER"}}
    )
    changed = await User.get(id=rep.id)
    assert changed.role_granted_by_id == admin.id
    assert changed.role_granted_at is not None


async def test_a_deactivated_users_sessions_and_tokens_stop_at_once(api: Api) -> None:
    await signed_in_admin(api)
    admin_cookie = api.session
    rep = await make_user("rep@example.com")
    rep_cookie = await open_session(rep)
    rep_token = await issue_token(rep, "WRITE")

    done = await api.gql(
        "mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { active } } }",
        {"id": ids.encode("User", rep.id)},
    )
    assert done.data["deactivateUser"]["user"]["active"] is False

    assert (await api.gql("{ viewer { email } }", token=rep_token)).status == 401
    api.use_session(rep_cookie)
    assert (await api.gql("{ viewer { email } }")).status == 401
    assert (await api.login("rep@example.com")).data["login"]["viewer"] is None
    assert await Session.filter(user_id=rep.id, revoked_at__isnull=True).count() == 0
    api.use_session(admin_cookie)
    assert (await api.gql("{ viewer { email } }")).status == 200


async def test_admins_cannot_deactivate_themselves(api: Api) -> None:
    admin = await signed_in_admin(api)
    refused = await api.gql(
        "mutation($id: ID!)"
        " { deactivateUser(input: {id: $id}) { userErrors { code } } }",
        {"id": ids.encode("User", admin.id)},
    )
    assert refused.data["deactivateUser"]["userErrors"] == [{"code": "FORBIDDEN"}]


async def test_a_one_time_link_sets_a_password_once_and_marks_the_credentials(
    api: Api,
) -> None:
    admin = await signed_in_admin(api)
    rep = await make_user("rep@example.com")
    url = (await api.gql(LINK, {"id": ids.encode("User", rep.id)})).data[
        "createSetPasswordLink"
    ]["url"]
    token = url.split("token=")[1]
    api.use_session(None)

    weak = await api.gql(SET_PASSWORD, {"input": {"token": token, "password": "short"}})
    assert weak.data["setPassword"]["userErrors"][0]["field"] == ["password"]
    ok = await api.gql(
        SET_PASSWORD, {"input": {"token": token, "password": "a long new passphrase"}}
    )
    assert ok.data["setPassword"]["ok"] is True
    again = await api.gql(
        SET_PASSWORD, {"input": {"token": token, "password": "another long one!"}}
    )
    assert again.data["setPassword"]["userErrors"][0]["code"] == "INVALID_INPUT"

    signed_in = await api.login("rep@example.com", "a long new passphrase")
    assert signed_in.data["login"]["viewer"] is not None
    rep_now = await User.get(id=rep.id)
    assert rep_now.credentials_issued_by_id == admin.id
    assert rep_now.credentials_issued_at is not None


async def test_a_set_password_link_expires(api: Api) -> None:
    await signed_in_admin(api)
    rep = await make_user("rep@example.com")
    url = (await api.gql(LINK, {"id": ids.encode("User", rep.id)})).data[
        "createSetPasswordLink"
    ]["url"]
    clock.advance(timedelta(hours=73).total_seconds())
    api.use_session(None)
    late = await api.gql(
        SET_PASSWORD,
        {
            "input": {
                "token": url.split("token=")[1],
                "password": "a long new passphrase",
            }
        },
    )
    assert late.data["setPassword"]["ok"] is False
    assert (await SetPasswordLink.get(user_id=rep.id)).used_at is None


async def test_users_change_their_own_password_and_other_sessions_end(api: Api) -> None:
    rep = await make_user("rep@example.com")
    other_device = await open_session(rep)
    api.use_session(await open_session(rep))
    changed = await api.gql(
        "mutation($i: ChangePasswordInput!)"
        " { changePassword(input: $i) { ok userErrors { field } } }",
        {
            "i": {
                "currentPassword": "correct horse battery staple",
                "newPassword": "an even better passphrase",
            }
        },
    )
    assert changed.data["changePassword"]["ok"] is True
    assert (await api.gql("{ viewer { email } }")).status == 200
    api.use_session(other_device)
    assert (await api.gql("{ viewer { email } }")).status == 401


async def test_a_users_timezone_must_be_an_iana_name_not_a_host_alias(api: Api) -> None:
    await signed_in_admin(api)
    for zone in ("localtime", "posix/Europe/Berlin", ""):
        refused = await api.gql(
            CREATE,
            {
                "input": {
                    "email": "tz@example.com",
                    "name": "Tz",
                    "team": "SALES",
                    "role": "MEMBER",
                    "timezone": zone,
                }
            },
        )
        errors = refused.data["createUser"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [
            ("INVALID_INPUT", ["timezone"])
        ], zone
    assert not await User.filter(email="tz@example.com").exists()
