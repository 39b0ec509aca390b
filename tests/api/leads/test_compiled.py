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
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from schema.agreements.kinds import PERSONA_COLUMNS, PERSONA_VALUES
from schema.core import compiled
from schema.leads.types import LEAD_COLUMNS, LEAD_VALUES
from schema.people.users import USER_COLUMNS, USER_VALUES
from server import db
from server.executor import Executor
from server.models.agreements import Agreement
from server.models.feedback import LeadFeedback
from server.models.leads import Lead, LeadActivity, LeadExternalId, StageChange
from server.models.people import SavedFilter, User
from server.models.waterfall import FollowUp, Handoff, HandoffChain
from server.services.core import fetched, ids
from server.services.core.ratelimit import RateLimiter
from server.services.leads import store as lead_store
from server.services.people import auth
from server.services.people import reads as user_reads
from tests.client.test_operations import documents  # noqa: F401  (a fixture)
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
PERSONA_LEAVES = _names(
    "id name title status revision kind pending version contentHash proposedAt "
    "activatedAt retiredAt createdAt updatedAt __typename"
)
USER_LEAVES = _names(
    "id name email team role active timezone createdAt outOfOffice acceptsLeads "
    "version updatedAt roleGrantedAt credentialsIssuedAt __typename"
)
ACTIVITY_LEAVES = _names(
    "id kind occurredAt externalId source metadata recordedAt __typename"
)
HANDOFF_LEAVES = _names(
    "id status handedOffAt note overrideReason reassignCause decidedAt "
    "chainStartedAt acceptDueAt acceptAtRiskAt firstTouchDueAt firstTouchAtRiskAt "
    "autoAccepted firstTouchAt touchAttempts acceptBusinessHours "
    "firstTouchBusinessHours acceptStatus firstTouchStatus slaStatus slaRevision "
    "__typename"
)
FOLLOW_UP_LEAVES = _names(
    "id channel outcome occurredAt recordedAt countsAt note __typename"
)
FEEDBACK_LEAVES = _names(
    "id rating reasons comment createdAt updatedAt version __typename"
)
REJECTION = "rejection { reason comment disposition __typename }"
STATUSES = ["PENDING", "ACCEPTED", "REJECTED", "REASSIGNED", "WITHDRAWN"]
REASONS = ["NOT_A_FIT", "WRONG_PERSONA", "NO_BUDGET", "OTHER"]
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


people = st.integers(0, 7)  # an index into the seated users
maybe_people = st.none() | people
hours = st.none() | st.decimals(0, 500, places=6)


@st.composite
def handoff_rows(draw: st.DrawFn) -> dict[str, Any]:
    rejected = draw(st.booleans())
    return {
        "status": draw(st.sampled_from(STATUSES)),
        "handed_off_at": draw(instants),
        "note": draw(maybe_text),
        "override_reason": draw(maybe_text),
        "reassign_cause": draw(st.none() | st.sampled_from(["MANUAL", "TIMEOUT"])),
        "decided_at": draw(st.none() | instants),
        "from_user": draw(maybe_people),
        "assignee": draw(people),
        "decided_by": draw(maybe_people),
        "rejection_reason": draw(st.sampled_from(REASONS)) if rejected else None,
        "rejection_comment": draw(maybe_text),
        "disposition": draw(st.sampled_from(["RECYCLE", "DISQUALIFY", None])),
    }


@st.composite
def chain_rows(draw: st.DrawFn) -> dict[str, Any]:
    due = draw(st.none() | instants)
    return {
        "started_at": draw(instants),
        "sla_revision": draw(st.none() | st.integers(1, 3)),
        "accept_due_at": due,
        "accept_at_risk_at": due and due - timedelta(hours=1),
        "first_touch_due_at": due and due + timedelta(days=1),
        "first_touch_at_risk_at": due and due + timedelta(hours=20),
        "decision": draw(st.sampled_from([None, "ACCEPTED", "REJECTED"])),
        "decided_at": draw(st.none() | instants),
        "decision_business_hours": draw(hours),
        "auto_accepted": draw(st.booleans()),
        "withdrawn_at": draw(st.none() | instants),
        "first_touch_at": draw(st.none() | instants),
        "first_touch_business_hours": draw(hours),
        "touch_attempts": draw(st.integers(0, 3)),
        "handoffs": draw(st.lists(handoff_rows(), min_size=1, max_size=2)),
        "follow_ups": draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["CALL", "EMAIL", "OTHER"]),
                    st.sampled_from(["ATTEMPTED", "CONNECTED"]),
                    instants,
                    maybe_text,
                    maybe_people,
                ),
                max_size=2,
            )
        ),
    }


