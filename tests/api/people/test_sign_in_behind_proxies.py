"""Who the client is behind proxies (ACCORD_TRUSTED_PROXIES), and a per-address
login throttle that never locks out a user whose own account is clean."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

import pytest
from tortoise.context import TortoiseContext

from server.app import create_app
from server.models import Session
from server.settings import Settings, load_settings
from tests.helpers import LOGIN, PASSWORD, TEST_SECRET, Api, make_user

MakeApi = Callable[..., AbstractAsyncContextManager[Api]]


@pytest.fixture
def api_trusting(settings: Settings, database: TortoiseContext) -> MakeApi:
    """An app that trusts the given proxies (the test client is 127.0.0.1)."""

    @asynccontextmanager
    async def build(*proxies: str) -> AsyncIterator[Api]:
        networks = tuple(ipaddress.ip_network(p) for p in proxies)
        app = create_app(
            replace(settings, trusted_proxies=networks), manage_database=False
        )
        async with app.router.lifespan_context(app), Api.for_app(app) as client:
            yield client

    return build


async def signed_in_from(api: Api, headers: dict[str, str]) -> str:
    variables = {"input": {"email": "ann@example.com", "password": PASSWORD}}
    answer = await api.gql(LOGIN, variables, headers=headers)
    assert answer.data["login"]["viewer"], answer.body
    session = await Session.all().order_by("-id").first()
    assert session is not None
    return str(session.client_address)


@pytest.mark.parametrize(
    ("proxies", "headers", "client"),
    [
        ((), {"x-forwarded-for": "203.0.113.7"}, "127.0.0.1"),
        ((), {"forwarded": "for=203.0.113.7"}, "127.0.0.1"),
        (("127.0.0.1/32",), {"x-forwarded-for": "203.0.113.7"}, "203.0.113.7"),
        (
            ("127.0.0.1", "10.0.0.0/8"),
            {"x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.1.2.3"},
            "203.0.113.7",
        ),
        (
            ("127.0.0.0/8",),
            {"forwarded": 'for="[2001:db8::1]:4711";proto=https, for=127.0.0.2'},
            "2001:db8::1",
        ),
        (("10.0.0.0/8",), {"x-forwarded-for": "203.0.113.7"}, "127.0.0.1"),
        (("127.0.0.1",), {"x-forwarded-for": "not-an-address"}, "127.0.0.1"),
    ],
)
async def test_forwarded_headers_name_the_client_only_behind_trusted_proxies(
    api_trusting: MakeApi,
    proxies: tuple[str, ...],
    headers: dict[str, str],
    client: str,
) -> None:
    await make_user("ann@example.com")
    async with api_trusting(*proxies) as api:
        assert await signed_in_from(api, headers) == client


def test_trusted_proxies_are_read_from_the_environment() -> None:
    base = {"ACCORD_SECRET_KEY": TEST_SECRET}
    read = load_settings({**base, "ACCORD_TRUSTED_PROXIES": "10.0.0.1, fd00::/8"})
    assert [str(n) for n in read.trusted_proxies] == ["10.0.0.1/32", "fd00::/8"]
    assert load_settings(base).trusted_proxies == ()
    with pytest.raises(ValueError, match="ACCORD_TRUSTED_PROXIES"):
        load_settings({**base, "ACCORD_TRUSTED_PROXIES": "10.0.0.300"})


async def test_thirty_failures_from_one_address_do_not_lock_out_a_clean_account(
    api: Api,
) -> None:
    await make_user("ann@example.com")
    await make_user("mal@example.com")
    for i in range(30):
        await api.login(f"ghost{i}@example.com", "wrong password here")
    assert (await api.login("ghost99@example.com", "wrong")).status == 200

    ann = await api.login("ann@example.com", PASSWORD)
    assert ann.data["login"]["viewer"]["name"] == "Ann"

    first = await api.login("mal@example.com", "wrong password here")
    assert first.status == 200 and first.error_codes == []
    second = await api.login("mal@example.com", PASSWORD)
    assert second.status == 429 and second.error_codes == ["THROTTLED"]
    assert int(second.headers["retry-after"]) >= 1


async def test_the_login_throttle_answers_429_with_retry_after(api: Api) -> None:
    await make_user("ann@example.com")
    for _ in range(5):
        await api.login("ann@example.com", "wrong password here")
    throttled = await api.login("ann@example.com", PASSWORD)
    assert throttled.status == 429 and throttled.error_codes == ["THROTTLED"]
    retry = throttled.body["errors"][0]["extensions"]["retryAfter"]
    assert throttled.headers["retry-after"] == str(retry)
