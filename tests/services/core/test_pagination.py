"""Keyset connections, exercised on users."""

from __future__ import annotations

import pytest

from server import db
from server.domain.core.errors import InvalidArguments
from server.services.core.pagination import PageRequest
from server.services.people import reads as users
from tests.helpers import make_user

pytestmark = pytest.mark.usefixtures("database")


async def names(
    request: PageRequest, order: str = "NAME", desc: bool = False
) -> list[str]:
    page = await users.list_users({}, order, desc, request)
    return [u.name for u in page.rows]


async def seed(count: int) -> None:
    for i in range(count):
        await make_user(f"u{i:03d}@example.com", name=f"User {i:03d}")


async def test_pages_follow_each_other_without_gaps_or_repeats() -> None:
    await seed(25)
    seen: list[str] = []
    after = None
    while True:
        page = await users.list_users(
            {}, "NAME", False, PageRequest(first=7, after=after)
        )
        seen += [u.name for u in page.rows]
        if not page.has_next:
            break
        after = page.cursors[-1]
    assert seen == [f"User {i:03d}" for i in range(25)]


async def test_a_cursor_stays_put_when_rows_are_inserted_before_it() -> None:
    await seed(10)
    first = await users.list_users({}, "NAME", False, PageRequest(first=5))
    await make_user("early@example.com", name="AAA inserted first")
    await make_user("mid@example.com", name="User 004b inserted between")

    second = await names(PageRequest(first=5, after=first.cursors[-1]))

    assert second[0] == "User 004b inserted between"
    assert second[1:] == ["User 005", "User 006", "User 007", "User 008"]


async def test_ties_on_the_sort_key_are_broken_by_the_primary_key() -> None:
    for i in range(6):
        await make_user(f"same{i}@example.com", name="Same Name")
    page_one = await users.list_users({}, "NAME", False, PageRequest(first=4))
    page_two = await users.list_users(
        {}, "NAME", False, PageRequest(first=4, after=page_one.cursors[-1])
    )
    ids = [u.id for u in page_one.rows + page_two.rows]
    assert ids == sorted(ids) and len(set(ids)) == 6


async def test_last_without_before_reads_the_end_of_the_index_only() -> None:
    await seed(30)
    with db.count_statements() as statements:
        page = await users.list_users({}, "NAME", False, PageRequest(last=3))
    assert [u.name for u in page.rows] == ["User 027", "User 028", "User 029"]
    assert page.has_previous and not page.has_next
    assert len(statements) == 1
    sql = statements[0].upper()
    assert "DESC" in sql and "LIMIT" in sql


async def test_backward_paging_mirrors_forward_paging() -> None:
    await seed(12)
    forward = await users.list_users({}, "CREATED_AT", True, PageRequest(first=12))
    middle = forward.cursors[8]
    before = await users.list_users(
        {}, "CREATED_AT", True, PageRequest(last=4, before=middle)
    )
    assert [u.id for u in before.rows] == [u.id for u in forward.rows[4:8]]
    assert before.has_previous and before.has_next


async def test_a_page_is_one_statement_and_the_count_one_more_when_asked() -> None:
    await seed(8)
    with db.count_statements() as statements:
        page = await users.list_users(
            {"team": ["SALES"]}, "NAME", False, PageRequest(first=3)
        )
    assert len(statements) == 1
    with db.count_statements() as statements:
        assert await page.count() == 8
    assert len(statements) == 1


@pytest.mark.parametrize(
    "request_",
    [
        PageRequest(first=0),
        PageRequest(first=101),
        PageRequest(last=-1),
        PageRequest(first=2, last=2),
    ],
)
async def test_page_sizes_outside_1_to_100_are_refused(request_: PageRequest) -> None:
    with pytest.raises(InvalidArguments):
        await users.list_users({}, "NAME", False, request_)


@pytest.mark.parametrize("cursor", ["5", "YXJyYXljb25uZWN0aW9uOjU=", "offset:20", ""])
async def test_offsets_and_forged_cursors_are_refused(cursor: str) -> None:
    await seed(3)
    with pytest.raises(InvalidArguments):
        await users.list_users({}, "NAME", False, PageRequest(first=2, after=cursor))


async def test_a_cursor_from_another_ordering_is_refused() -> None:
    await seed(3)
    by_name = await users.list_users({}, "NAME", False, PageRequest(first=2))
    with pytest.raises(InvalidArguments):
        await users.list_users(
            {}, "CREATED_AT", False, PageRequest(first=2, after=by_name.cursors[-1])
        )
