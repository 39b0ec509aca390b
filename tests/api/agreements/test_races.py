"""Concurrent sign-offs on PostgreSQL never lose or double an activation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.models.agreements import Agreement, AgreementRevision, AgreementSignOff
from server.models.core import OutboxEvent
from server.models.people import User
from server.services.core import ids
from server.services.people.auth import SESSION_COOKIE
from tests.agreement_steps import SIGN, UPDATE_SLA, Table, sla_input
from tests.helpers import Api, Response

ROUNDS = 50
SLA_ROUNDS = 25


async def send_sign_off(
    table: Table, who: str, agreement_id: str, content_hash: str
) -> Response:
    return await table.api.gql(
        SIGN,
        {"input": {"agreementId": agreement_id, "contentHash": content_hash}},
        headers={"cookie": f"{SESSION_COOKIE}={table.sessions[who]}"},
    )


async def sign_at_once(table: Table, signings: list[tuple[str, str, str]]) -> list[Any]:
    """Send every (who, agreement, hash) sign-off at the same instant."""
    table.api.use_session(None)
    sent = [send_sign_off(table, *signing) for signing in signings]
    return [response.data["signOff"] for response in await asyncio.gather(*sent)]


async def activations_of(key: int) -> int:
    return await OutboxEvent.filter(
        kind="AGREEMENT_ACTIVATED", subject_type="Agreement", subject_id=key
    ).count()


@pytest.mark.only_backend("postgres")
async def test_two_managers_signing_at_the_same_instant_activate_exactly_once(
    api: Api, backend: str
) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    key = ids.decode(sla["id"], "ServiceLevelAgreement")
    version = sla["version"]
    for round_ in range(ROUNDS):
        if round_:  # every later round amends the revision in force
            amended = await table.call(
                "marketing",
                UPDATE_SLA,
                {
                    "id": sla["id"],
                    "expectedVersion": version,
                    "terms": sla_input(qualifiedLeadsPerMonth=100 + round_),
                },
            )
            assert amended["userErrors"] == [], amended
        content_hash = await table.propose(sla["id"])
        # when both managers sign at the same instant
        answers = await sign_at_once(
            table,
            [
                ("marketing", sla["id"], content_hash),
                ("sales", sla["id"], content_hash),
            ],
        )
        # then both answer without errors, both sign-offs are stored, and it is
        # ACTIVE with exactly one new revision and one AGREEMENT_ACTIVATED
        assert [a["userErrors"] for a in answers] == [[], []], answers
        row = await Agreement.get(id=key)
        assert (row.status, row.pending, row.revision) == ("ACTIVE", "NONE", round_ + 1)
        assert await AgreementRevision.filter(agreement_id=key).count() == round_ + 1
        revision = await AgreementRevision.get(agreement_id=key, number=round_ + 1)
        signed = await AgreementSignOff.filter(revision_id=revision.id)
        assert sorted(s.team for s in signed) == ["MARKETING", "SALES"]
        assert all(s.content_hash == content_hash for s in signed)
        assert await activations_of(key) == round_ + 1
        version = row.version


@pytest.mark.only_backend("postgres")
async def test_two_slas_countersigned_at_once_leave_exactly_one_in_force(
    api: Api, backend: str
) -> None:
    table = await Table.seat(api)
    for round_ in range(SLA_ROUNDS):
        pair = []
        for n in range(2):
            sla = await table.draft_sla(qualifiedLeadsPerMonth=round_ * 10 + n)
            content_hash = await table.propose(sla["id"])
            await table.sign(sla["id"], content_hash, "marketing")
            pair.append((sla["id"], content_hash))
        # when sales countersigns both at the same instant
        answers = await sign_at_once(table, [("sales", *pair[0]), ("sales2", *pair[1])])
        # then both answer without errors and exactly one is in force
        assert [a["userErrors"] for a in answers] == [[], []], answers
        keys = [ids.decode(gid, "ServiceLevelAgreement") for gid, _ in pair]
        rows = {r.id: r for r in await Agreement.filter(id__in=keys)}
        in_force = await Agreement.filter(in_force_slot="SERVICE_LEVEL_AGREEMENT")
        assert len(in_force) == 1 and in_force[0].id in keys
        [loser] = [rows[k] for k in keys if k != in_force[0].id]
        assert loser.status == "RETIRED" and loser.retired_at is not None
        superseded = await AgreementRevision.get(agreement_id=loser.id, number=1)
        assert superseded.superseded_at == loser.retired_at
        kinds = [
            e.kind
            for e in await OutboxEvent.filter(
                subject_type="Agreement", subject_id__in=keys
            )
        ]
        assert kinds.count("AGREEMENT_ACTIVATED") == 2
        assert kinds.count("AGREEMENT_RETIRED") == 1


UPDATE_USER = """mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { userErrors { code } } }"""


@pytest.mark.only_backend("postgres")
async def test_a_role_change_at_the_instant_of_signing_never_leaves_a_live_sign_off(
    api: Api, backend: str
) -> None:
    table = await Table.seat(api)
    mara = await User.get(email="mara@example.com")
    admin_cookie = f"{SESSION_COOKIE}={table.sessions['admin']}"
    for _ in range(20):
        await User.filter(id=mara.id).update(role="MANAGER", role_granted_by_id=None)
        sla = await table.draft_sla("sales")
        content_hash = await table.propose(sla["id"], "sales")
        table.api.use_session(None)
        demote = table.api.gql(
            UPDATE_USER,
            {"input": {"id": ids.encode("User", mara.id), "role": "MEMBER"}},
            headers={"cookie": admin_cookie},
        )
        signed, demoted = await asyncio.gather(
            send_sign_off(table, "marketing", sla["id"], content_hash), demote
        )
        assert demoted.data["updateUser"]["userErrors"] == []
        if signed.error_codes:  # the role changed before the request was let in
            assert signed.error_codes == ["FORBIDDEN"]
        else:  # before or after the signing transaction
            codes = [e["code"] for e in signed.data["signOff"]["userErrors"]]
            assert codes in ([], ["FORBIDDEN"]), codes
        live = await AgreementSignOff.filter(user_id=mara.id, live_key__not_isnull=True)
        assert live == []


@pytest.mark.only_backend("postgres")
async def test_the_loser_of_a_simultaneous_countersignature_gets_already_signed(
    api: Api, backend: str
) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    version = sla["version"]
    for round_ in range(ROUNDS // 2):
        if round_:
            amended = await table.call(
                "marketing",
                UPDATE_SLA,
                {
                    "id": sla["id"],
                    "expectedVersion": version,
                    "terms": sla_input(qualifiedLeadsPerMonth=100 + round_),
                },
            )
            assert amended["userErrors"] == [], amended
        content_hash = await table.propose(sla["id"])
        await table.sign(sla["id"], content_hash, "marketing")
        # when both sales managers countersign at the same instant
        answers = await sign_at_once(
            table,
            [("sales", sla["id"], content_hash), ("sales2", sla["id"], content_hash)],
        )
        # then one countersignature takes effect and the other is ALREADY_SIGNED
        codes = sorted([e["code"] for e in a["userErrors"]] for a in answers)
        assert codes == [[], ["ALREADY_SIGNED"]], answers
        version = (
            await Agreement.get(id=ids.decode(sla["id"], "ServiceLevelAgreement"))
        ).version
