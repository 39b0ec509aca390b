"""The receiver example of docs/events.md, run as written against real
deliveries on 127.0.0.1: it verifies signatures and handles each event once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.clock import clock
from server.models.events import Webhook, WebhookDelivery
from server.services.core import mutations
from server.services.core import outbox as events
from server.services.events import delivery
from server.settings import Settings
from server.wiring import wire

DOCS = Path(__file__).resolve().parents[3] / "docs" / "events.md"
SECRET = "whsec_docs_example"


def example_code() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Webhooks") :]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "docs/events.md's Webhooks section has a Python receiver"
    return found.group(1)


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("ACCORD_WEBHOOK_SECRETS", f"whsec_other,{SECRET}")
    monkeypatch.setenv("SEEN_EVENTS_DB", ":memory:")
    namespace: dict[str, Any] = {"__name__": "receiver_example"}
    exec(compile(example_code(), str(DOCS), "exec"), namespace)
    # the example's server runs in a thread here: give it a connection it may use
    namespace["SEEN"].close()
    namespace["SEEN"] = sqlite3.connect(":memory:", check_same_thread=False)
    namespace["SEEN"].execute("CREATE TABLE seen (event_id TEXT PRIMARY KEY)")
    handled: list[dict[str, Any]] = []
    namespace["handle"] = handled.append
    namespace["handled"] = handled
    server = namespace["HTTPServer"](("127.0.0.1", 0), namespace["Receiver"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    namespace["url"] = f"http://127.0.0.1:{server.server_address[1]}/accord"
    yield namespace
    server.shutdown()
    server.server_close()
    namespace["SEEN"].close()


async def send_due() -> list[str]:
    await events.dispatch_once()
    cfg = delivery.config()
    jobs = await delivery.claim(10, clock.now(), cfg)
    # the example server runs in a thread of this process: send off the loop
    return [await asyncio.create_task(delivery.attempt(job, cfg)) for job in jobs]


async def test_the_documented_receiver_verifies_and_deduplicates(
    database: Any, settings: Settings, example: dict[str, Any]
) -> None:
    wire(settings.with_(webhook_allow_private=True))
    events.register_consumer("webhooks", delivery.consume)
    now = clock.now()
    hook = await Webhook.create(
        url=example["url"],
        events=["LEAD_CREATED"],
        secret_sealed=delivery.config().box.seal(SECRET),
        created_at=now,
        updated_at=now,
    )

    async def body(tx: mutations.Tx) -> None:
        tx.emit("LEAD_CREATED", "Lead", 5, {"lead": 5})

    await mutations.run_trusted("testEvent", body)
    assert await send_due() == ["SUCCEEDED"]
    assert [e["payload"] for e in example["handled"]] == [{"lead": 5}]
    first = await WebhookDelivery.get()
    assert first.response_code == 204

    # the same event again (a redelivery): acknowledged, handled once
    await WebhookDelivery.create(
        webhook_id=hook.id,
        event_id=first.event_id,
        kind=first.kind,
        subject_type=first.subject_type,
        subject_id=first.subject_id,
        sequence=first.sequence,
        occurred_at=first.occurred_at,
        payload=first.payload,
        dedupe_key="again",
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    assert await send_due() == ["SUCCEEDED"]
    assert len(example["handled"]) == 1

    # a wrong secret is answered 401 (and retried by Accord)
    hook.secret_sealed = delivery.config().box.seal("whsec_wrong")
    await hook.save()
    await mutations.run_trusted("testEvent", body)
    assert await send_due() == ["PENDING"]
    last = await WebhookDelivery.filter().order_by("-id").first()
    assert last is not None and last.response_code == 401
    assert len(example["handled"]) == 1
    events.unregister_consumer("webhooks")


def test_the_example_refuses_stale_and_forged_signatures(
    example: dict[str, Any],
) -> None:
    verified = example["verified"]
    body = b'{"id":"1"}'
    mac = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256)
    headers = {
        "Accord-Timestamp": "1700000000",
        "Accord-Signature": f"v1=0000, v1={mac.hexdigest()}",
    }
    assert verified(headers, body, now=1700000100)
    assert not verified(headers, body, now=1700000000 + 301)  # too old
    assert not verified(headers, body + b" ", now=1700000100)
    assert not verified({**headers, "Accord-Timestamp": "x"}, body, now=1700000100)
    assert not verified({}, body)