@st.composite
def lead_work(draw: st.DrawFn) -> dict[str, Any]:
    """What a lead has beyond its row: the waterfall's, feedback, history."""
    return {
        "chains": draw(st.lists(chain_rows(), max_size=2)),
        "feedback": draw(
            st.dictionaries(
                people,
                st.tuples(
                    st.integers(1, 5),
                    st.lists(st.sampled_from(REASONS), max_size=2),
                    maybe_text,
                    instants,
                ),
                max_size=2,
            )
        ),
        "history": draw(
            st.lists(
                st.tuples(
                    st.none() | st.sampled_from(STAGES),
                    st.sampled_from(STAGES),
                    instants,
                    st.sampled_from(["CREATED", "MOVE", "IMPORTED"]),
                    maybe_text,
                    maybe_people,
                ),
                max_size=3,
            )
        ),
        "external": draw(
            st.dictionaries(st.sampled_from(["crm", "erp", "ads"]), texts, max_size=2)
        ),
        "breakdown": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "label": texts,
                        "kind": st.sampled_from(["FIT", "ENGAGEMENT", "HAND_RAISE"]),
                        "points": st.decimals(-50, 50, places=2).map(str),
                        "detail": texts,
                    }
                ),
                max_size=3,
            )
        ),
    }


@st.composite
def lead_rows(draw: st.DrawFn) -> dict[str, Any]:
    scored = draw(st.none() | st.integers(1, 5))
    return {
        "work": draw(st.none() | lead_work()),
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


def fields(draw: st.DrawFn, names: list[str], prefix: str = "a") -> str:
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=8))
    parts = []
    for n, name in enumerate(chosen):
        alias = draw(st.sampled_from(["", f"{prefix}{n}: "])) if name != "id" else ""
        parts.append(alias + name)
    return " ".join(parts)


def person(draw: st.DrawFn, name: str, prefix: str = "a") -> str:
    if not draw(st.booleans()):
        return ""
    return f"{name} {{ {fields(draw, USER_LEAVES, prefix)} }}"


def handoff_selection(draw: st.DrawFn, lead: bool) -> str:
    parts = [fields(draw, HANDOFF_LEAVES)]
    parts += [person(draw, n) for n in ("fromUser", "assignee", "decidedBy")]
    if draw(st.booleans()):
        parts.append(REJECTION)
    if lead and draw(st.booleans()):
        parts.append(
            f"lead {{ {draw(lead_selections(activities=False, work=False))} }}"
        )
    return " ".join(parts)


def work_selection(draw: st.DrawFn) -> list[str]:
    """A lead's fields beyond its row, each drawn or not."""
    chosen = {
        "amountMoney": "amountMoney { amount currency __typename }",
        "scoreBreakdown": "scoreBreakdown { label kind points detail __typename }",
        "externalIds": "externalIds { system id }",
        "stageHistory": "stageHistory { from to at via reason "
        + person(draw, "actor")
        + " }",
        "handoffs": f"handoffs {{ {handoff_selection(draw, lead=False)} }}",
        "followUps": f"followUps {{ {fields(draw, FOLLOW_UP_LEAVES)} "
        + person(draw, "user")
        + " }",
        "feedback": f"feedback {{ {fields(draw, FEEDBACK_LEAVES)} "
        + person(draw, "user")
        + (f" {REJECTION}" if draw(st.booleans()) else "")
        + (" lead { id fullName }" if draw(st.booleans()) else "")
        + " }",
    }
    return [v for v in chosen.values() if draw(st.booleans())]


