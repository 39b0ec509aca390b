"""NUL characters, far dates and non-finite numbers are refused as field errors on
both databases alike, one row at a time in bulk calls (`server.domain.core.inputs`)."""

from __future__ import annotations

from typing import Any

import pytest

from server.models import Lead, LeadActivity
from tests.agreement_steps import CREATE_GOAL, CREATE_SLA, GOAL_INPUT, sla_input
from tests.helpers import Api, make_user
from tests.lead_steps import LIST, Desk, ago, seat, well_fitting

NUL = "\u0000"
BY_EMAIL = "query($e: String!) { leadByEmail(email: $e) { id } }"


def row_errors(done: dict[str, Any]) -> list[list[tuple[str, list[str]]]]:
    return [[(e["code"], e["field"]) for e in r["userErrors"]] for r in done["results"]]


async def test_a_nul_in_one_upsert_row_fails_that_row_and_stores_the_others(
    api: Api,
) -> None:
    desk = await seat(api)
    done = await desk.upsert(
        [
            well_fitting("one@example.com"),
            well_fitting("two@example.com", company=f"Bad{NUL}Co"),
            well_fitting(f"th{NUL}ree@example.com"),
            {"externalIds": [{"system": "crm", "id": f"7{NUL}"}]},
            well_fitting("five@example.com"),
        ]
    )
    assert [r["outcome"] for r in done["results"]] == [
        "CREATED",
        "FAILED",
        "FAILED",
        "FAILED",
        "CREATED",
    ]
    assert row_errors(done)[1:4] == [
        [("INVALID_INPUT", ["leads", "1", "company"])],
        [("INVALID_INPUT", ["leads", "2", "email"])],
        [("INVALID_INPUT", ["leads", "3", "externalIds", "0", "id"])],
    ]
    emails = sorted(await Lead.all().values_list("email", flat=True))
    assert emails == ["five@example.com", "one@example.com"]


async def test_a_nul_in_activity_metadata_keys_or_values_fails_only_its_row(
    api: Api,
) -> None:
    desk = await seat(api)
    await desk.upsert([well_fitting("ana@example.com")])

    def visit(**extra: Any) -> dict[str, Any]:
        return {
            "leadEmail": "ana@example.com",
            "kind": "PAGE_VIEW",
            "occurredAt": ago(1),
            **extra,
        }

    done = await desk.record(
        [
            visit(metadata={"page": {"deep": [f"x{NUL}"]}}),
            visit(metadata={f"k{NUL}": 1}),
            visit(source=f"web{NUL}"),
            visit(leadEmail=f"ana{NUL}@example.com"),
            visit(externalId="fine"),
        ]
    )
    assert row_errors(done) == [
        [("INVALID_INPUT", ["activities", "0", "metadata", "page", "deep", "0"])],
        [("INVALID_INPUT", ["activities", "1", "metadata", f"k{NUL}"])],
        [("INVALID_INPUT", ["activities", "2", "source"])],
        [("INVALID_INPUT", ["activities", "3", "leadEmail"])],
        [],
    ]
    assert await LeadActivity.all().count() == 1


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"title": f"Pipe{NUL}line"}, ["terms", "title"]),
        ({"unit": f"m{NUL}"}, ["terms", "unit"]),
        ({"periodStart": "0999-12-31"}, ["terms", "periodStart"]),
        ({"periodEnd": "10000-01-01"}, None),
    ],
)
async def test_goal_terms_with_a_nul_or_a_far_date_are_field_errors(
    api: Api, terms: dict[str, Any], field: list[str] | None
) -> None:
    desk = await seat(api)
    answer = await desk.send(
        "marketing", CREATE_GOAL, {"terms": {**GOAL_INPUT, **terms}}
    )
    if field is None:  # not a Date at all: the variable cannot be read
        assert answer.error_codes == ["INVALID_INPUT"]
        return
    made = answer.data["createGoal"]
    assert [(e["code"], e["field"]) for e in made["userErrors"]] == [
        ("INVALID_INPUT", field)
    ]


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"effectiveFrom": "0999-06-01T00:00:00+00:00"}, ["effectiveFrom"]),
        ({"effectiveFrom": "1000-01-01T00:30:00+01:00"}, ["effectiveFrom"]),
        ({"effectiveUntil": "9999-12-31T23:00:00-05:00"}, ["effectiveUntil"]),
        (
            {
                "businessCalendar": {
                    **sla_input()["businessCalendar"],
                    "holidays": ["0999-12-25"],
                }
            },
            ["businessCalendar", "holidays", "0"],
        ),
        (
            {
                "businessCalendar": {
                    **sla_input()["businessCalendar"],
                    "timezone": f"UTC{NUL}",
                }
            },
            ["businessCalendar", "timezone"],
        ),
    ],
)
async def test_sla_terms_outside_years_1000_to_9999_are_field_errors(
    api: Api, terms: dict[str, Any], field: list[str]
) -> None:
    desk = await seat(api)
    made = await desk.call("marketing", CREATE_SLA, {"terms": sla_input(**terms)})
    assert [(e["code"], e["field"]) for e in made["userErrors"]] == [
        ("INVALID_INPUT", ["terms", *field])
    ]


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (LIST, {"filter": {"search": f"a{NUL}"}}, ["filter", "search"]),
        (
            LIST,
            {"filter": {"createdFrom": "0999-01-01T00:00:00Z"}},
            ["filter", "createdFrom"],
        ),
        (
            LIST,
            {"filter": {"createdFrom": "0001-01-01T00:00:00+01:00"}},
            ["filter", "createdFrom"],
        ),
        (BY_EMAIL, {"e": f"ana{NUL}@example.com"}, ["email"]),
        (LIST, {"after": f"x{NUL}"}, ["after"]),
    ],
)
async def test_reads_with_a_nul_or_a_far_date_are_invalid_input_at_their_path(
    api: Api, document: str, variables: dict[str, Any], field: list[str]
) -> None:
    desk = await seat(api)
    desk.api.use_session(desk.sessions["marketing"])
    answer = await desk.api.gql(document, variables)
    assert answer.error_codes == ["INVALID_INPUT"], answer.body
    assert answer.body["errors"][0]["extensions"]["field"] == field


