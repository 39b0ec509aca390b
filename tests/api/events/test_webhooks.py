"""Webhooks over the API and on the wire: admin-only management, the secret
shown once and sealed, rotation signing with both secrets, at-least-once
signed deliveries with backoff, redelivery, the delivery log, the address
guard at connect time (stubbed resolver: nothing leaves loopback), no
redirects, a hanging receiver delaying nobody, retention, and claims on
PostgreSQL taken by one worker each."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from server import db, metrics
from server.clock import clock
from server.domain.events.webhooks import verify
from server.models.core import AuditEntry
from server.models.events import Webhook, WebhookDelivery
from server.services.core import mutations
from server.services.core.retention import purge
from server.services.events import delivery
from server.settings import Settings
from server.wiring import wire
from tests.helpers import Api, issue_token, make_user, open_session, settle_outbox
from tests.webhook_steps import (
    DELETE,
    REDELIVER,
    ROTATE,
    UPDATE,
    WEBHOOKS,
    Receiver,
    create_webhook,
    deliveries,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Loopback receivers need the private-address setting; retries are quick."""
    quick = settings.with_(
        webhook_allow_private=True,
        webhook_retry_base_seconds=0.05,
        webhook_timeout_seconds=1.0,
    )
    wire(quick)
    return quick


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = await Receiver().start()
    yield found
    await found.close()


@pytest.fixture(autouse=True)
def _system_resolver() -> Any:
    yield
    delivery.set_resolver(None)


async def as_admin(api: Api) -> None:
    api.use_session(
        await open_session(await make_user("ada@example.com", "LEADERSHIP", "ADMIN"))
    )


async def emit(kind: str = "LEAD_CREATED", subject: int = 7, **payload: Any) -> None:
    async def body(tx: mutations.Tx) -> None:
        tx.emit(kind, "Lead", subject, payload or {"lead": subject})

    await mutations.run_trusted("testEvent", body)


async def until(check: Any, seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


async def delivered_count(count: int) -> Any:
    async def check() -> bool:
        return (
            await WebhookDelivery.filter(status__in=["SUCCEEDED", "FAILED"]).count()
            >= count
        )

    return await until(check)


# ------------------------------------------------------------------ management


async def test_an_admin_creates_a_webhook_and_sees_its_secret_once(api: Api) -> None:
    await as_admin(api)
    made = await create_webhook(
        api, "https://hooks.example.com/accord", ["LEAD_CREATED", "HANDOFF_CREATED"]
    )
    assert made["userErrors"] == []
    secret = made["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert made["webhook"]["events"] == ["HANDOFF_CREATED", "LEAD_CREATED"]
    row = await Webhook.get()
    assert secret not in row.secret_sealed
    assert delivery.config().box.open(row.secret_sealed) == secret
    listed = (await api.gql(WEBHOOKS)).data["webhooks"]["edges"]
    assert [e["node"]["url"] for e in listed] == ["https://hooks.example.com/accord"]
    assert secret not in orjson.dumps(listed).decode()
    entry = await AuditEntry.get(action="createWebhook")
    assert secret not in orjson.dumps(entry.changes).decode()


async def test_only_admins_manage_and_read_webhooks(api: Api) -> None:
    for team, role in (("MARKETING", "MANAGER"), ("SALES", "MEMBER")):
        user = await make_user(f"{team.lower()}@example.com", team, role)
        api.use_session(await open_session(user))
        refused = await api.gql(
            'mutation { createWebhook(input: {url: "https://a.example.com", '
            "events: [LEAD_CREATED]}) { secret } }"
        )
        assert refused.error_codes == ["FORBIDDEN"]
        assert (await api.gql(WEBHOOKS)).error_codes == ["FORBIDDEN"]
    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")
    read_only = await issue_token(admin, "READ")
    assert (await api.gql(WEBHOOKS, token=read_only)).status == 200
    refused = await api.gql(
        'mutation { deleteWebhook(input: {id: "x"}) { deletedId } }', token=read_only
    )
    assert refused.error_codes == ["FORBIDDEN"]
    assert await Webhook.all().count() == 0


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("ftp://example.com", ["LEAD_CREATED"], "url"),
        ("https://u:p@example.com", ["LEAD_CREATED"], "url"),
        ("http://169.254.169.254/latest/meta-data", ["LEAD_CREATED"], "url"),
        ("https://example.com", [], "events"),
    ],
)
async def test_bad_input_is_refused_on_its_field(
    api: Api, settings: Settings, url: str, events: list[str], field: str
) -> None:
    wire(settings.with_(webhook_allow_private=False))
    await as_admin(api)
    refused = await create_webhook(api, url, events)
    assert refused["webhook"] is None and refused["secret"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_INPUT", [field])
    ]


