"""Every refusal has its exact code and changes nothing in the agreement tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.clock import clock
from server.models.people import User
from server.services.core import ids
from tests.agreement_steps import (
    CREATE_GOAL,
    CREATE_MODEL,
    CREATE_PERSONA,
    CREATE_SLA,
    DISCARD,
    GOAL_INPUT,
    PERSONA_INPUT,
    PROPOSE,
    PROPOSE_RETIREMENT,
    REJECT,
    SIGN,
    UPDATE_SLA,
    WITHDRAW,
    Table,
    model_input,
    refused_by,
    sla_input,
    snapshot,
)
from tests.helpers import Api, issue_token

RECORD = """
mutation($input: RecordGoalProgressInput!) {
  recordGoalProgress(input: $input) {
    agreement { id } measurement { value } userErrors { code field message }
  }
}"""
EVIDENCE = """
mutation($input: AddPersonaEvidenceInput!) {
  addPersonaEvidence(input: $input) {
    agreement { id } evidence { note } userErrors { code field message }
  }
}"""


async def refused(
    table: Table,
    who: str,
    document: str,
    input: dict[str, Any],
    code: str,
    field: list[str] | None = None,
) -> None:
    """Assert the call is refused with ``code`` and left every table as it was."""
    await refused_by(snapshot, table, who, document, input, code, field)


async def proposed_sla(table: Table) -> tuple[str, str]:
    sla = await table.draft_sla()
    return sla["id"], await table.propose(sla["id"])


async def test_invalid_terms_are_refused_with_their_path(api: Api) -> None:
    table = await Table.seat(api)
    bad = sla_input(
        businessCalendar={**sla_input()["businessCalendar"], "dayEnd": "08:00"}
    )
    await refused(
        table,
        "marketing",
        CREATE_SLA,
        {"terms": bad},
        "INVALID_INPUT",
        ["terms", "businessCalendar", "dayEnd"],
    )
    await refused(
        table,
        "sales",
        CREATE_GOAL,
        {"terms": {**GOAL_INPUT, "target": "-1"}},
        "INVALID_INPUT",
        ["terms", "target"],
    )
    rules = model_input(
        fitRules=[
            {
                "field": "industry",
                "operator": "BETWEEN",
                "values": ["a"],
                "points": 1,
                "label": "x",
            }
        ]
    )
    await refused(
        table,
        "marketing",
        CREATE_MODEL,
        {"terms": rules},
        "INVALID_INPUT",
        ["terms", "fitRules", "0", "operator"],
    )


async def test_only_managers_of_marketing_or_sales_and_admins_negotiate(
    api: Api,
) -> None:
    table = await Table.seat(api)
    terms = {"terms": sla_input()}
    for who in ("member", "rep", "leader"):
        await refused(table, who, CREATE_SLA, terms, "FORBIDDEN")
    sla_id, _ = await proposed_sla(table)
    for who in ("member", "leader"):
        await refused(table, who, PROPOSE, {"agreementId": sla_id}, "FORBIDDEN")
        reject = {"agreementId": sla_id, "reason": "no"}
        await refused(table, who, REJECT, reject, "FORBIDDEN")


async def test_a_stale_version_is_a_conflict(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    change = {"id": sla["id"], "expectedVersion": sla["version"] + 1}
    await refused(
        table,
        "marketing",
        UPDATE_SLA,
        {**change, "terms": sla_input(routing="LEAST_LOADED")},
        "CONFLICT",
        ["expectedVersion"],
    )


async def test_ids_of_another_type_or_of_nothing_are_refused(api: Api) -> None:
    table = await Table.seat(api)
    goal_id = ids.encode("Goal", 1)
    user_id = ids.encode("User", 1)
    update = {"expectedVersion": 1, "terms": sla_input()}
    await refused(
        table, "sales", UPDATE_SLA, {"id": goal_id, **update}, "INVALID_INPUT", ["id"]
    )
    await refused(
        table,
        "sales",
        PROPOSE,
        {"agreementId": user_id},
        "INVALID_INPUT",
        ["agreementId"],
    )
    missing = ids.encode("ServiceLevelAgreement", 999)
    await refused(table, "sales", UPDATE_SLA, {"id": missing, **update}, "NOT_FOUND")
    await refused(table, "sales", DISCARD, {"agreementId": missing}, "NOT_FOUND")


async def test_steps_out_of_order_are_invalid_transitions(api: Api) -> None:
    table = await Table.seat(api)
    draft = await table.draft_sla()
    only = {"agreementId": draft["id"]}
    await refused(table, "sales", PROPOSE_RETIREMENT, only, "INVALID_TRANSITION")
    await refused(
        table,
        "sales",
        SIGN,
        {**only, "contentHash": "0" * 64},
        "INVALID_TRANSITION",
    )
    await refused(table, "sales", WITHDRAW, only, "INVALID_TRANSITION")
    await refused(
        table, "sales", REJECT, {**only, "reason": "why"}, "INVALID_TRANSITION"
    )
    await table.propose(draft["id"])
    await refused(table, "sales", PROPOSE, only, "INVALID_TRANSITION")
    discarded = (await table.call("sales", DISCARD, only))["agreement"]
    assert discarded["status"] == "DISCARDED"
    await refused(table, "sales", DISCARD, only, "INVALID_TRANSITION")
    version = discarded["version"]
    update = {"id": draft["id"], "expectedVersion": version, "terms": sla_input()}
    await refused(table, "sales", UPDATE_SLA, update, "INVALID_TRANSITION")


async def test_proposing_the_terms_already_in_force_is_refused(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.activate_sla()
    same = {"id": sla["id"], "expectedVersion": sla["version"], "terms": sla_input()}
    assert (await table.call("sales", UPDATE_SLA, same))["userErrors"] == []
    await refused(
        table, "sales", PROPOSE, {"agreementId": sla["id"]}, "INVALID_TRANSITION"
    )


async def test_signing_refusals(api: Api) -> None:
    table = await Table.seat(api)
    sla_id, content_hash = await proposed_sla(table)
    signing = {"agreementId": sla_id, "contentHash": content_hash}
    # admins never sign; other teams' managers and members cannot
    for who in ("admin", "leader", "member", "rep"):
        await refused(table, who, SIGN, signing, "FORBIDDEN")
    # the hash must be the proposal's
    stale = {"agreementId": sla_id, "contentHash": "f" * 64}
    await refused(table, "sales", SIGN, stale, "CONTENT_CHANGED", ["contentHash"])
    # one sign-off per team
    await table.sign(sla_id, content_hash, "marketing")
    await refused(table, "marketing2", SIGN, signing, "ALREADY_SIGNED")
    # only the signer withdraws it
    only = {"agreementId": sla_id}
    await refused(table, "marketing2", WITHDRAW, only, "FORBIDDEN")
    await refused(table, "sales", WITHDRAW, only, "INVALID_TRANSITION")
    await refused(
        table, "sales", REJECT, {**only, "reason": "  "}, "INVALID_INPUT", ["reason"]
    )


async def test_api_tokens_never_sign_reject_or_withdraw(api: Api) -> None:
    table = await Table.seat(api)
    sla_id, content_hash = await proposed_sla(table)
    manager = await User.get(email="sam@example.com")
    token = await issue_token(manager, "WRITE")
    api.use_session(None)
    for document, input in (
        (SIGN, {"agreementId": sla_id, "contentHash": content_hash}),
        (REJECT, {"agreementId": sla_id, "reason": "no"}),
        (WITHDRAW, {"agreementId": sla_id}),
    ):
        before = await snapshot()
        response = await api.gql(document, {"input": input}, token=token)
        assert response.error_codes == ["FORBIDDEN"]
        assert await snapshot() == before


async def test_a_role_granted_by_an_admin_cannot_sign_for_24_hours(
    api: Api,
) -> None:
    table = await Table.seat(api)
    sla_id, content_hash = await proposed_sla(table)
    admin = await User.get(email="ada@example.com")
    granted = await User.get(email="sue@example.com")
    granted.role_granted_by_id, granted.role_granted_at = admin.id, clock.now()
    await granted.save()
    signing = {"agreementId": sla_id, "contentHash": content_hash}
    await refused(table, "sales2", SIGN, signing, "FORBIDDEN")
    clock.advance(timedelta(hours=23, minutes=59).total_seconds())
    await table.refresh_sessions()
    await refused(table, "sales2", SIGN, signing, "FORBIDDEN")
    # credentials an admin issued count the same way
    issued = await User.get(email="sam@example.com")
    issued.credentials_issued_by_id = admin.id
    issued.credentials_issued_at = clock.now()
    await issued.save()
    await refused(table, "sales", SIGN, signing, "FORBIDDEN")
    clock.advance(120)
    signed = await table.sign(sla_id, content_hash, "sales2")
    [sign_off] = signed["signOffs"]
    assert (sign_off["team"], sign_off["role"]) == ("SALES", "MANAGER")


async def test_a_persona_the_model_in_force_uses_cannot_be_retired(
    api: Api,
) -> None:
    table = await Table.seat(api)
    made = await table.call("marketing", CREATE_PERSONA, {"terms": PERSONA_INPUT})
    persona = made["persona"]
    rule = {
        "field": "persona",
        "operator": "EQ",
        "values": [persona["id"]],
        "points": 10,
        "label": "Ops persona",
    }
    model = (
        await table.call(
            "marketing", CREATE_MODEL, {"terms": model_input(fitRules=[rule])}
        )
    )["qualificationModel"]
    # a model naming a persona not in force cannot be proposed
    await refused(
        table,
        "marketing",
        PROPOSE,
        {"agreementId": model["id"]},
        "CONFLICT",
        ["terms", "fitRules", "0", "values", "0"],
    )
    persona_hash = await table.propose(persona["id"])
    await table.sign(persona["id"], persona_hash, "marketing")
    await table.sign(persona["id"], persona_hash, "sales")
    model_hash = await table.propose(model["id"])
    await table.sign(model["id"], model_hash, "marketing")
    await table.sign(model["id"], model_hash, "sales")
    # the persona is pinned while the model is in force
    only = {"agreementId": persona["id"]}
    await refused(table, "sales", PROPOSE_RETIREMENT, only, "CONFLICT")


async def test_goal_progress_refusals(api: Api) -> None:
    table = await Table.seat(api)
    made = await table.call(
        "marketing", CREATE_GOAL, {"terms": {**GOAL_INPUT, "metric": "WON_REVENUE"}}
    )
    goal_id = made["goal"]["id"]
    record = {"goalId": goal_id, "value": "5"}
    await refused(table, "rep", RECORD, record, "FORBIDDEN")
    await refused(table, "leader", RECORD, record, "INVALID_TRANSITION", ["goalId"])
    content_hash = await table.propose(goal_id)
    await table.sign(goal_id, content_hash, "marketing")
    await table.sign(goal_id, content_hash, "sales")
    await refused(table, "leader", RECORD, record, "INVALID_INPUT", ["goalId"])


async def test_manual_goal_measurements_are_checked(api: Api) -> None:
    table = await Table.seat(api)
    made = await table.call("marketing", CREATE_GOAL, {"terms": GOAL_INPUT})
    goal_id = made["goal"]["id"]
    content_hash = await table.propose(goal_id)
    await table.sign(goal_id, content_hash, "marketing")
    await table.sign(goal_id, content_hash, "sales")
    later = (clock.now() + timedelta(hours=1)).isoformat()
    for given, field in (
        ({"value": "-1"}, ["value"]),
        ({"value": "1.0000001"}, ["value"]),
        ({"value": "1", "asOf": later}, ["asOf"]),
        ({"value": "1", "note": "x" * 2001}, ["note"]),
    ):
        input = {"goalId": goal_id, **given}
        await refused(table, "sales", RECORD, input, "INVALID_INPUT", field)


async def test_persona_evidence_refusals(api: Api) -> None:
    table = await Table.seat(api)
    made = await table.call("marketing", CREATE_PERSONA, {"terms": PERSONA_INPUT})
    evidence = {"personaId": made["persona"]["id"], "source": "RESEARCH", "note": "x"}
    await refused(table, "leader", EVIDENCE, evidence, "FORBIDDEN")
    blank = {**evidence, "note": " "}
    await refused(table, "rep", EVIDENCE, blank, "INVALID_INPUT", ["note"])
    wrong = {**evidence, "personaId": ids.encode("Goal", 1)}
    await refused(table, "rep", EVIDENCE, wrong, "INVALID_INPUT", ["personaId"])
