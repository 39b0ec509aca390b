"""Signing in and out over HTTP, as the web client does."""

from __future__ import annotations

from server.clock import clock
from server.models.core import AuditEntry
from server.models.people import Session
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
        "name": "Ann",
        "email": "ann@example.com",
        "team": "SALES",
        "role": "MANAGER",
    }


async def test_a_wrong_password_and_an_unknown_email_answer_the_same(api: Api) -> None:
    await make_user("ann@example.com")

    wrong = await api.login("ann@example.com", "not the password at all")
    unknown = await api.login("nobody@example.com", "not the password at all")

    assert wrong.data["login"] == unknown.data["login"]
    assert wrong.data["login"]["viewer"] is None
    assert api.session is None


async def test_without_credentials_everything_but_login_is_unauthenticated(
    api: Api,
) -> None:
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


async def test_a_session_idle_for_12_hours_expires(api: Api) -> None:
    user = await make_user("ann@example.com")
    api.use_session(await open_session(user))
    clock.advance(11 * 3600)
    assert (await api.gql(VIEWER)).status == 200  # use keeps it alive
    clock.advance(11 * 3600)
    assert (await api.gql(VIEWER)).status == 200
    clock.advance(12 * 3600 + 1)
    assert (await api.gql(VIEWER)).status == 401


async def test_a_session_ends_after_7_days_however_busy(api: Api) -> None:
    user = await make_user("ann@example.com")
    api.use_session(await open_session(user))
    for _ in range(15):
        clock.advance(11 * 3600)
        assert (await api.gql(VIEWER)).status == 200
    clock.advance(4 * 3600)  # 169 hours after signing in
    assert (await api.gql(VIEWER)).status == 401


async def test_repeated_wrong_passwords_are_throttled_with_retry_after(
    api: Api,
) -> None:
    await make_user("ann@example.com")
    for _ in range(5):
        await api.login("ann@example.com", "wrong password here")

    throttled = await api.login("ann@example.com", PASSWORD)

    assert throttled.error_codes == ["THROTTLED"]
    assert throttled.body["errors"][0]["extensions"]["retryAfter"] > 0
    unknown = [
        await api.login("ghost@example.com", "wrong password here") for _ in range(6)
    ]
    assert unknown[-1].error_codes == ["THROTTLED"]


async def test_a_document_may_hold_only_one_login(api: Api) -> None:
    await make_user("ann@example.com")
    double = """mutation {
      a: login(input: {email: "ann@example.com", password: "x"}) { viewer { id } }
      b: login(input: {email: "ann@example.com", password: "y"}) { viewer { id } }
    }"""
    response = await api.gql(double)
    assert response.status == 400
    assert response.error_codes == ["INVALID_INPUT"]


async def test_logout_everywhere_ends_every_session_of_the_user(api: Api) -> None:
    user = await make_user("ann@example.com")
    other = await open_session(user)
    api.use_session(await open_session(user))
    ended = await api.gql("mutation { logoutEverywhere { sessionsEnded } }")
    assert ended.data["logoutEverywhere"]["sessionsEnded"] == 2
    api.use_session(other)
    assert (await api.gql(VIEWER)).status == 401


async def test_users_list_only_their_own_live_sessions(api: Api) -> None:
    ann = await make_user("ann@example.com")
    bob = await make_user("bob@example.com")
    await open_session(bob)
    await open_session(ann)
    api.use_session(await open_session(ann))
    listed = await api.gql("{ sessions { totalCount edges { node { current } } } }")
    assert listed.data["sessions"]["totalCount"] == 2
    assert sorted(e["node"]["current"] for e in listed.data["sessions"]["edges"]) == [
        False,
        True,
    ]


async def test_a_cross_origin_cookie_request_is_refused(api: Api) -> None:
    api.use_session(await open_session(await make_user("ann@example.com")))
    refused = await api.gql(VIEWER, headers={"origin": "https://evil.example"})
    assert refused.status == 403 and refused.error_codes == ["FORBIDDEN"]
    same = await api.gql(VIEWER, headers={"origin": "http://testserver"})
    assert same.status == 200


async def test_a_cookie_request_must_be_json(api: Api) -> None:
    api.use_session(await open_session(await make_user("ann@example.com")))
    form = await api.http.post(
        "/graphql",
        content=b"query={viewer{id}}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415