async def test_an_anonymous_login_with_a_nul_is_a_failed_login_and_is_throttled(
    api: Api,
) -> None:
    await make_user("ann@example.com")
    answers = [await api.login(f"ann{NUL}@example.com", "wrong") for _ in range(6)]
    first = answers[0]
    assert first.status == 200 and first.error_codes == []
    assert [e["code"] for e in first.data["login"]["userErrors"]] == ["INVALID_INPUT"]
    assert answers[-1].status == 429 and answers[-1].error_codes == ["THROTTLED"]


async def test_a_user_name_or_email_with_a_nul_is_a_field_error(api: Api) -> None:
    desk: Desk = await seat(api)
    create = """mutation($input: CreateUserInput!) {
      createUser(input: $input) { user { id } userErrors { code field } } }"""
    for given, field in (
        ({"email": f"x{NUL}@example.com", "name": "X"}, ["email"]),
        ({"email": "x@example.com", "name": f"X{NUL}"}, ["name"]),
    ):
        made = await desk.call(
            "admin", create, {**given, "team": "SALES", "role": "MEMBER"}
        )
        assert made["userErrors"] == [{"code": "INVALID_INPUT", "field": field}]


async def test_a_token_expiry_outside_years_1000_to_9999_is_a_field_error(
    api: Api,
) -> None:
    desk = await seat(api)
    create = """mutation($input: CreateApiTokenInput!) {
      createApiToken(input: $input) { secret userErrors { code field } } }"""
    for expires in ("0999-12-31T00:00:00Z", "9999-12-31T23:30:00-01:00"):
        made = await desk.call(
            "member", create, {"name": "t", "scopes": ["READ"], "expiresAt": expires}
        )
        assert made["userErrors"] == [{"code": "INVALID_INPUT", "field": ["expiresAt"]}]
        assert made["secret"] is None


PROGRESS = """mutation($input: RecordGoalProgressInput!) {
  recordGoalProgress(input: $input) { userErrors { code field } } }"""


async def test_goal_progress_as_of_a_far_instant_is_a_field_error(api: Api) -> None:
    desk = await seat(api)
    made = await desk.call("marketing", CREATE_GOAL, {"terms": GOAL_INPUT})
    goal_id = made["goal"]["id"]
    content_hash = await desk.propose(goal_id)
    await desk.sign(goal_id, content_hash, "marketing")
    await desk.sign(goal_id, content_hash, "sales")
    for as_of in ("0999-06-01T00:00:00Z", "0001-01-01T00:00:00+01:00"):
        done = await desk.call(
            "sales", PROGRESS, {"goalId": goal_id, "value": "1", "asOf": as_of}
        )
        assert done["userErrors"] == [{"code": "INVALID_INPUT", "field": ["asOf"]}]


async def test_far_instants_in_bulk_rows_fail_only_their_rows(api: Api) -> None:
    desk = await seat(api)
    upserted = await desk.upsert(
        [
            well_fitting("one@example.com", sourceUpdatedAt="0999-12-31T00:00:00Z"),
            well_fitting("two@example.com"),
        ]
    )
    assert row_errors(upserted) == [
        [("INVALID_INPUT", ["leads", "0", "sourceUpdatedAt"])],
        [],
    ]
    recorded = await desk.record(
        [
            {
                "leadEmail": "two@example.com",
                "kind": "PAGE_VIEW",
                "occurredAt": far,
            }
            for far in ("0001-01-01T00:00:00+01:00", ago(1))
        ]
    )
    assert row_errors(recorded) == [
        [("INVALID_INPUT", ["activities", "0", "occurredAt"])],
        [],
    ]
    assert await LeadActivity.all().count() == 1
