"""Session idle times and token use are remembered in memory, then written back."""

from __future__ import annotations

import pytest

from server.clock import clock
from server.models.people import ApiToken, Session
from server.services.people import auth
from tests.helpers import issue_token, make_user, open_session

pytestmark = pytest.mark.usefixtures("database")


async def test_activity_reaches_the_database_only_when_flushed() -> None:
    user = await make_user("ann@example.com")
    cookie = await open_session(user)
    token = await issue_token(user)
    signed_in_at = (await Session.get(user_id=user.id)).last_seen_at
    clock.advance(600)

    assert await auth.authenticate_session(cookie, "127.0.0.1", "r1") is not None
    assert await auth.authenticate_token(token, "127.0.0.1", "r2") is not None
    assert (await Session.get(user_id=user.id)).last_seen_at == signed_in_at
    assert (await ApiToken.get(user_id=user.id)).last_used_at is None

    assert await auth.touches.flush() == 2
    assert (await Session.get(user_id=user.id)).last_seen_at > signed_in_at
    assert (await ApiToken.get(user_id=user.id)).last_used_at is not None
    assert await auth.touches.flush() == 0