@st.composite
def lead_selections(draw: st.DrawFn, activities: bool, work: bool = True) -> str:
    parts = [fields(draw, LEAD_LEAVES)]
    if draw(st.booleans()):
        parts.append(f"persona {{ {fields(draw, PERSONA_LEAVES)} }}")
    if draw(st.booleans()):
        parts.append(f"owner {{ {fields(draw, USER_LEAVES)} }}")
    if work:
        parts += work_selection(draw)
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


def _example(strategy: st.SearchStrategy[Any]) -> Any:
    """A fixed value of a strategy (its simplest)."""
    from hypothesis import find

    return find(strategy, lambda _: True)


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

    async def same_for(
        self, session: str, document: str, variables: dict[str, Any]
    ) -> tuple[bytes, bool]:
        """`same`, for the holder of another session."""
        mine, self.session = self.session, session
        try:
            return await self.same(document, variables)
        finally:
            self.session = mine

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
        work = row.pop("work", None)
        lead = await Lead.create(
            email=f"{tag}{n}@example.com",
            persona_id=personas[n % len(personas)] if with_persona else None,
            owner_id=owners[n % len(owners)] if with_owner else None,
            score_breakdown=work["breakdown"] if work else [],
            **row,
        )
        if work:
            await _insert_work(lead.id, f"{tag}{n}", work, owners)
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


def _who(owners: list[int], index: int | None) -> int | None:
    return None if index is None else owners[index % len(owners)]


async def _insert_work(
    lead: int, tag: str, work: dict[str, Any], owners: list[int]
) -> None:
    for system, value in work["external"].items():
        await LeadExternalId.create(
            lead_id=lead, system=system, value=f"{tag}-{system}-{value}"
        )
    for before, after, at, via, reason, actor in work["history"]:
        await StageChange.create(
            lead_id=lead,
            from_stage=before,
            to_stage=after,
            at=at,
            via=via,
            reason=reason,
            actor_id=_who(owners, actor),
        )
    for user, (rating, reasons, comment, at) in work["feedback"].items():
        await LeadFeedback.create(
            lead_id=lead,
            user_id=_who(owners, user),
            rating=rating,
            reasons=reasons,
            comment=comment,
            created_at=at,
            updated_at=at,
        )
    chains = work["chains"]
    for c, raw in enumerate(chains):
        fields = dict(raw)
        handoffs, follow_ups = fields.pop("handoffs"), fields.pop("follow_ups")
        chain = await HandoffChain.create(lead_id=lead, **fields)
        for h, one in enumerate(handoffs):
            last = c == len(chains) - 1 and h == len(handoffs) - 1
            status = (
                one["status"] if last or one["status"] != "PENDING" else "REASSIGNED"
            )
            await Handoff.create(
                chain_id=chain.id,
                lead_id=lead,
                status=status,
                open_lead=lead if status == "PENDING" else None,
                handed_off_at=one["handed_off_at"],
                sort_due_at=chain.accept_due_at or one["handed_off_at"],
                note=one["note"],
                override_reason=one["override_reason"],
                reassign_cause=one["reassign_cause"],
                decided_at=one["decided_at"],
                from_user_id=_who(owners, one["from_user"]),
                assignee_id=_who(owners, one["assignee"]),
                decided_by_id=_who(owners, one["decided_by"]),
                rejection_reason=one["rejection_reason"],
                rejection_comment=one["rejection_comment"],
                disposition=one["disposition"],
            )
        for channel, outcome, at, note, user in follow_ups:
            await FollowUp.create(
                lead_id=lead,
                chain_id=chain.id,
                user_id=_who(owners, user),
                channel=channel,
                outcome=outcome,
                occurred_at=at,
                recorded_at=at,
                counts_at=at,
                note=note,
            )


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
    if 1 <= wanted["n"] <= 100 and b"QUERY_TOO_COMPLEX" not in body:
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
    body, used = await both.same(document, {"id": node_id})
    refused = b"QUERY_TOO_COMPLEX" in body
    if which != "user" and "... on User" not in document and not refused:
        assert used, "the compiled plan did not answer"


