"""Content's tables for merging and erasure (`leads.holdings`): none holds a
lead key, and their text is about requests and assets for personas and stages,
never about one lead."""

from __future__ import annotations

from server.services.leads.holdings import TableData

_WHY = "requests and assets are for personas and stages, not about one lead"
HOLDINGS = (
    TableData(
        "content_asset",
        other=("title", "url", "content_type", "persona_keys", "lead_stage_keys"),
        why=_WHY,
    ),
    TableData("content_comment", other=("body",), why=_WHY),
    TableData(
        "content_history",
        other=("action", "from_status", "to_status", "comment"),
        why=_WHY,
    ),
    TableData(
        "content_request",
        other=(
            "title",
            "description",
            "content_type",
            "lead_stage",
            "priority",
            "status",
            "decline_reason",
        ),
        why=_WHY,
    ),
)
