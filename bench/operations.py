"""The benchmarked operations, in one registry.

Each operation declares:
- its GraphQL document (and per-request variables, through its samples);
- ``floor``: the raw SQL that fetches the same rows; the floor measurement runs
  exactly these statements (and serialises the rows with orjson);
- ``expected``: how the rows of those statements become the GraphQL ``data`` the
  server must answer; the harness compares the two before it times anything;
- ``samples``: the concrete requests the load cycles through (which caller, which
  variables, which floor parameters), so one operation can spread over many users
  or many rows;
- ``peer_equivalent``: the peers' query it is compared with ("Q1" lead list, "Q2"
  lead detail, "Q3" funnel), or None.

Later issues add theirs to `OPERATIONS` together with the datasets they read;
the peers' three queries are in `bench.lead_operations`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from bench.content_operations import CONTENT_OPERATIONS
from bench.datasets import Caller, Sizes
from bench.lead_operations import LEAD_OPERATIONS
from bench.metrics_operations import METRICS_OPERATIONS
from bench.operation import Operation, Rows, Sample
from server.services.core import ids
from server.services.core.pagination import Ordering, make_cursor


def user_id(key: int) -> str:
    return ids.encode("User", key)


def one_per_caller(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    """The same request from every seeded token, spreading the per-user budget."""
    return [Sample(c) for c in callers]


# viewer: who am I. Authentication plus one row by primary key.
VIEWER = """
query Viewer {
  viewer { id name email team role }
}
"""


def viewer_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    return [Sample(c, params=((c.user_id,),)) for c in callers]


def viewer_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    (user,) = rows[0]
    return {"viewer": {**user, "id": user_id(user["id"])}}


# users: the first page of 50 people by name, as the admin screen shows it.
USERS_PAGE_SIZE = 50
USERS_PAGE = """
query UsersPage {
  users(first: 50, orderBy: {field: NAME, direction: ASC}) {
    totalCount
    edges { cursor node { id name email team role active } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
USERS_BY_NAME = Ordering("NAME:A", (("name", False),))


def users_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    page, (count,) = rows[0][:USERS_PAGE_SIZE], rows[1]
    edges = [
        {
            "cursor": _name_cursor(row),
            "node": {**row, "id": user_id(row["id"]), "active": bool(row["active"])},
        }
        for row in page
    ]
    return {
        "users": {
            "totalCount": count["total"],
            "edges": edges,
            "pageInfo": {
                "hasNextPage": len(rows[0]) > USERS_PAGE_SIZE,
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }
    }


def _name_cursor(row: dict[str, Any]) -> str:
    # The server's cursor is sealed from the sort values and the key; build the
    # same one from the raw row so the check covers cursors too.
    stand_in = SimpleNamespace(name=row["name"], pk=row["id"])
    return make_cursor(USERS_BY_NAME, cast(Any, stand_in))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="viewer",
        title="viewer (the caller's own user)",
        document=VIEWER,
        floor=("SELECT id, name, email, team, role FROM app_user WHERE id = ?",),
        expected=viewer_expected,
        samples=viewer_samples,
    ),
    Operation(
        name="users",
        title="users page (first 50 by name, with totalCount)",
        document=USERS_PAGE,
        floor=(
            "SELECT id, name, email, team, role, active FROM app_user "
            f"ORDER BY name, id LIMIT {USERS_PAGE_SIZE + 1}",
            "SELECT count(*) AS total FROM app_user",
        ),
        expected=users_expected,
        samples=one_per_caller,
    ),
    *LEAD_OPERATIONS,
    *CONTENT_OPERATIONS,
    *METRICS_OPERATIONS,
)


def by_name(names: list[str] | None) -> list[Operation]:
    if not names:
        return list(OPERATIONS)
    known = {op.name: op for op in OPERATIONS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown operation(s) {unknown}; known: {list(known)}")
    return [known[n] for n in names]