async def test_an_unknown_event_kind_is_refused_by_the_schema(api: Api) -> None:
    await as_admin(api)
    refused = await api.gql(
        'mutation { createWebhook(input: {url: "https://a.example.com", '
        "events: [LEAD_EXPLODED]}) { secret } }"
    )
    assert refused.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    listed = await api.gql("{ webhooks(first: 5) { edges { node { id } } } }")
    assert listed.data["webhooks"]["edges"] == []


async def test_update_disable_enable_and_delete(api: Api) -> None:
    await as_admin(api)
    made = (await create_webhook(api, "https://a.example.com/h"))["webhook"]
    changed = (
        await api.gql(
            UPDATE,
            {
                "input": {
                    "id": made["id"],
                    "url": "https://b.example.com/h",
                    "events": ["SLA_BREACHED"],
                    "active": False,
                }
            },
        )
    ).data["updateWebhook"]
    assert changed["userErrors"] == []
    assert changed["webhook"] == {
        "id": made["id"],
        "url": "https://b.example.com/h",
        "events": ["SLA_BREACHED"],
        "active": False,
    }
    gone = (await api.gql(DELETE, {"input": {"id": made["id"]}})).data["deleteWebhook"]
    assert gone["deletedId"] == made["id"]
    again = (await api.gql(DELETE, {"input": {"id": made["id"]}})).data
    assert [e["code"] for e in again["deleteWebhook"]["userErrors"]] == ["NOT_FOUND"]
    assert await Webhook.all().count() == 0


async def test_lists_cost_fixed_statements(api: Api, receiver: Receiver) -> None:
    await as_admin(api)
    receiver.script = [500] * 100
    counts: dict[int, tuple[int, int]] = {}
    for n in (1, 6):
        while await Webhook.all().count() < n:
            await create_webhook(api, receiver.url)
        await emit(subject=n)
        await settle_outbox()
        with db.count_statements() as listed:
            await api.gql(WEBHOOKS)
        with db.count_statements() as logged:
            assert len(await deliveries(api)) >= n
        counts[n] = (len(listed), len(logged))
    # the session, the page, the count; the session, the page, the count,
    # the webhooks of the page's deliveries
    assert counts == {1: (3, 4), 6: (3, 4)}


# ------------------------------------------------------------------- deliveries