@st.composite
def root_requests(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    """A document over the other compiled roots, its variables, and who asks."""
    span = draw(st.sampled_from(["first", "last"]))
    handoff = handoff_selection(draw, lead=True)
    screen = draw(st.sampled_from(['"leads"', '"handoffs"', '""']))
    saved = fields(draw, _names("id screen name filter createdAt updatedAt"))
    roots = {
        "handoffs": (
            f"handoffs({span}: $n, filter: {{status: $status}},"
            " orderBy: {field: %s, direction: %s})"
            % (
                draw(st.sampled_from(["DUE", "CREATED_AT"])),
                draw(st.sampled_from(["ASC", "DESC"])),
            )
            + f" {{ {connection(draw, HANDOFF_LEAVES, handoff)} }}"
        ),
        "myQueue": (
            f"myQueue({span}: $n) {{ {connection(draw, HANDOFF_LEAVES, handoff)} }}"
        ),
        "users": (
            f"users({span}: $n, filter: {{active: true, team: [SALES, MARKETING]}})"
            f" {{ {connection(draw, USER_LEAVES)} }}"
        ),
        "personas": f"personas({span}: $n) {{ {connection(draw, PERSONA_LEAVES)} }}",
        "viewer": f"viewer {{ {fields(draw, USER_LEAVES)} }}",
        "savedFilters": f"savedFilters(screen: {screen}) {{ {saved} }}",
    }
    chosen = draw(st.lists(st.sampled_from(sorted(roots)), min_size=1, unique=True))
    body = " ".join(f"r{n}: {roots[name]}" for n, name in enumerate(chosen))
    variables: dict[str, Any] = {"n": draw(st.sampled_from([1, 3, 50, 0]))}
    declared = ["$n: Int"]
    if "handoffs" in chosen:
        declared.append("$status: [HandoffStatus!]")
        statuses = st.lists(st.sampled_from(STATUSES), max_size=2)
        variables["status"] = draw(st.none() | statuses)
    elif not set(chosen) - {"viewer", "savedFilters"}:  # no $n to declare
        declared, variables = [], {}
    head = f"({', '.join(declared)})" if declared else ""
    document = f"query Roots{head} {{ {body} }}"
    return document, variables, draw(st.sampled_from(["member", "rep", "sales"]))


@DIFF
@given(
    rows=st.lists(lead_rows(), max_size=3),
    request=root_requests(),
    filters=st.lists(
        st.tuples(
            people,
            st.sampled_from(["leads", "handoffs"]),
            st.dictionaries(texts, json_values, max_size=2),
        ),
        max_size=3,
    ),
)
async def test_handoffs_queues_people_and_personas_answer_alike(
    api: Api,
    app: Starlette,
    rows: list[dict[str, Any]],
    request: Any,
    filters: list[tuple[int, str, dict[str, Any]]],
) -> None:
    both, desk, personas, owners = await _world(api, app)
    await _insert(rows, personas, owners)
    for n, (who_saved, screen, criteria) in enumerate(filters):
        await SavedFilter.create(
            user_id=owners[who_saved],
            screen=screen,
            name=f"{next(_tags)}-{n}",
            criteria=criteria,
            created_at=BASE,
            updated_at=BASE,
        )
    document, variables, who = request
    body, used = await both.same_for(desk.sessions[who], document, variables)
    if variables.get("n", 1) and b"QUERY_TOO_COMPLEX" not in body:
        assert used, (document, body, who, compiled.fallbacks())


@st.composite
def waterfall_nodes(draw: st.DrawFn) -> str:
    """`node` for the waterfall's and feedback's types, each selection drawn."""
    follow_up = fields(draw, FOLLOW_UP_LEAVES, "f") + " " + person(draw, "user", "p")
    feedback = fields(draw, FEEDBACK_LEAVES, "b") + " " + person(draw, "user", "q")
    if draw(st.booleans()):
        feedback += f" bRejection: {REJECTION} lead {{ id email }}"
    return (
        "query Node($id: ID!) { node(id: $id) { id __typename"
        f" ... on Handoff {{ {handoff_selection(draw, lead=True)} }}"
        f" ... on FollowUp {{ {follow_up} }}"
        f" ... on LeadFeedback {{ {feedback} }} }} }}"
    )


@DIFF
@given(
    rows=st.lists(lead_rows(), min_size=1, max_size=2),
    document=waterfall_nodes(),
    which=st.sampled_from([Handoff, FollowUp, LeadFeedback]),
)
async def test_handoffs_follow_ups_and_feedback_by_node_answer_alike(
    api: Api, app: Starlette, rows: list[dict[str, Any]], document: str, which: Any
) -> None:
    both, _, personas, owners = await _world(api, app)
    await _insert(rows, personas, owners)
    found = await which.all().order_by("-id").first()
    key = found.id if found is not None else 10**9
    body, used = await both.same(document, {"id": ids.encode(which.__name__, key)})
    if b"QUERY_TOO_COMPLEX" not in body:
        assert used, (document, body, compiled.fallbacks())


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


def _lead_columns(statement: str) -> set[str]:
    head = statement.split(" FROM lead l", 1)[0]
    return set(re.findall(r"\bl\.(\w+)", head))


def _joined_columns(statement: str) -> dict[str, set[str]]:
    head = statement.split(" FROM lead l", 1)[0]
    found: dict[str, set[str]] = {}
    for column, name in re.findall(r"\bj\d\.(\w+) AS (\w+?)__", head):
        found.setdefault(name, set()).add(column)
    return found


async def test_the_bench_s_lead_list_selects_only_the_columns_it_reads(
    api: Api, app: Starlette
) -> None:
    """The page's statement holds the lead's columns its fields read (the id,
    the persona's and owner's keys, the score ordering's), not the lead's 40;
    the executor's page still reads every column."""
    from bench.lead_operations import LEAD_LIST

    both, _, personas, owners = await _world(api, app)
    await _insert(
        [
            {
                "first_name": "Zoë",
                "last_name": None,
                "company": "Ça",
                "stage": "MQL",
                "with_persona": True,
                "with_owner": True,
                "stage_entered_at": BASE,
                "cycle_started_at": BASE,
                "created_at": BASE,
                "updated_at": BASE,
                "activities": [],
            }
        ],
        personas,
        owners,
    )
    before = dict(compiled.fallbacks())
    with db.count_statements() as statements:
        body, used = await both.same(LEAD_LIST, {})
    assert used and compiled.fallbacks() == before, compiled.fallbacks()
    assert b"Zo\xc3\xab" in body
    pages = [s for s in statements if " FROM lead l " in s]
    compiled_page, executor_page = pages[0], pages[-1]
    assert len(pages) == 2, statements
    assert _lead_columns(compiled_page) == {
        "id", "first_name", "last_name", "company", "score", "scored_under",
        "stage", "persona_id", "owner_id",
    }  # fmt: skip
    assert _lead_columns(executor_page) == set(lead_store.COLUMNS)
    # the persona and owner it joins: only what `persona { name }` and
    # `owner { name email }` read (and the kind a persona's row is checked by)
    assert _joined_columns(compiled_page) == {
        "persona": {"id", "kind", "terms", "title"},
        "owner": {"id", "name", "email"},
    }


@pytest.fixture
def id_codec() -> Iterator[None]:
    """Global IDs without an app (the one configured, if any, restored)."""
    saved = dict(ids._state)
    ids.configure("a test key of thirty-two chars!!")
    yield
    ids._state.clear()
    ids._state.update(saved)


@given(first=st.none() | st.text(max_size=3), last=st.none() | st.text(max_size=3))
def test_a_full_name_is_the_names_given_joined_by_a_space(
    first: str | None, last: str | None
) -> None:
    full_name = LEAD_VALUES["full_name"]
    expected = " ".join(n for n in (first, last) if n)
    assert full_name({"first_name": first, "last_name": last}) == expected


@pytest.mark.usefixtures("id_codec")
def test_each_lead_field_reads_only_the_columns_declared_for_it() -> None:
    """`LEAD_COLUMNS` names every column a field of `LEAD_VALUES` reads: each
    field read from a row of only its columns answers as from the full row."""
    numbers = {"fit_score", "engagement_score", "raw_score", "amount"}
    full: dict[str, Any] = {c: "Ça" for c in lead_store.COLUMNS}
    full |= {c: Decimal("1.50") for c in numbers}
    full |= {"id": 7, "stage": "MQL", "grade": "A", "qualified_by": "MANUAL"}
    full |= {"products": ["x"], "scored_under": 2, "score": 40}
    assert set(LEAD_COLUMNS) == set(LEAD_VALUES)
    for name, read in LEAD_VALUES.items():
        only = {c: full[c] for c in LEAD_COLUMNS[name]}
        assert read(only) == read(full), name


@pytest.mark.parametrize(
    ("values", "columns", "full"),
    [
        (
            USER_VALUES,
            USER_COLUMNS,
            {
                **{c: "Ça" for c in user_reads.READ_COLUMNS},
                **{"id": 3, "team": "SALES", "role": "ADMIN", "version": 2},
            },
        ),
        (
            PERSONA_VALUES,
            PERSONA_COLUMNS,
            {
                **{c: "Ça" for c in Agreement._meta.fields_db_projection.values()},
                **{"id": 5, "kind": "PERSONA", "status": "ACTIVE", "revision": 1},
                **{"pending": "NONE", "terms": '{"name": "Ops"}', "version": 3},
            },
        ),
    ],
)
@pytest.mark.usefixtures("id_codec")
def test_persona_and_user_fields_read_only_the_columns_declared_for_them(
    values: dict[str, Any], columns: dict[str, tuple[str, ...]], full: dict[str, Any]
) -> None:
    """A persona or owner joined into a page is fetched with only the columns
    its selection reads: each field read from a row of only its columns
    answers as from the full row."""
    assert set(columns) == set(values)
    for name, read in values.items():
        only = fetched.Record({c: full[c] for c in columns[name]})
        assert read(only) == read(fetched.Record(full)), name


async def test_statements_of_the_client_s_lead_and_queue_reads_are_pinned(
    api: Api,
    app: Starlette,
    documents: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client's lead list, lead page and queue, compiled: one statement per
    relation over the whole page, whatever the page's size."""
    both, _, personas, owners = await _world(api, app)
    member = owners.index((await User.get(email="mel@example.com")).id)
    work = {
        "chains": [
            {
                **chain,
                "handoffs": [
                    {**handoff, "status": "PENDING", "assignee": member, "from_user": 0}
                ],
                "follow_ups": [("CALL", "CONNECTED", BASE, "ok", 0)],
            }
            for chain in [_example(chain_rows())]
            for handoff in [_example(handoff_rows())]
        ],
        "feedback": {1: (4, ["NO_BUDGET"], "fine", BASE)},
        "history": [(None, "MQL", BASE, "CREATED", None, 2)],
        "external": {"crm": "x"},
        "breakdown": [],
    }
    rows = [
        {**_example(lead_rows()), "stage": "MQL", "work": work, "with_owner": True}
        for _ in range(3)
    ]
    tag = await _insert(rows, personas, owners)
    first = await Lead.get(email=f"{tag}0@example.com")
    monkeypatch.setattr(auth.credentials, "seconds", 60.0)
    counts = {}
    for name, variables in (
        ("leads.LEADS", {"first": 50, "filter": {"search": tag}}),
        ("leads.LEAD_PAGE", {"id": ids.encode("Lead", first.id), "activities": 20}),
        ("waterfall.MY_QUEUE", {"first": 50}),
    ):
        await both.send(documents[name], variables)  # the credential is remembered
        before = compiled.answered()
        with db.count_statements() as statements:
            body = await both.send(documents[name], variables)
        assert compiled.answered() == before + 1, (name, body)
        counts[name] = len(statements)
    auth.credentials.clear()
    # the page (persona and owner joined) and its count, the handoffs (chains
    # joined), their assignees (the executor: 5, personas and owners apart)
    assert counts["leads.LEADS"] == 4, counts
    # the lead; its breakdown (the lead, the model in force); owner; external
    # ids; history and its actors; handoffs and their senders and assignees;
    # follow-ups and their users; feedback and its users; activities and their
    # count; the forms' users and personas. The executor: 16, as it loads the
    # users of all those fields at once (a later step for the compiled reads).
    assert counts["leads.LEAD_PAGE"] == 18, counts
    # the queue and its count, its senders, assignees and leads; the recent
    # handoffs (none here). The executor: 5.
    assert counts["waterfall.MY_QUEUE"] == 6, counts
