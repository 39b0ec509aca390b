"""The demo company's content requests: a quarter of them in every state."""

from __future__ import annotations

from datetime import timedelta

from tortoise.context import TortoiseContext

from server.domain.content.lifecycle import ContentStatus
from server.domain.content.timing import DueState, judge, local_day
from server.models import (
    ContentAsset,
    ContentAssetRating,
    ContentComment,
    ContentHistory,
    ContentRequest,
    ContentVote,
)
from tests.services.demo.test_company import NOW, build, quick_hashing  # noqa: F401

TODAY = local_day(NOW, "UTC")


def _state(row: ContentRequest, due: object) -> DueState:
    delivered = local_day(row.delivered_at, "UTC") if row.delivered_at else None
    return judge(due, ContentStatus(row.status), delivered, TODAY)  # type: ignore[arg-type]


async def test_the_demo_has_content_requests_in_every_state(
    database: TortoiseContext,
) -> None:
    await build()
    rows = await ContentRequest.all()
    assert {r.status for r in rows} == {s.value for s in ContentStatus}
    created = [r.created_at for r in rows]
    assert NOW - timedelta(days=90) < min(created) < NOW - timedelta(days=75)
    states = [
        (_state(r, r.requested_due_date), _state(r, r.committed_due_date)) for r in rows
    ]
    late = {DueState.LATE, DueState.OVERDUE}
    assert any(req in late and com in late for req, com in states), "late vs both"
    assert any(req in late and com not in late for req, com in states), (
        "late against the requested date only"
    )
    assert any(com in late and req not in late for req, com in states), (
        "late against the committed date only"
    )
    assert any(com is DueState.DUE_THIS_WEEK for _, com in states)
    reopened = await ContentHistory.filter(action="REOPEN").values_list(
        "from_status", flat=True
    )
    assert sorted(reopened) == ["DECLINED", "DELIVERED"]
    assert await ContentVote.all().count() >= 10
    assert await ContentComment.all().count() >= 3
    assets = await ContentAsset.all()
    assert len(assets) >= 12
    assert sum(1 for a in assets if a.rating_count) >= 10
    assert await ContentAssetRating.all().count() >= 15
