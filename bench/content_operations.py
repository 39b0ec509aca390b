"""The content board (issue 19), asked of Accord as the web client asks it.

- ``contentBoard``: the board in one request — every status's count and the
  first 50 cards of each of six columns, with the viewer's votes (the target:
  p50 ≤ 40 ms on PostgreSQL, ≤ 60 ms on SQLite, at 2 connections);
- ``requestContent``: sales and marketing users asking for content, each
  request a new row, its history, audit entry and event (≥ 300 a second at 16
  connections). Its floor is the one INSERT a request is at the least.

Board cards are read by the requests' readers (the 200 READ tokens, which
spreads the rate limit's budget); requests are made by the 50 board users
with WRITE tokens (`bench.content_data`).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from bench.content_data import content_callers
from bench.datasets import Caller, Sizes
from bench.operation import Operation, Rows, Sample
from server.domain.content.lifecycle import ContentStatus
from server.services.core import ids

COLUMNS = ("SUBMITTED", "ACCEPTED", "IN_PROGRESS", "IN_REVIEW", "DELIVERED", "DECLINED")
CARDS = 50
CARD = (
    "id title contentType priority status votes commentCount viewerHasVoted "
    "requestedDueDate committedDueDate requester { name } assignee { name }"
)
BOARD = (
    "query ContentBoard {\n  counts: contentRequestCounts { status count }\n"
    + "".join(
        f"  {s.lower()}: contentRequests(first: {CARDS}, orderBy: DUE_DATE, "
        f"filter: {{statuses: [{s}]}}) {{\n"
        f"    edges {{ node {{ {CARD} }} }}\n    pageInfo {{ hasNextPage }}\n  }}\n"
        for s in COLUMNS
    )
    + "}\n"
)
COUNTS_SQL = "SELECT status, COUNT(*) AS n FROM content_request GROUP BY status"
COLUMN_SQL = (
    "SELECT r.id, r.title, r.content_type, r.priority, r.status, r.votes, "
    "r.comments, r.requested_due_date, r.committed_due_date, "
    "q.name AS requester_name, a.name AS assignee_name "
    "FROM content_request r JOIN app_user q ON q.id = r.requester_id "
    "LEFT JOIN app_user a ON a.id = r.assignee_id "
    "WHERE r.status = '{status}' ORDER BY r.due_sort, r.id LIMIT {limit}"
)
VOTES_SQL = "SELECT request_id FROM content_vote WHERE user_id = ?"
BOARD_SQL = (
    COUNTS_SQL,
    *(COLUMN_SQL.format(status=s, limit=CARDS + 1) for s in COLUMNS),
    VOTES_SQL,
)


def day(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def board_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    params = tuple(() for _ in COLUMNS)
    return [Sample(c, params=((), *params, (c.user_id,))) for c in callers]


def _card(row: dict[str, Any], voted: set[int]) -> dict[str, Any]:
    assignee = row["assignee_name"]
    return {
        "id": ids.encode("ContentRequest", row["id"]),
        "title": row["title"],
        "contentType": row["content_type"],
        "priority": row["priority"],
        "status": row["status"],
        "votes": row["votes"],
        "commentCount": row["comments"],
        "viewerHasVoted": row["id"] in voted,
        "requestedDueDate": day(row["requested_due_date"]),
        "committedDueDate": day(row["committed_due_date"]),
        "requester": {"name": row["requester_name"]},
        "assignee": {"name": assignee} if assignee is not None else None,
    }


def board_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    counts = {str(r["status"]): int(r["n"]) for r in rows[0]}
    voted = {int(r["request_id"]) for r in rows[-1]}
    data: dict[str, Any] = {
        "counts": [
            {"status": s.value, "count": counts.get(s.value, 0)} for s in ContentStatus
        ]
    }
    for status, found in zip(COLUMNS, rows[1:-1], strict=True):
        data[status.lower()] = {
            "edges": [{"node": _card(r, voted)} for r in found[:CARDS]],
            "pageInfo": {"hasNextPage": len(found) > CARDS},
        }
    return data


REQUEST = """
mutation RequestContent($input: RequestContentInput!) {
  requestContent(input: $input) {
    contentRequest { title contentType priority status requestedDueDate }
    userErrors { code field }
  }
}
"""
# The least a request is: one row.
REQUEST_SQL = (
    "INSERT INTO content_request (title, description, content_type, priority, "
    "priority_rank, due_sort, requester_id, status, votes, comments, created_at, "
    "updated_at, version) VALUES (?, '', ?, ?, ?, 99991231, ?, 'SUBMITTED', 0, 0, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1) "
    "RETURNING title, content_type, priority, status, requested_due_date",
)
REQUEST_SAMPLES = 4000
KINDS = ("BATTLECARD", "CASE_STUDY", "ONE_PAGER", "EMAIL_TEMPLATE", "VIDEO")
PRIORITIES = (("LOW", 1), ("MEDIUM", 2), ("HIGH", 3), ("URGENT", 4))


def request_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    """New requests by the board's users (WRITE tokens), deterministic."""
    writers = content_callers(sizes)
    pick = random.Random("bench-request-content")
    samples = []
    for n in range(REQUEST_SAMPLES):
        caller = writers[n % len(writers)]
        kind = pick.choice(KINDS)
        priority, rank = pick.choice(PRIORITIES)
        title = f"Bench request {n}: {kind.lower()} for deal {pick.randint(1, 999)}"
        given = {"title": title, "contentType": kind, "priority": priority}
        params = ((title, kind, priority, rank, caller.user_id),)
        samples.append(Sample(caller, {"input": given}, params))
    return samples


def request_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    (row,) = rows[0]
    return {
        "requestContent": {
            "contentRequest": {
                "title": row["title"],
                "contentType": row["content_type"],
                "priority": row["priority"],
                "status": row["status"],
                "requestedDueDate": day(row["requested_due_date"]),
            },
            "userErrors": [],
        }
    }


CONTENT_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="contentBoard",
        title="content board (counts and the first 50 cards of six columns)",
        document=BOARD,
        floor=BOARD_SQL,
        expected=board_expected,
        samples=board_samples,
    ),
    Operation(
        name="requestContent",
        title="requestContent (a new content request)",
        document=REQUEST,
        floor=REQUEST_SQL,
        expected=request_expected,
        samples=request_samples,
    ),
)