async def test_a_failing_receiver_gets_one_event_until_it_succeeds_then_redelivered(
    api: Api, receiver: Receiver
) -> None:
    await as_admin(api)
    receiver.script = [500, 503]
    made = await create_webhook(api, receiver.url, ["LEAD_CREATED"])
    secret = made["secret"]
    await emit("LEAD_CREATED", 7, lead=7)
    await emit("LEAD_MERGED", 7, lead=7)  # not heard by this webhook
    await delivered_count(1)

    assert len(receiver.got) == 3
    event_ids = {r.headers["accord-event-id"] for r in receiver.got}
    assert len(event_ids) == 1
    for got in receiver.got:
        stamp = int(got.headers["accord-timestamp"])
        assert abs(stamp - time.time()) < 60
        assert verify(secret, stamp, got.body, got.headers["accord-signature"])
        sent = orjson.loads(got.body)
        assert sent["id"] == got.headers["accord-event-id"]
        assert sent["kind"] == "LEAD_CREATED" == got.headers["accord-event-kind"]
        assert sent["sequence"] == 1 and sent["payload"] == {"lead": 7}
        assert got.headers["content-type"] == "application/json"
    assert len({r.body for r in receiver.got}) == 1  # the same bytes each time

    [logged] = await deliveries(api)
    assert logged["status"] == "SUCCEEDED" and logged["attempts"] == 3
    assert logged["responseCode"] == 200 and logged["responseBody"] == "ok"
    assert logged["durationMs"] is not None and logged["deliveredAt"]

    again = (await api.gql(REDELIVER, {"input": {"id": logged["id"]}})).data
    redo = again["redeliverWebhookDelivery"]
    assert redo["userErrors"] == []
    assert redo["delivery"]["redeliveryOf"] == logged["id"]
    assert redo["delivery"]["eventId"] == logged["eventId"]
    await delivered_count(2)
    assert len(receiver.got) == 4
    assert receiver.got[-1].headers["accord-event-id"] in event_ids
    assert len(await deliveries(api)) == 2


async def test_a_receiver_that_keeps_failing_is_given_up_on(
    api: Api, settings: Settings, receiver: Receiver
) -> None:
    wire(settings.with_(webhook_max_attempts=3))
    await as_admin(api)
    receiver.script = [500] * 10
    await create_webhook(api, receiver.url)
    await emit()
    await delivered_count(1)
    [logged] = await deliveries(api)
    assert logged["status"] == "FAILED" and logged["attempts"] == 3
    assert logged["responseCode"] == 500 and logged["error"] == "HTTP 500"
    assert len(logged["responseBody"]) == 2000 and logged["responseBody"][-1] == "…"
    assert len(receiver.got) == 3
    assert delivery.delivery_counters()["failed"] >= 1
    exposed = metrics.render()
    assert 'accord_webhook_deliveries_total{outcome="failed"}' in exposed
    assert 'accord_webhook_deliveries_total{outcome="retry"}' in exposed


async def test_after_a_rotation_both_secrets_sign_during_the_overlap(
    api: Api, receiver: Receiver
) -> None:
    await as_admin(api)
    made = await create_webhook(api, receiver.url)
    old = made["secret"]
    rotated = (await api.gql(ROTATE, {"input": {"id": made["webhook"]["id"]}})).data[
        "rotateWebhookSecret"
    ]
    new = rotated["secret"]
    assert new != old and rotated["webhook"]["previousSecretValidUntil"]
    await emit()
    await delivered_count(1)
    got = receiver.got[-1]
    stamp = int(got.headers["accord-timestamp"])
    assert got.headers["accord-signature"].count("v1=") == 2
    assert verify(new, stamp, got.body, got.headers["accord-signature"])
    assert verify(old, stamp, got.body, got.headers["accord-signature"])

    # without overlap, only the newest secret signs
    newest = (
        await api.gql(
            ROTATE, {"input": {"id": made["webhook"]["id"], "overlapMinutes": 0}}
        )
    ).data["rotateWebhookSecret"]
    assert newest["webhook"]["previousSecretValidUntil"] is None
    await emit(subject=8)
    await delivered_count(2)
    got = receiver.got[-1]
    stamp = int(got.headers["accord-timestamp"])
    assert got.headers["accord-signature"].count("v1=") == 1
    assert verify(newest["secret"], stamp, got.body, got.headers["accord-signature"])
    assert not verify(new, stamp, got.body, got.headers["accord-signature"])
    bad = await api.gql(
        ROTATE, {"input": {"id": made["webhook"]["id"], "overlapMinutes": -1}}
    )
    assert bad.data["rotateWebhookSecret"]["userErrors"][0]["field"] == [
        "overlapMinutes"
    ]


async def test_a_disabled_webhook_gets_nothing(api: Api, receiver: Receiver) -> None:
    await as_admin(api)
    made = (await create_webhook(api, receiver.url))["webhook"]
    await api.gql(UPDATE, {"input": {"id": made["id"], "active": False}})
    await emit()
    await settle_outbox()
    await asyncio.sleep(0.2)
    assert receiver.got == [] and await WebhookDelivery.all().count() == 0


