"""The content board on the compiled read path (`schema.content.compiled`)
answers exactly as the executor: random cards (dates, people, personas, votes,
unicode) and random selections, for people of different teams (what a viewer
may do and has voted for differ), byte-identical JSON."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from schema.core import compiled
from server import db
from server.domain.content.inputs import priority_rank
from server.domain.content.lifecycle import ContentStatus
from server.domain.content.timing import date_sort
from server.models.content import ContentRequest, ContentVote
from server.services.people import auth
from tests.api.leads.test_compiled import (
    BASE,
    DIFF,
    PERSONA_LEAVES,
    USER_LEAVES,
    _names,
    _world,
    connection,
    fields,
    instants,
    maybe_text,
    texts,
)
from tests.helpers import Api

CARD_LEAVES = _names(
    "id title description contentType leadStage priority requestedDueDate "
    "committedDueDate status votes commentCount rating declineReason deliveredAt "
    "createdAt updatedAt version viewerHasVoted viewerActions requestedDueState "
    "committedDueState __typename"
)
STATUSES = [s.value for s in ContentStatus]
TYPES = ["CASE_STUDY", "BATTLECARD", "VIDEO", "OTHER"]
days = st.none() | st.integers(-400, 400).map(lambda n: date.today() + timedelta(n))


@st.composite
def cards(draw: st.DrawFn) -> dict[str, Any]:
    requested, committed = draw(days), draw(days)
    return {
        "title": draw(texts.filter(bool)),
        "description": draw(texts),
        "content_type": draw(st.sampled_from(TYPES)),
        "lead_stage": draw(st.sampled_from([None, "MQL", "SQL"])),
        "priority": draw(st.sampled_from(["LOW", "MEDIUM", "HIGH", "URGENT"])),
        "requested_due_date": requested,
        "committed_due_date": committed,
        "status": draw(st.sampled_from(STATUSES)),
        "comments": draw(st.integers(0, 3)),
        "rating": draw(st.none() | st.integers(1, 5)),
        "decline_reason": draw(maybe_text),
        "delivered_at": draw(st.none() | instants),
        "created_at": draw(instants),
        "requester": draw(st.integers(0, 7)),
        "assignee": draw(st.none() | st.integers(0, 7)),
        "with_persona": draw(st.booleans()),
        "voters": draw(st.sets(st.integers(0, 7), max_size=3)),
    }


async def _insert_cards(
    rows: list[dict[str, Any]], personas: list[int], owners: list[int]
) -> None:
    for raw in rows:
        row = dict(raw)
        voters = row.pop("voters")
        requester, assignee = row.pop("requester"), row.pop("assignee")
        card = await ContentRequest.create(
            **{k: v for k, v in row.items() if k != "with_persona"},
            persona_id=personas[0] if row["with_persona"] else None,
            priority_rank=priority_rank(row["priority"]),
            due_sort=date_sort(row["committed_due_date"] or row["requested_due_date"]),
            requester_id=owners[requester % len(owners)],
            assignee_id=None if assignee is None else owners[assignee % len(owners)],
            votes=len(voters),
            updated_at=row["created_at"],
        )
        for voter in voters:
            await ContentVote.create(
                request_id=card.id, user_id=owners[voter % len(owners)], created_at=BASE
            )


@st.composite
def board_requests(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    card = fields(draw, CARD_LEAVES)
    for name in ("requester", "assignee"):
        if draw(st.booleans()):
            card += f" {name} {{ {fields(draw, USER_LEAVES)} }}"
    if draw(st.booleans()):
        card += f" persona {{ {fields(draw, PERSONA_LEAVES)} }}"
    order = draw(st.sampled_from(["DUE_DATE", "PRIORITY", "VOTES"]))
    span = draw(st.sampled_from(["first", "last"]))
    columns = " ".join(
        f"c{n}: contentRequests({span}: $n, orderBy: {order},"
        f" filter: {{statuses: [{status}], overdue: $overdue}})"
        f" {{ {connection(draw, CARD_LEAVES, card)} }}"
        for n, status in enumerate(
            draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3))
        )
    )
    counts = "counts: contentRequestCounts(filter: {overdue: $overdue})"
    counts += " { status count __typename }" if draw(st.booleans()) else " { count }"
    document = f"query Board($n: Int, $overdue: Boolean) {{ {counts} {columns} }}"
    variables = {
        "n": draw(st.sampled_from([1, 3, 50, 0])),
        "overdue": draw(st.sampled_from([None, True, False])),
    }
    return document, variables, draw(st.sampled_from(["member", "rep", "sales"]))


@DIFF
@given(rows=st.lists(cards(), max_size=4), request=board_requests())
async def test_the_content_board_answers_alike_on_both_paths(
    api: Api, app: Starlette, rows: list[dict[str, Any]], request: Any
) -> None:
    both, desk, personas, owners = await _world(api, app)
    await _insert_cards(rows, personas, owners)
    document, variables, who = request
    body, used = await both.same_for(desk.sessions[who], document, variables)
    if variables["n"] and b"QUERY_TOO_COMPLEX" not in body:
        assert used, (document, body, compiled.fallbacks())


async def test_statements_of_the_content_board_are_pinned(
    api: Api, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bench's board: the counts, and per column its page, the people,
    personas and the viewer's votes over the page's cards (as the executor)."""
    from bench.operations import OPERATIONS

    both, _, personas, owners = await _world(api, app)
    board = next(op for op in OPERATIONS if op.name == "contentBoard")
    fixed = {
        "title": "Çase",
        "description": "",
        "content_type": "VIDEO",
        "lead_stage": None,
        "priority": "HIGH",
        "requested_due_date": None,
        "committed_due_date": None,
        "status": "SUBMITTED",
        "comments": 0,
        "rating": None,
        "decline_reason": None,
        "delivered_at": None,
        "created_at": BASE,
        "requester": 0,
        "assignee": 1,
        "with_persona": True,
        "voters": {5},
    }
    await _insert_cards([fixed] * 3, personas, owners)
    monkeypatch.setattr(auth.credentials, "seconds", 60.0)
    await both.send(board.document, {})
    statements: dict[str, int] = {}
    for path in ("compiled", "executor"):
        both.executor.compiled = both.plans if path == "compiled" else None
        before = compiled.answered()
        with db.count_statements() as found:
            await both.send(board.document, {})
        statements[path] = len(found)
        assert (compiled.answered() > before) == (path == "compiled")
    both.executor.compiled = both.plans
    auth.credentials.clear()
    assert statements["compiled"] == statements["executor"], statements
