"""The compiled read path (`schema.core.compiled`) answers exactly as the
executor: random selections over the covered types, on random data (nulls,
unicode, empty and last pages), byte-identical JSON, errors included.

Each example asks the same request twice of the same app: once with the
compiled plans, once with them switched off; the rate budget is reset before
each so ``extensions.cost`` is comparable, and the request id is fixed.
`make difftest` runs many more examples (``ACCORD_DIFF_EXAMPLES``).
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from schema.core import compiled
from server import db
from server.executor import Executor
from server.models.leads import Lead, LeadActivity
from server.models.people import User
from server.services.core import ids
from server.services.core.ratelimit import RateLimiter
from server.services.people import auth
from tests.helpers import Api, issue_token
from tests.lead_steps import Desk, seat

EXAMPLES = int(os.environ.get("ACCORD_DIFF_EXAMPLES", "15"))
_tags = itertools.count()


def _names(text: str) -> list[str]:
    return text.split()


LEAD_LEAVES = _names(
    "id email firstName lastName fullName company companySize industry jobTitle "
    "seniority country source campaign isCustomer products doNotContact "
    "personaSetByHand stage stageEnteredAt score fitScore engagementScore rawScore "
    "grade scoredUnder scoredAt qualified qualifiedAt qualifiedUnder qualifiedBy "
    "amount recurring sourceUpdatedAt version createdAt updatedAt __typename"
)
PERSONA_LEAVES = _names("id name title status revision __typename")
USER_LEAVES = _names("id name email team role active timezone createdAt __typename")
ACTIVITY_LEAVES = _names(
    "id kind occurredAt externalId source metadata recordedAt __typename"
)
STAGES = ["NEW", "NURTURING", "MQL", "SAL", "SQL", "WON", "LOST", "RECYCLED"]
KINDS = ["PAGE_VIEW", "PRICING_VIEW", "EMAIL_OPEN", "DEMO_REQUEST", "TRIAL_SIGNUP"]
BASE = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)

# Text that PostgreSQL stores (no NUL), unicode included.
texts = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=12,
)
maybe_text = st.none() | texts
instants = st.integers(0, 10**7).map(lambda s: BASE + timedelta(seconds=s))
decimals = st.none() | st.decimals(
    min_value=Decimal("-999"), max_value=Decimal("999"), places=3
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | texts,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def lead_rows(draw: st.DrawFn) -> dict[str, Any]:
    scored = draw(st.none() | st.integers(1, 5))
    return {
        "first_name": draw(maybe_text),
        "last_name": draw(maybe_text),
        "company": draw(maybe_text),
        "company_size": draw(st.none() | st.integers(0, 10**6)),
        "industry": draw(maybe_text),
        "job_title": draw(maybe_text),
        "country": draw(maybe_text),
        "is_customer": draw(st.booleans()),
        "products": draw(st.lists(texts, max_size=3)),
        "stage": draw(st.sampled_from(STAGES)),
        "stage_entered_at": draw(instants),
        "score": draw(st.integers(0, 3)) * 10,  # ties, so the id decides
        "scored_under": scored,
        "fit_score": draw(decimals),
        "raw_score": draw(decimals),
        "grade": draw(st.none() | st.sampled_from("ABCD")),
        "qualified": draw(st.booleans()),
        "qualified_by": draw(st.none() | st.sampled_from(["ACTIVITY", "MANUAL"])),
        "amount": draw(st.none() | st.decimals(0, 10**6, places=2)),
        "cycle_started_at": BASE,
        "created_at": draw(instants),
        "updated_at": draw(instants),
        "with_persona": draw(st.booleans()),
        "with_owner": draw(st.booleans()),
        "activities": draw(
            st.lists(
                st.tuples(
                    st.sampled_from(KINDS),
                    instants,
                    maybe_text,
                    maybe_text,
                    st.none() | st.dictionaries(texts, json_values, max_size=3),
                ),
                max_size=6,
            )
        ),
    }


def fields(draw: st.DrawFn, names: list[str]) -> str:
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=8))
    parts = []
    for n, name in enumerate(chosen):
        alias = draw(st.sampled_from(["", f"a{n}: "])) if name != "id" else ""
        parts.append(alias + name)
    return " ".join(parts)


@st.composite
def lead_selections(draw: st.DrawFn, activities: bool) -> str:
    parts = [fields(draw, LEAD_LEAVES)]
    if draw(st.booleans()):
        parts.append(f"persona {{ {fields(draw, PERSONA_LEAVES)} }}")
    if draw(st.booleans()):
        parts.append(f"owner {{ {fields(draw, USER_LEAVES)} }}")
    if activities and draw(st.booleans()):
        first = draw(st.sampled_from(["", "(first: 2)", "(first: 20)", "(last: 1)"]))
        parts.append(f"activities{first} {{ {connection(draw, ACTIVITY_LEAVES)} }}")
    return " ".join(parts)


def connection(draw: st.DrawFn, leaves: list[str], node: str | None = None) -> str:
    parts = [f"edges {{ {'cursor ' if draw(st.booleans()) else ''}node {{ "]
    parts[0] += (node or fields(draw, leaves)) + " } }"
    if draw(st.booleans()):
        parts.append(
            "pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }"
        )
    if draw(st.booleans()):
        parts.append("totalCount")
    if draw(st.booleans()):
        parts.insert(0, "__typename")
    return " ".join(parts)


@st.composite
def list_requests(draw: st.DrawFn) -> tuple[str, dict[str, Any], bool]:
    """A `leads` document, its variables, and whether to page on to the end."""
    node = draw(lead_selections(activities=False))
    size = draw(st.sampled_from([1, 2, 3, 50, 0, 101]))  # 0 and 101 are refused
    order = draw(st.sampled_from(["SCORE", "CREATED_AT", "UPDATED_AT", "NAME"]))
    direction = draw(st.sampled_from(["ASC", "DESC"]))
    backward = draw(st.booleans())
    span = "last" if backward else "first"
    document = (
        f"query Page($n: Int, $after: String, $before: String, $f: LeadFilter) {{"
        f" leads({span}: $n, after: $after, before: $before, filter: $f,"
        f" orderBy: {{field: {order}, direction: {direction}}})"
        f" {{ {connection(draw, LEAD_LEAVES, node)} pageInfo {{ endCursor startCursor"
        " hasNextPage hasPreviousPage } } }"
    )
    stages = draw(st.none() | st.lists(st.sampled_from(STAGES), max_size=2))
    return document, {"n": size, "stages": stages}, backward


@st.composite
def detail_requests(draw: st.DrawFn) -> str:
    node = draw(lead_selections(activities=True))
    extra = draw(st.sampled_from(["", " __typename", " ... on User { name }"]))
    return (
        "query Detail($id: ID!) { node(id: $id) {"
        f" ... on Lead {{ {node} }}{extra} }} }}"
    )


def executor_of(app: Starlette) -> Executor:
    for route in app.routes:
        endpoint = getattr(route, "endpoint", None)
        found = getattr(getattr(endpoint, "__self__", None), "executor", None)
        if isinstance(found, Executor):
            return found
    raise AssertionError("no executor")


class Both:
    """Sends a request through both paths and compares the raw bodies."""

    def __init__(self, api: Api, app: Starlette, session: str) -> None:
        self.api, self.executor, self.session = api, executor_of(app), session
        self.plans = self.executor.compiled

    async def send(self, document: str, variables: dict[str, Any]) -> bytes:
        self.executor.rates = RateLimiter(
            self.executor.settings.limits.rate_limit_per_minute
        )
        self.api.use_session(self.session)
        r = await self.api.http.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"x-request-id": "difftest-0001"},
        )
        return r.status_code.to_bytes(2, "big") + r.content

    async def same(
        self, document: str, variables: dict[str, Any]
    ) -> tuple[bytes, bool]:
        """The body (the same on both paths) and whether the plan answered it."""
        before = compiled.answered()
        self.executor.compiled = self.plans
        fast = await self.send(document, variables)
        used = compiled.answered() > before
        self.executor.compiled = None
        slow = await self.send(document, variables)
        self.executor.compiled = self.plans
        assert fast == slow, (document, variables)
        return fast, used


async def _world(api: Api, app: Starlette) -> tuple[Both, Desk, list[int], list[int]]:
    found = getattr(api, "compiled_world", None)
    if found is None:
        desk = await seat(api)
        persona = ids.decode(await desk.activate_persona(), "Persona")
        owners = [u.id for u in await User.all().order_by("id")]
        found = (Both(api, app, desk.sessions["member"]), desk, [persona], owners)
        setattr(api, "compiled_world", found)  # noqa: B010
    return found


async def _insert(
    rows: list[dict[str, Any]], personas: list[int], owners: list[int]
) -> str:
    tag = f"t{next(_tags)}x"
    for n, raw in enumerate(rows):
        row = dict(raw)
        activities = row.pop("activities")
        with_persona, with_owner = row.pop("with_persona"), row.pop("with_owner")
        lead = await Lead.create(
            email=f"{tag}{n}@example.com",
            persona_id=personas[n % len(personas)] if with_persona else None,
            owner_id=owners[n % len(owners)] if with_owner else None,
            **row,
        )
        for m, (kind, at, external, source, metadata) in enumerate(activities):
            await LeadActivity.create(
                lead_id=lead.id,
                kind=kind,
                occurred_at=at,
                dedupe_key=f"{tag}-{n}-{m}",
                external_id=external,
                source=source,
                metadata=metadata,
                recorded_at=at,
            )
    return tag


DIFF = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@DIFF
@given(
    rows=st.lists(lead_rows(), max_size=5),
    request=list_requests(),
)
async def test_lead_pages_answer_alike_on_both_paths(
    api: Api, app: Starlette, rows: list[dict[str, Any]], request: Any
) -> None:
    both, _, personas, owners = await _world(api, app)
    tag = await _insert(rows, personas, owners)
    document, wanted, backward = request
    variables: dict[str, Any] = {"n": wanted["n"], "f": {"search": tag}}
    if wanted["stages"] is not None:
        variables["f"]["stages"] = wanted["stages"]
    answered = 0
    for _ in range(len(rows) + 2):  # page on until the last page
        body, used = await both.same(document, variables)
        answered += used
        page = orjson.loads(body[2:])
        info = ((page.get("data") or {}).get("leads") or {}).get("pageInfo")
        if not info:
            break
        more = info["hasPreviousPage"] if backward else info["hasNextPage"]
        if not more:
            break
        variables["before" if backward else "after"] = (
            info["startCursor"] if backward else info["endCursor"]
        )
    if 1 <= wanted["n"] <= 100:
        assert answered, "the compiled plan answered no page"


@DIFF
@given(
    rows=st.lists(lead_rows(), min_size=1, max_size=3),
    document=detail_requests(),
    which=st.sampled_from(["lead", "missing", "garbage", "user"]),
)
async def test_lead_details_answer_alike_on_both_paths(
    api: Api, app: Starlette, rows: list[dict[str, Any]], document: str, which: str
) -> None:
    both, _, personas, owners = await _world(api, app)
    tag = await _insert(rows, personas, owners)
    first = await Lead.get(email=f"{tag}0@example.com")
    node_id = {
        "lead": ids.encode("Lead", first.id),
        "missing": ids.encode("Lead", 10**9),
        "garbage": "not-an-id",
        "user": ids.encode("User", owners[0]),
    }[which]
    _, used = await both.same(document, {"id": node_id})
    if which != "user" and "... on User" not in document:
        assert used, "the compiled plan did not answer"


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        ({"n": 0}, "leads refused"),
        ({"n": "x"}, "variables refused"),
    ],
)
async def test_refusals_fall_back_and_answer_alike(
    api: Api, app: Starlette, variables: dict[str, Any], reason: str
) -> None:
    both, *_ = await _world(api, app)
    document = "query P($n: Int) { leads(first: $n) { edges { node { id } } } }"
    before = compiled.fallbacks()
    body, used = await both.same(document, variables)
    assert not used and b'"errors"' in body
    assert sum(compiled.fallbacks().values()) > sum(before.values())


async def test_a_caller_without_the_read_scope_gets_the_executor_s_refusal(
    api: Api, app: Starlette
) -> None:
    """An INGEST token may not read leads: the plan falls back at its first
    permission and both paths answer the same FORBIDDEN, path included."""
    from bench.lead_operations import LEAD_DETAIL, LEAD_LIST

    both, _, _, owners = await _world(api, app)
    token = await issue_token(await User.get(id=owners[0]), "INGEST")
    for document, variables in (
        (LEAD_LIST, {}),
        (LEAD_DETAIL, {"id": ids.encode("Lead", 1)}),
    ):
        bodies = []
        for plans in (both.plans, None):
            both.executor.compiled = plans
            both.executor.rates = RateLimiter(10_000)
            r = await api.http.post(
                "/graphql",
                json={"query": document, "variables": variables},
                headers={
                    "authorization": f"Bearer {token}",
                    "x-request-id": "difftest-0002",
                },
            )
            bodies.append(r.content)
        both.executor.compiled = both.plans
        assert bodies[0] == bodies[1]
        assert b"FORBIDDEN" in bodies[0]


async def test_statements_of_the_bench_reads_are_pinned(
    api: Api, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lead list: one statement, personas and owners joined. The detail: the
    lead, its activities. Nothing else (authentication included) once the
    caller's credential is known."""
    from bench.lead_operations import LEAD_DETAIL, LEAD_LIST

    both, _, personas, owners = await _world(api, app)
    rows = [
        {**r, "stage": "MQL", "with_persona": True, "with_owner": True}
        for r in [
            {
                "first_name": "Zoë",
                "last_name": None,
                "company": "Ça",
                "stage_entered_at": BASE,
                "cycle_started_at": BASE,
                "created_at": BASE,
                "updated_at": BASE,
                "activities": [("PAGE_VIEW", BASE, None, None, {"a": "b"})] * 3,
            }
        ]
        * 3
    ]
    tag = await _insert(rows, personas, owners)
    first = await Lead.get(email=f"{tag}0@example.com")
    monkeypatch.setattr(auth.credentials, "seconds", 60.0)  # as served: 1 s
    await both.send(LEAD_LIST, {})  # the credential is remembered from here on
    with db.count_statements() as listed:
        await both.send(LEAD_LIST, {})
    with db.count_statements() as detailed:
        body = await both.send(LEAD_DETAIL, {"id": ids.encode("Lead", first.id)})
    assert b"Zo\xc3\xab" in body
    assert len(listed) == 1, listed
    assert len(detailed) == 2, detailed
    auth.credentials.clear()