async def test_redirects_are_not_followed(api: Api, receiver: Receiver) -> None:
    other = await Receiver().start()
    try:
        await as_admin(api)
        receiver.script = [("redirect", other.url)]
        await create_webhook(api, receiver.url)
        await emit()

        async def retried() -> bool:
            row = await WebhookDelivery.first()
            return row is not None and row.response_code == 302

        await until(retried)
        row = await WebhookDelivery.get()
        assert "redirects are not followed" in row.error
        assert other.got == []
    finally:
        await other.close()


async def test_a_hanging_receiver_delays_neither_other_webhooks_nor_requests(
    api: Api, settings: Settings, receiver: Receiver
) -> None:
    wire(settings.with_(webhook_timeout_seconds=3.0))
    hanging = await Receiver(script=["hang"] * 5).start()
    try:
        await as_admin(api)
        await create_webhook(api, hanging.url)
        await create_webhook(api, receiver.url)
        started = time.monotonic()
        await emit()
        await until(lambda: _arrived(receiver))
        assert time.monotonic() - started < 2.0  # well before the 3 s timeout
        # requests are answered meanwhile
        quick = time.monotonic()
        assert (await api.gql(WEBHOOKS)).status == 200
        assert time.monotonic() - quick < 1.0

        async def timed_out() -> bool:
            row = await WebhookDelivery.filter(error__startswith="timed out").first()
            return row is not None

        await until(timed_out)
        assert len(hanging.got) >= 1
    finally:
        await hanging.close()


async def test_a_hanging_receiver_with_a_burst_of_events_holds_few_slots(
    api: Api, settings: Settings, receiver: Receiver
) -> None:
    """Eight events for a receiver that never answers, with four sending slots:
    it gets one slot at a time (a quarter), and another webhook's event is
    sent at once."""
    wire(settings.with_(webhook_concurrency=4, webhook_timeout_seconds=5.0))
    hanging = await Receiver(script=["hang"] * 20).start()
    try:
        await as_admin(api)
        await create_webhook(api, hanging.url, ["LEAD_UPDATED"])
        for n in range(8):
            await emit("LEAD_UPDATED", subject=n)
        await until(lambda: _arrived(hanging))
        await create_webhook(api, receiver.url)
        started = time.monotonic()
        await emit()
        await until(lambda: _arrived(receiver))
        assert time.monotonic() - started < 3.0  # well before the 5 s timeout
        assert len(hanging.got) == 1  # one in flight for it, the rest wait
    finally:
        await hanging.close()


async def _arrived(receiver: Receiver) -> bool:
    return bool(receiver.got)


async def test_the_connection_goes_to_the_checked_address_with_the_host_kept(
    api: Api, receiver: Receiver
) -> None:
    """A name is resolved once per attempt, and that address is the one used
    (DNS rebinding cannot swap it): here the stub answers 127.0.0.1 once and a
    refused address afterwards, and the request still lands on loopback."""
    answers = [["127.0.0.1"]]
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers.pop(0) if answers else ["169.254.169.254"]

    delivery.set_resolver(resolve)
    await as_admin(api)
    await create_webhook(api, f"http://hooks.example.test:{receiver.port}/in?x=1")
    await emit()
    await delivered_count(1)
    assert asked == ["hooks.example.test"]
    [got] = receiver.got
    assert got.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert got.path == "/in?x=1"


