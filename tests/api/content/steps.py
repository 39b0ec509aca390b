"""Steps for the content tests: a studio of sales and marketing people, and a
request brought to any status through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from server.clock import clock
from server.models import (
    AuditEntry,
    ContentAsset,
    ContentAssetRating,
    ContentComment,
    ContentHistory,
    ContentRequest,
    ContentVote,
    OutboxEvent,
)
from tests.agreement_steps import CREATE_PERSONA, PERSONA_INPUT
from tests.helpers import Api, make_user, open_session

REQUEST_FIELDS = """
  id title description contentType leadStage priority status version
  requestedDueDate committedDueDate votes commentCount rating declineReason
  deliveredAt viewerHasVoted viewerActions requestedDueState committedDueState
  persona { id } requester { name } assignee { name } ratedBy { name }
  deliverable { id title url contentType ratings { average count viewerRating } }
"""


def mutation(name: str, extra: str = "") -> str:
    type_name = name[0].upper() + name[1:]
    return f"""
mutation($input: {type_name}Input!) {{
  {name}(input: $input) {{
    contentRequest {{ {REQUEST_FIELDS} }}
    {extra}
    userErrors {{ code field message }}
  }}
}}"""


REQUEST = mutation("requestContent")
UPDATE = mutation("updateContentRequest")
TRIAGE = mutation("triageContentRequest")
MOVE = mutation("moveContentRequest")
DELIVER = mutation("deliverContentRequest", "asset { id title url }")
REOPEN = mutation("reopenContentRequest")
CANCEL = mutation("cancelContentRequest")
COMMENT = mutation("commentOnContentRequest", "comment { id body author { name } }")
VOTE = mutation("voteContentRequest")
RATE = mutation("rateContentRequest")
RATE_ASSET = """
mutation($input: RateContentAssetInput!) {
  rateContentAsset(input: $input) {
    asset { id ratings { average count viewerRating } }
    userErrors { code field message }
  }
}"""
DETAIL = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on ContentRequest {{
      {REQUEST_FIELDS}
      comments {{ body author {{ name }} }}
      voters {{ name }}
      history {{ action from to comment actor {{ name }} }}
    }}
  }}
}}"""
PEOPLE = {
    "rep": ("rey@example.com", "SALES", "MEMBER"),
    "rep2": ("ria@example.com", "SALES", "MEMBER"),
    "sales": ("sam@example.com", "SALES", "MANAGER"),
    "member": ("mel@example.com", "MARKETING", "MEMBER"),
    "marketing": ("mara@example.com", "MARKETING", "MANAGER"),
    "admin": ("ada@example.com", "MARKETING", "ADMIN"),
    "leader": ("lee@example.com", "LEADERSHIP", "MANAGER"),
}


def in_days(n: int) -> str:
    return (clock.now().date() + timedelta(days=n)).isoformat()


@dataclass
class Studio:
    """Who is signed in for each step, switched per call."""

    api: Api
    sessions: dict[str, str]
    ids: dict[str, str]

    @classmethod
    async def open(cls, api: Api) -> Studio:
        sessions, ids_ = {}, {}
        from server.services.core import ids

        for who, (email, team, role) in PEOPLE.items():
            user = await make_user(email, team, role, name=who.title())
            sessions[who] = await open_session(user)
            ids_[who] = ids.encode("User", user.id)
        return cls(api, sessions, ids_)

    async def send(self, who: str, document: str, input: dict[str, Any]) -> Any:
        self.api.use_session(self.sessions[who])
        return await self.api.gql(document, {"input": input})

    async def call(self, who: str, document: str, input: dict[str, Any]) -> Any:
        data = (await self.send(who, document, input)).data
        return next(iter(data.values()))

    async def ok(self, who: str, document: str, input: dict[str, Any]) -> Any:
        done = await self.call(who, document, input)
        assert done["userErrors"] == [], done
        return done

    async def query(self, who: str, document: str, **variables: Any) -> Any:
        self.api.use_session(self.sessions[who])
        return (await self.api.gql(document, variables or None)).data

    async def persona(self) -> str:
        made = await self.ok("marketing", CREATE_PERSONA, {"terms": PERSONA_INPUT})
        return str(made["persona"]["id"])

    async def ask(self, who: str = "rep", **extra: Any) -> dict[str, Any]:
        given = {
            "title": "Battlecard: us vs. Freightly",
            "contentType": "BATTLECARD",
            "priority": "HIGH",
            "description": "Reps lose to Freightly on price talk.",
            "requestedDueDate": in_days(10),
            **extra,
        }
        done = await self.ok(who, REQUEST, given)
        return done["contentRequest"]  # type: ignore[no-any-return]

    async def detail(self, request_id: str, who: str = "rep") -> dict[str, Any]:
        found = await self.query(who, DETAIL, id=request_id)
        return found["node"]  # type: ignore[no-any-return]

    async def in_status(
        self, status: str, who: str = "rep", **extra: Any
    ) -> dict[str, Any]:
        """A fresh request brought to ``status`` by the people allowed to."""
        made = await self.ask(who, **extra)
        rid = made["id"]
        path = PATHS[status]
        for who_, document, extra in path:
            given = {"requestId": rid, **extra}
            if extra.get("decision") == "ACCEPT":
                given.setdefault("committedDueDate", in_days(14))
            made = (await self.ok(who_, document, given))["contentRequest"]
        return made


PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}


def _paths() -> None:
    accept = ("member", TRIAGE, {"decision": "ACCEPT"})
    start = ("member", MOVE, {"to": "IN_PROGRESS"})
    review = ("member", MOVE, {"to": "IN_REVIEW"})
    deliver = (
        "member",
        DELIVER,
        {
            "asset": {
                "title": "Freightly battlecard",
                "url": "https://cdn.example.com/b.pdf",
            }
        },
    )
    PATHS.update(
        {
            "SUBMITTED": [],
            "ACCEPTED": [accept],
            "DECLINED": [
                ("member", TRIAGE, {"decision": "DECLINE", "reason": "Exists"})
            ],
            "IN_PROGRESS": [accept, start],
            "IN_REVIEW": [accept, start, review],
            "DELIVERED": [accept, start, review, deliver],
            "CANCELLED": [("rep", CANCEL, {})],
        }
    )


_paths()


def committed(days: int = 14) -> dict[str, Any]:
    return {"committedDueDate": in_days(days)}


async def snapshot() -> tuple[Any, ...]:
    """Every content row and the outbox, to show a refusal changed nothing."""
    return (
        await ContentRequest.all().order_by("id").values(),
        await ContentHistory.all().count(),
        await ContentComment.all().count(),
        await ContentVote.all().count(),
        await ContentAsset.all().order_by("id").values(),
        await ContentAssetRating.all().count(),
        await OutboxEvent.all().count(),
    )


async def refused(
    studio: Studio,
    who: str,
    document: str,
    input: dict[str, Any],
    code: str,
    field: list[str] | None = None,
) -> dict[str, Any]:
    """Assert the call answers exactly ``code`` (and ``field``), changed no
    content row, and was audited as refused; the payload."""
    before = await snapshot()
    audited = await AuditEntry.filter(outcome=code).count()
    done = await studio.call(who, document, input)
    assert [e["code"] for e in done["userErrors"]] == [code], done
    if field is not None:
        assert done["userErrors"][0]["field"] == field, done
    assert await snapshot() == before
    assert await AuditEntry.filter(outcome=code).count() == audited + 1
    return done  # type: ignore[no-any-return]


def today() -> date:
    return clock.now().date()
