"""Countersignatures, supersession, retirement, and sign-offs voided by role changes."""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.clock import clock
from server.models.agreements import Agreement, AgreementSignOff
from server.models.core import OutboxEvent
from server.models.people import User
from server.services.core import ids
from tests.agreement_steps import (
    CREATE_MODEL,
    CREATE_PERSONA,
    DISCARD,
    PERSONA_INPUT,
    PROPOSE_RETIREMENT,
    WITHDRAW,
    Table,
    model_input,
    sla_input,
)
from tests.helpers import Api

UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { role } userErrors { code } }
}"""
DEACTIVATE = """
mutation($input: DeactivateUserInput!) {
  deactivateUser(input: $input) { user { active } userErrors { code } }
}"""
HISTORY = """query($id: ID!) { node(id: $id) { ... on Agreement {
  status pending signOffs { team }
  signOffHistory { team voidedAt voidReason roleGrantedAt roleGrantedBy { name } }
} } }"""


async def events() -> list[tuple[str, int]]:
    return [(e.kind, e.subject_id) for e in await OutboxEvent.all().order_by("id")]


async def test_countersigning_another_sla_retires_the_one_in_force(api: Api) -> None:
    table = await Table.seat(api)
    first = await table.activate_sla()
    # when a second SLA is countersigned
    second = await table.activate_sla(qualifiedLeadsPerMonth=200)
    # then it is the only one in force and the first is retired, superseded now
    assert (second["status"], second["revision"]) == ("ACTIVE", 1)
    old = await Agreement.get(id=ids.decode(first["id"], "ServiceLevelAgreement"))
    assert (old.status, old.pending, old.in_force_slot) == ("RETIRED", "NONE", None)
    assert (
        old.retired_at
        == (
            await Agreement.get(id=ids.decode(second["id"], "ServiceLevelAgreement"))
        ).activated_at
    )
    active = await Agreement.filter(in_force_slot="SERVICE_LEVEL_AGREEMENT")
    assert [a.id for a in active] == [ids.decode(second["id"], "ServiceLevelAgreement")]
    found = await table.query("rep", HISTORY, id=first["id"])
    assert found["node"]["status"] == "RETIRED"
    kinds = [kind for kind, _ in await events()]
    assert kinds.count("AGREEMENT_ACTIVATED") == 2
    assert kinds.count("AGREEMENT_RETIRED") == 1


async def test_the_database_refuses_a_second_sla_in_force(database: object) -> None:
    now = clock.now()
    common = {
        "kind": "SERVICE_LEVEL_AGREEMENT",
        "status": "ACTIVE",
        "pending": "NONE",
        "title": "SLA",
        "revision": 1,
        "in_force_slot": "SERVICE_LEVEL_AGREEMENT",
        "created_at": now,
        "updated_at": now,
    }
    await Agreement.create(**common)
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Agreement.create(**common)
    assert await Agreement.all().count() == 1


async def test_a_retirement_is_signed_like_an_activation(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.activate_sla()
    proposed = await table.call("sales", PROPOSE_RETIREMENT, {"agreementId": sla["id"]})
    retirement = proposed["agreement"]
    assert retirement["pending"] == "RETIREMENT_PROPOSED"
    assert retirement["contentHash"] != sla["revisions"][0]["contentHash"]
    await table.sign(sla["id"], retirement["contentHash"], "sales")
    # still in force until the countersignature
    assert (await Agreement.filter(in_force_slot__not_isnull=True).count()) == 1
    done = await table.sign(sla["id"], retirement["contentHash"], "marketing")
    assert (done["status"], done["pending"], done["revision"]) == ("RETIRED", "NONE", 1)
    [revision] = done["revisions"]
    assert revision["supersededAt"] is not None
    assert [s["team"] for s in revision["signOffs"]] == [
        "MARKETING",
        "SALES",
        "SALES",
        "MARKETING",
    ]
    assert await Agreement.filter(in_force_slot__not_isnull=True).count() == 0


async def test_a_persona_can_retire_once_no_model_in_force_uses_it(api: Api) -> None:
    table = await Table.seat(api)
    persona = (await table.call("marketing", CREATE_PERSONA, {"terms": PERSONA_INPUT}))[
        "persona"
    ]
    persona_hash = await table.propose(persona["id"])
    await table.sign(persona["id"], persona_hash, "marketing")
    await table.sign(persona["id"], persona_hash, "sales")
    rule = {
        "field": "persona",
        "operator": "IN",
        "values": [persona["id"]],
        "points": 5,
        "label": "Persona",
    }
    model = (
        await table.call(
            "marketing", CREATE_MODEL, {"terms": model_input(fitRules=[rule])}
        )
    )["qualificationModel"]
    # given a retirement proposed while the model is only a draft
    retiring = await table.call(
        "sales", PROPOSE_RETIREMENT, {"agreementId": persona["id"]}
    )
    retire_hash = retiring["agreement"]["contentHash"]
    await table.sign(persona["id"], retire_hash, "sales")
    # when the model comes into force before the retirement is countersigned
    model_hash = await table.propose(model["id"])
    await table.sign(model["id"], model_hash, "marketing")
    await table.sign(model["id"], model_hash, "sales")
    active = await table.query(
        "rep",
        "{ activeQualificationModel { id terms { fitRules { field values } } } }",
    )
    assert active["activeQualificationModel"] == {
        "id": model["id"],
        "terms": {"fitRules": [{"field": "persona", "values": [persona["id"]]}]},
    }
    # then the countersignature of the retirement is a conflict
    blocked = await table.call(
        "marketing",
        "mutation($input: SignOffInput!) { signOff(input: $input) "
        "{ userErrors { code } } }",
        {"agreementId": persona["id"], "contentHash": retire_hash},
    )
    assert blocked["userErrors"] == [{"code": "CONFLICT"}]
    # and once the model is retired, the persona can be
    model_retire = await table.call(
        "marketing", PROPOSE_RETIREMENT, {"agreementId": model["id"]}
    )
    model_retire_hash = model_retire["agreement"]["contentHash"]
    await table.sign(model["id"], model_retire_hash, "marketing")
    await table.sign(model["id"], model_retire_hash, "sales")
    done = await table.sign(persona["id"], retire_hash, "marketing")
    assert done["status"] == "RETIRED"


async def test_a_role_change_voids_the_users_pending_sign_offs(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    content_hash = await table.propose(sla["id"])
    await table.sign(sla["id"], content_hash, "marketing")
    mara = await User.get(email="mara@example.com")
    # when an admin makes the signer a member
    changed = await table.call(
        "admin",
        UPDATE_USER,
        {"id": ids.encode("User", mara.id), "role": "MEMBER"},
    )
    assert changed["userErrors"] == []
    # then the sign-off no longer counts, and is kept with why
    found = (await table.query("rep", HISTORY, id=sla["id"]))["node"]
    assert found["signOffs"] == []
    [voided] = found["signOffHistory"]
    assert (voided["team"], voided["voidReason"]) == ("MARKETING", "ROLE_CHANGED")
    # and a countersignature from sales alone activates nothing
    signed = await table.sign(sla["id"], content_hash, "sales")
    assert (signed["status"], signed["pending"]) == ("DRAFT", "PROPOSED")


async def test_deactivation_voids_the_users_pending_sign_offs(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    content_hash = await table.propose(sla["id"])
    await table.sign(sla["id"], content_hash, "sales")
    sam = await User.get(email="sam@example.com")
    done = await table.call("admin", DEACTIVATE, {"id": ids.encode("User", sam.id)})
    assert done["user"]["active"] is False
    assert await AgreementSignOff.filter(live_key__not_isnull=True).count() == 0
    voided = await AgreementSignOff.get()
    assert voided.void_reason == "DEACTIVATED"


async def test_a_sign_off_records_who_granted_the_signers_role(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    content_hash = await table.propose(sla["id"])
    sue = await User.get(email="sue@example.com")
    await table.call(
        "admin", UPDATE_USER, {"id": ids.encode("User", sue.id), "role": "MEMBER"}
    )
    await table.call(
        "admin", UPDATE_USER, {"id": ids.encode("User", sue.id), "role": "MANAGER"}
    )
    clock.advance(24 * 3600 + 1)
    await table.refresh_sessions()
    await table.sign(sla["id"], content_hash, "sales2")
    found = (await table.query("rep", HISTORY, id=sla["id"]))["node"]
    [sign_off] = found["signOffHistory"]
    assert sign_off["roleGrantedBy"] == {"name": "Admin"}
    assert sign_off["roleGrantedAt"] is not None


async def test_a_withdrawn_sign_off_is_kept_and_no_longer_counts(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    content_hash = await table.propose(sla["id"])
    await table.sign(sla["id"], content_hash, "marketing")
    withdrawn = await table.call("marketing", WITHDRAW, {"agreementId": sla["id"]})
    assert withdrawn["userErrors"] == [] and withdrawn["agreement"]["signOffs"] == []
    await table.sign(sla["id"], content_hash, "sales")
    again = await table.sign(sla["id"], content_hash, "marketing2")
    assert again["status"] == "ACTIVE"
    history = (await table.query("rep", HISTORY, id=sla["id"]))["node"]
    reasons = [s["voidReason"] for s in history["signOffHistory"]]
    assert reasons == ["WITHDRAWN", None, None]


async def test_discarding_an_amendment_keeps_the_revision_in_force(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.activate_sla()
    await table.call(
        "sales",
        "mutation($input: UpdateServiceLevelAgreementInput!) { "
        "updateServiceLevelAgreement(input: $input) { userErrors { code } } }",
        {
            "id": sla["id"],
            "expectedVersion": sla["version"],
            "terms": sla_input(touchWindowDays=10),
        },
    )
    content_hash = await table.propose(sla["id"], "sales")
    await table.sign(sla["id"], content_hash, "sales")
    done = (await table.call("marketing", DISCARD, {"agreementId": sla["id"]}))[
        "agreement"
    ]
    assert (done["status"], done["pending"], done["revision"]) == ("ACTIVE", "NONE", 1)
    assert done["diff"] == [] and done["signOffs"] == []
