"""Credentials remembered for a second (`auth.credentials`): no statement per
request for a known caller, and a revocation honoured at once on the worker that
ran it and within the second on any other (here: a change written straight
into the tables, as another worker's would be)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from server import db
from server.clock import clock
from server.models.people import ApiToken, User
from server.services.core import ids
from server.services.people import auth
from tests.helpers import Api, issue_token, make_user, open_session

VIEWER = "{ viewer { id } }"
REVOKE = """mutation($id: ID!) {
  revokeApiToken(input: {id: $id}) { apiToken { id } userErrors { code } }
}"""


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def later() -> Iterator[FakeTime]:
    fake = FakeTime()
    auth.credentials.seconds, auth.credentials.now = 1.0, fake
    auth.credentials.clear()
    yield fake
    auth.credentials.seconds = 0.0
    auth.credentials.now = time.monotonic
    auth.credentials.clear()


async def statements(api: Api, **kwargs: str) -> tuple[int, int]:
    with db.count_statements() as ran:
        r = await api.gql(VIEWER, **kwargs)  # type: ignore[arg-type]
    return r.status, len(ran)


async def test_a_known_token_costs_no_statement_and_a_revocation_holds_in_1_s(
    api: Api, later: FakeTime
) -> None:
    user = await make_user("tia@example.com")
    token = await issue_token(user)
    first = await statements(api, token=token)
    again = await statements(api, token=token)
    assert first[0] == again[0] == 200
    assert again[1] == first[1] - 1  # the credential check is the one saved
    await ApiToken.filter(user_id=user.id).update(revoked_at=clock.now())
    later.now += 0.5
    assert (await api.gql(VIEWER, token=token)).status == 200  # within the second
    later.now += 0.6
    assert (await api.gql(VIEWER, token=token)).status == 401


async def test_a_deactivated_user_is_refused_within_a_second(
    api: Api, later: FakeTime
) -> None:
    user = await make_user("una@example.com")
    api.use_session(await open_session(user))
    assert (await api.gql(VIEWER)).data["viewer"] is not None
    await User.filter(id=user.id).update(active=False)
    later.now += 1.0
    assert (await api.gql(VIEWER)).status == 401


async def test_revocations_on_this_worker_hold_at_once(
    api: Api, later: FakeTime
) -> None:
    user = await make_user("vic@example.com")
    api.use_session(await open_session(user))
    token = await issue_token(user)
    assert (await api.gql(VIEWER, token=token)).status == 200
    row = await ApiToken.get(user_id=user.id)
    done = await api.gql(REVOKE, {"id": ids.encode("ApiToken", row.id)})
    assert done.data["revokeApiToken"]["userErrors"] == []
    assert (await api.gql(VIEWER, token=token)).status == 401
    assert (await api.gql("mutation { logout { ok } }")).data["logout"]["ok"]
    assert (await api.gql(VIEWER)).status == 401


async def test_credentials_in_use_are_checked_together_and_stay_remembered(
    api: Api, later: FakeTime
) -> None:
    user = await make_user("wes@example.com")
    token = await issue_token(user)
    other = await issue_token(await make_user("xia@example.com"))
    api.use_session(await open_session(user))
    _, checking = await statements(api, token=token)
    _, remembered = await statements(api, token=token)
    assert remembered == checking - 1
    assert (await api.gql(VIEWER, token=other)).status == 200
    assert (await api.gql(VIEWER)).status == 200
    for _ in range(5):  # well past the second, refreshed every half second
        later.now += 0.5
        with db.count_statements() as ran:
            await auth.refresh_credentials()
        assert len(ran) == 2  # one per kind: both tokens in one statement
        assert await statements(api, token=token) == (200, remembered)
        assert await statements(api, token=other) == (200, remembered)
        with db.count_statements() as ran:
            assert (await api.gql(VIEWER)).status == 200
        assert not any("user_session" in s for s in ran)


async def test_a_refresh_forgets_a_revoked_credential_at_once(
    api: Api, later: FakeTime
) -> None:
    user = await make_user("yan@example.com")
    token = await issue_token(user)
    assert (await api.gql(VIEWER, token=token)).status == 200
    await ApiToken.filter(user_id=user.id).update(revoked_at=clock.now())
    later.now += 0.1
    await auth.refresh_credentials()
    assert (await api.gql(VIEWER, token=token)).status == 401


async def test_a_refresh_started_before_a_clear_changes_nothing(
    later: FakeTime,
) -> None:
    key = ("token", "digest")
    auth.credentials.put(key, {"id": 1})
    generation = auth.credentials.generation
    auth.credentials.clear()  # e.g. a mutation here revoked it meanwhile
    auth.credentials.refreshed([key], {key: {"id": 1}}, later.now, generation)
    assert auth.credentials.get(key) is None


async def test_credentials_not_asked_for_lately_are_not_refreshed(
    later: FakeTime,
) -> None:
    auth.credentials.put(("token", "a"), {"id": 1})
    later.now += 5
    auth.credentials.put(("token", "b"), {"id": 2})
    later.now += auth.credentials.IN_USE - 1
    assert auth.credentials.in_use() == [("token", "b")]
