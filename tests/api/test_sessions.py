"""Signing in and out over HTTP, as the web client does."""

from __future__ import annotations

from server.models import AuditEntry, Session
from tests.helpers import PASSWORD, Api, make_user, open_session

VIEWER = "query { viewer { name email team role } }"


async def test_a_sales_manager_signs_in_and_reads_viewer(api: Api) -> None:
    await make_user("ann@example.com", "SALES", "MANAGER", name="Ann")

    signed_in = await api.login("  ANN@example.com ", PASSWORD)

    assert signed_in.data["login"]["viewer"]["role"] == "MANAGER"
    cookie = signed_in.headers["set-cookie"]
    assert "accord_session=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    viewer = await api.gql(VIEWER)
    assert viewer.data["viewer"] == {
        "name": "Ann", "email": "ann@example.com", "team": "SALES", "role": "MANAGER",
    }


async def test_a_wrong_password_and_an_unknown_email_answer_the_same(api: Api) -> None:
    await make_user("ann@example.com")

    wrong = await api.login("ann@example.com", "not the password at all")
    unknown = await api.login("nobody@example.com", "not the password at all")

    assert wrong.data["login"] == unknown.data["login"]
    assert wrong.data["login"]["viewer"] is None
    assert api.session is None


async def test_without_credentials_everything_but_login_is_unauthenticated(api: Api) -> None:
    for document in (VIEWER, "{ users { totalCount } }", "mutation { logout { ok } }"):
        response = await api.gql(document)
        assert response.status == 401
        assert response.error_codes == ["UNAUTHENTICATED"]


async def test_login_rotates_the_session_and_logout_ends_it(api: Api) -> None:
    user = await make_user("ann@example.com")
    old = await open_session(user)
    api.use_session(old)

    await api.login("ann@example.com")
    new_cookie = api.session
    assert new_cookie != old
    api.use_session(old)
    assert (await api.gql(VIEWER)).status == 401

    api.use_session(new_cookie)
    assert (await api.gql("mutation { logout { ok } }")).data["logout"]["ok"] is True
    api.use_session(new_cookie)
    assert (await api.gql(VIEWER)).status == 401
    assert await Session.filter(revoked_at__isnull=True).count() == 0
    assert await AuditEntry.filter(action="logout").count() == 1
