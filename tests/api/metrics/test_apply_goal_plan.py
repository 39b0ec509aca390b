"""`applyGoalPlan`: a plan's monthly MQLs written into a draft SLA, on SQLite
and PostgreSQL: only a pending draft takes it, a stale version or a plan that
moved is a CONFLICT, the edit is audited, and concurrent applications never
both land."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server import db
from server.models.agreements import Agreement
from server.models.core import AuditEntry, OutboxEvent
from server.services.core import ids
from server.services.people.auth import SESSION_COOKIE
from tests.agreement_steps import PROPOSE, Table
from tests.helpers import Api

pytestmark = pytest.mark.read_connections

APPLY = """
mutation($input: ApplyGoalPlanInput!) {
  applyGoalPlan(input: $input) {
    serviceLevelAgreement {
      id version pending contentHash
      pendingTerms { qualifiedLeadsPerMonth acceptWithinHours }
      terms { qualifiedLeadsPerMonth }
    }
    goalPlan { qualifiedLeadsPerMonth steps { name value } }
    userErrors { code field message }
  }
}"""
# 1,000,000 ÷ 20,000 = 50 deals ÷ 0.25 = 200 SQLs ÷ 0.4 = 500 SALs ÷ 0.5 =
# 1,000 MQLs over 12 months: 84 a month (83.3, rounded up)
PLAN = {
    "revenue": "1000000",
    "months": 12,
    "averageDealSize": "20000",
    "mqlToSal": "0.5",
    "salToSql": "0.4",
    "sqlToWon": "0.25",
}


def applying(sla: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "serviceLevelAgreementId": sla["id"],
        "expectedVersion": sla["version"],
        "plan": PLAN,
        **extra,
    }


async def test_a_plan_lands_in_the_draft_slas_volume_term(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla(qualifiedLeadsPerMonth=40)
    with db.count_statements() as statements:
        done = await table.call("marketing", APPLY, applying(sla))
    assert done["userErrors"] == []
    applied = done["serviceLevelAgreement"]
    assert applied["pendingTerms"]["qualifiedLeadsPerMonth"] == 84
    assert (
        applied["pendingTerms"]["acceptWithinHours"]
        == sla["pendingTerms"]["acceptWithinHours"]
    )
    assert applied["version"] == sla["version"] + 1
    assert applied["pending"] == "DRAFT"
    assert [s["value"] for s in done["goalPlan"]["steps"]] == [
        1000000,
        50,
        200,
        500,
        1000,
    ]
    # the session, the SLA locked, its sign-offs, the observed rates, the
    # update, the audit entry; the payload reads nothing more
    assert len(statements) == 6, statements
    entry = await AuditEntry.filter(action="applyGoalPlan", outcome="OK").get()
    assert entry.changes["qualifiedLeadsPerMonth"] == {"from": 40, "to": 84}
    assert entry.changes["plan"]["steps"]["mqls"] == 1000
    # the proposal hashes the new volume, as after any edit
    content_hash = (await table.call("sales", PROPOSE, {"agreementId": sla["id"]}))[
        "agreement"
    ]["contentHash"]
    assert content_hash and content_hash != sla["contentHash"]


async def test_only_a_draft_takes_a_plan(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    proposed = await table.call("marketing", PROPOSE, {"agreementId": sla["id"]})
    version = proposed["agreement"]["version"]
    done = await table.call("marketing", APPLY, applying(sla, expectedVersion=version))
    assert [e["code"] for e in done["userErrors"]] == ["INVALID_TRANSITION"]
    assert "proposed" in done["userErrors"][0]["message"]
    in_force = await table.activate_sla()
    done = await table.call("marketing", APPLY, applying(in_force))
    assert [e["code"] for e in done["userErrors"]] == ["INVALID_TRANSITION"]
    assert "no draft" in done["userErrors"][0]["message"]


async def test_refusals_stale_version_moved_plan_bad_plan_and_roles(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    before = await Agreement.get(id=ids.decode(sla["id"], "ServiceLevelAgreement"))
    stale = await table.call(
        "marketing", APPLY, applying(sla, expectedVersion=sla["version"] + 5)
    )
    assert [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]
    moved = await table.call(
        "marketing", APPLY, applying(sla, expectedQualifiedLeadsPerMonth=80)
    )
    assert [e["code"] for e in moved["userErrors"]] == ["CONFLICT"]
    bad = await table.call(
        "marketing", APPLY, applying(sla, plan={**PLAN, "mqlToSal": "0"})
    )
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID_INPUT"]
    not_sla = await table.call(
        "marketing",
        APPLY,
        applying(sla, serviceLevelAgreementId=ids.encode("Goal", before.id)),
    )
    assert [e["code"] for e in not_sla["userErrors"]] == ["INVALID_INPUT"]
    missing = await table.call(
        "marketing",
        APPLY,
        applying(
            sla,
            serviceLevelAgreementId=ids.encode("ServiceLevelAgreement", 99999),
        ),
    )
    assert [e["code"] for e in missing["userErrors"]] == ["NOT_FOUND"]
    table.api.use_session(table.sessions["rep"])
    response = await table.api.gql(APPLY, {"input": applying(sla)})
    assert response.error_codes == ["FORBIDDEN"]
    after = await Agreement.get(id=before.id)
    assert (after.version, after.pending_terms) == (
        before.version,
        before.pending_terms,
    )
    refused = await AuditEntry.filter(action="applyGoalPlan").exclude(outcome="OK")
    assert len(refused) == 6
    assert await OutboxEvent.filter(subject_id=before.id, kind__not="").count() == 0


@pytest.mark.only_backend("postgres")
async def test_plans_applied_at_the_same_instant_land_once(api: Api) -> None:
    table = await Table.seat(api)
    for _ in range(15):
        sla = await table.draft_sla()
        table.api.use_session(None)
        sent = [
            table.api.gql(
                APPLY,
                {"input": applying(sla, plan={**PLAN, "months": months})},
                headers={"cookie": f"{SESSION_COOKIE}={table.sessions[who]}"},
            )
            for who, months in (("marketing", 12), ("sales", 6))
        ]
        answers = [r.data["applyGoalPlan"] for r in await asyncio.gather(*sent)]
        codes = sorted(e["code"] for answer in answers for e in answer["userErrors"])
        assert codes == ["CONFLICT"], answers
        won = next(a for a in answers if not a["userErrors"])
        row = await Agreement.get(id=ids.decode(sla["id"], "ServiceLevelAgreement"))
        assert row.version == sla["version"] + 1
        stored = won["serviceLevelAgreement"]["pendingTerms"]
        assert stored["qualifiedLeadsPerMonth"] in (84, 167)