@pytest.mark.parametrize(
    "answer",
    [
        ["169.254.169.254"],
        ["10.0.0.5"],
        ["192.168.0.10"],
        ["fe80::1"],
        ["::ffff:169.254.169.254"],
        ["::ffff:127.0.0.1"],
        ["127.0.0.1"],
        ["::1"],
        ["0.0.0.0"],
        ["::"],
        ["100.64.1.1"],
        ["fd00:ec2::254"],
        ["93.184.216.34", "10.0.0.5"],  # one bad answer refuses the target
    ],
)
async def test_targets_resolving_to_refused_addresses_are_refused_at_connect_time(
    api: Api, settings: Settings, answer: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ACCORD_WEBHOOK_ALLOW_PRIVATE. The resolver is stubbed and the
    guard refuses before any connection: no traffic leaves the process."""

    async def resolve(host: str, port: int) -> list[str]:
        return list(answer)

    async def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no connection may be attempted")

    delivery.set_resolver(resolve)
    wire(settings.with_(webhook_allow_private=False, webhook_max_attempts=1))
    await as_admin(api)
    await create_webhook(api, "https://hooks.example.test/in")
    monkeypatch.setattr(httpx.AsyncClient, "send", never)
    await emit()
    await delivered_count(1)
    row = await WebhookDelivery.get()
    assert row.status == "FAILED" and row.response_code is None
    assert row.error.startswith("refused:") and "ALLOW_PRIVATE" in row.error


async def test_retention_purges_old_finished_deliveries_only(
    api: Api, receiver: Receiver
) -> None:
    await as_admin(api)
    hook = await create_webhook(api, receiver.url)
    await emit()
    await delivered_count(1)
    done = await WebhookDelivery.get()
    await Webhook.filter().update(active=False)  # the next one stays pending
    await WebhookDelivery.create(
        webhook_id=done.webhook_id,
        event_id=done.event_id,
        kind=done.kind,
        subject_type=done.subject_type,
        subject_id=done.subject_id,
        sequence=done.sequence,
        occurred_at=done.occurred_at,
        payload={},
        dedupe_key="pending",
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    await WebhookDelivery.all().update(created_at=clock.now() - timedelta(days=91))
    await purge(90)
    left = await WebhookDelivery.all()
    assert [d.status for d in left] == ["PENDING"]
    assert hook["webhook"]["id"]


async def test_the_log_filters_by_webhook_and_status(
    api: Api, receiver: Receiver
) -> None:
    await as_admin(api)
    receiver.script = [500] * 50
    first = (await create_webhook(api, receiver.url))["webhook"]
    await create_webhook(api, receiver.url)
    await emit()
    await settle_outbox()
    mine = await deliveries(api, webhookId=first["id"])
    assert len(mine) == 1 and mine[0]["webhook"]["id"] == first["id"]
    assert len(await deliveries(api)) == 2
    assert await deliveries(api, status=["SUCCEEDED"]) == []


# ----------------------------------------------------------------- concurrency


@pytest.mark.only_backend("postgres")
async def test_each_due_delivery_is_claimed_by_one_worker(
    database: Any, settings: Settings
) -> None:
    """Many claimers at once on PostgreSQL (FOR UPDATE SKIP LOCKED), round
    after round: every delivery is leased exactly once, none twice."""
    cfg = delivery.config()
    now = clock.now()
    hooks = [
        await Webhook.create(
            url=f"https://hooks{n}.example.test/",
            events=["LEAD_CREATED"],
            secret_sealed=cfg.box.seal("whsec_x"),
            created_at=now,
            updated_at=now,
        )
        for n in range(10)
    ]
    for round_ in range(4):
        await WebhookDelivery.bulk_create(
            [
                WebhookDelivery(
                    webhook_id=hooks[n % 10].id,
                    event_id=n,
                    kind="LEAD_CREATED",
                    subject_type="Lead",
                    subject_id=n,
                    sequence=1,
                    occurred_at=now,
                    payload={},
                    dedupe_key=f"{round_}:{n}",
                    next_attempt_at=now,
                    created_at=now,
                )
                for n in range(60)
            ]
        )
        claimed: list[int] = []
        for _ in range(30):
            claims = await asyncio.gather(
                *(delivery.claim(7, now, cfg) for _ in range(8))
            )
            claimed += [job.delivery_id for jobs in claims for job in jobs]
            if len(claimed) >= 60:
                break
        assert len(claimed) == len(set(claimed)) == 60
        rows = await WebhookDelivery.filter(dedupe_key__startswith=f"{round_}:")
        assert all(
            r.attempts == 1
            and r.next_attempt_at is not None
            and r.next_attempt_at > now
            for r in rows
        )


async def test_the_consumer_writes_each_delivery_once(
    api: Api, receiver: Receiver
) -> None:
    """Dispatching the same events again adds no delivery (dedupe key)."""
    await as_admin(api)
    receiver.script = [500] * 50
    await create_webhook(api, receiver.url)
    await emit()
    await settle_outbox()
    from server.models.core import OutboxEvent

    events = await OutboxEvent.all()
    await delivery.consume(events)
    await delivery.consume(events)
    assert await WebhookDelivery.all().count() == 1


@pytest.mark.only_backend("postgres")
async def test_concurrent_deletes_and_rotations_apply_once_each(api: Api) -> None:
    """Fired together, many times: one delete wins, the others find nothing;
    rotations queue on the row lock, so the stored secret and the one that
    still signs are two of the secrets handed out, the last two applied."""
    await as_admin(api)
    for _ in range(5):
        made = (await create_webhook(api, "https://hooks.example.com/x"))["webhook"]
        rotations = await asyncio.gather(
            *(api.gql(ROTATE, {"input": {"id": made["id"]}}) for _ in range(6))
        )
        secrets = [r.data["rotateWebhookSecret"]["secret"] for r in rotations]
        assert all(secrets) and len(set(secrets)) == 6
        row = await Webhook.get()
        box = delivery.config().box
        current = box.open(row.secret_sealed)
        assert row.previous_secret_sealed is not None
        previous = box.open(row.previous_secret_sealed)
        assert current in secrets and previous in secrets and current != previous
        assert await AuditEntry.filter(action="rotateWebhookSecret").count() % 6 == 0

        deletes = await asyncio.gather(
            *(api.gql(DELETE, {"input": {"id": made["id"]}}) for _ in range(6))
        )
        outcomes = sorted(
            "OK" if d.data["deleteWebhook"]["deletedId"] else "NOT_FOUND"
            for d in deletes
        )
        assert outcomes == ["NOT_FOUND"] * 5 + ["OK"]
        assert await Webhook.all().count() == 0


@pytest.fixture
def self_signed(tmp_path: Any) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    key, cert = str(tmp_path / "key.pem"), str(tmp_path / "cert.pem")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", key, "-out", cert, "-subj", "/CN=hooks.example.test"),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


async def test_https_targets_connect_to_the_checked_address_with_the_hosts_tls_name(
    api: Api, self_signed: tuple[str, str]
) -> None:
    """A TLS receiver on 127.0.0.1 with a self-signed certificate: the client
    hello names the webhook's host (SNI), and the certificate, which no
    authority signed, is refused: verification stays on."""
    key, cert = self_signed
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,misc]

    async def answer(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]

    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    delivery.set_resolver(resolve)
    try:
        await as_admin(api)
        await create_webhook(api, f"https://hooks.example.test:{port}/in")
        await emit()

        async def tried() -> bool:
            row = await WebhookDelivery.first()
            return row is not None and bool(row.error)

        await until(tried)
    finally:
        server.close()
    row = await WebhookDelivery.get()
    assert names and names[0] == "hooks.example.test"
    assert "CERTIFICATE_VERIFY_FAILED" in row.error or "certificate" in row.error


async def test_mutations_cost_fixed_statements(api: Api) -> None:
    await as_admin(api)
    counts = []
    for n in range(2):
        with db.count_statements() as statements:
            made = (await create_webhook(api, f"https://h{n}.example.com/"))["webhook"]
        with db.count_statements() as changed:
            await api.gql(UPDATE, {"input": {"id": made["id"], "active": False}})
        with db.count_statements() as rotated:
            await api.gql(ROTATE, {"input": {"id": made["id"]}})
        counts.append((len(statements), len(changed), len(rotated)))
    # the session; then the limit's count, the insert, the audit entry; the
    # locked read, the update, the audit entry (each)
    assert counts[0] == counts[1] == (4, 4, 4)
