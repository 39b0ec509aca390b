"""Concurrent requests on PostgreSQL never double-apply."""

from __future__ import annotations

import asyncio

import pytest

from server.models.core import AuditEntry
from server.models.people import User
from server.services.core import ids
from tests.helpers import Api, make_user, open_session

UPDATE = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { version } userErrors { code } }
}
"""


@pytest.mark.only_backend("postgres")
async def test_two_edits_with_the_same_version_leave_one_winner(
    api: Api, backend: str
) -> None:
    admin = await make_user("admin@example.com", "LEADERSHIP", "ADMIN")
    rep = await make_user("rep@example.com")
    api.use_session(await open_session(admin))
    gid = ids.encode("User", rep.id)

    for round_ in range(30):
        version = (await User.get(id=rep.id)).version
        answers = await asyncio.gather(
            *(
                api.gql(
                    UPDATE,
                    {
                        "input": {
                            "id": gid,
                            "expectedVersion": version,
                            "name": f"Name {round_}-{n}",
                        }
                    },
                )
                for n in range(2)
            )
        )
        results = [a.data["updateUser"] for a in answers]
        winners = [r for r in results if not r["userErrors"]]
        losers = [r for r in results if r["userErrors"]]
        assert len(winners) == 1, results
        assert losers[0]["userErrors"] == [{"code": "CONFLICT"}]
        assert (await User.get(id=rep.id)).version == version + 1
    assert await AuditEntry.filter(action="updateUser", outcome="OK").count() == 30
