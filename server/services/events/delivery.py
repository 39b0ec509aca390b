"""Webhook deliveries: made from outbox events, POSTed after commit, logged.

- `consume` is an outbox consumer: in the dispatcher's transaction it writes one
  `WebhookDelivery` per (event, active webhook hearing its kind), in one
  statement with ``ON CONFLICT (dedupe_key) DO NOTHING``, so a batch dispatched
  again adds nothing and the outbox's claiming makes it once across workers.
- `Deliverer`, a loop in every worker, claims due deliveries in a short
  transaction (the chosen rows locked ``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; SQLite has one writer): each claim bumps the attempts and sets
  ``next_attempt_at`` past the request's timeout, which is the lease. It claims
  only as many as it has free sending slots (``ACCORD_WEBHOOK_CONCURRENCY``),
  at most a quarter of them per webhook, and sends each in its own task with a
  per-request deadline, so a hanging receiver holds at most its quarter until
  its timeout and never delays other webhooks, the dispatcher or requests.
- Sending resolves the host, refuses the whole target if any resolved address
  is refused by the guard (`server.domain.events.webhooks.refused_because`)
  unless ``ACCORD_WEBHOOK_ALLOW_PRIVATE`` is set, and connects to the checked
  address itself (the URL is rewritten to it, the ``Host`` header and TLS name
  stay the host's), so a second, different DNS answer can never be used.
  Redirects are not followed (a 3xx is a failed attempt); proxies from the
  environment are ignored.
- The outcome (status, code, truncated answer, time taken) is written in a
  short transaction; failures are retried with exponential backoff and jitter
  until ``ACCORD_WEBHOOK_MAX_ATTEMPTS``, then the delivery is FAILED.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import random
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson
from tortoise.transactions import in_transaction

from server import db, metrics
from server.clock import clock
from server.domain.events.webhooks import (
    HEADER_DELIVERY_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_KIND,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    SecretBox,
    refused_because,
    retry_delay,
    signature_header,
    truncated,
)
from server.models.core import OutboxEvent
from server.models.events import Webhook, WebhookDelivery
from server.services.core import bulk, ids
from server.services.events import stream
from server.settings import Settings

log = logging.getLogger("accord.webhooks")
LEASE_MARGIN = timedelta(seconds=30)
READ_LIMIT = 16_384  # bytes of an answer read before hanging up
USER_AGENT = "Accord-Webhooks/1"
PENDING, SUCCEEDED, FAILED = "PENDING", "SUCCEEDED", "FAILED"
STATUSES = (PENDING, SUCCEEDED, FAILED)


@dataclass(frozen=True)
class DeliveryConfig:
    allow_private: bool
    timeout_seconds: float
    max_attempts: int
    retry_base_seconds: float
    concurrency: int
    overlap: timedelta
    box: SecretBox


_config: list[DeliveryConfig] = []


def configure(settings: Settings) -> None:
    _config[:] = [
        DeliveryConfig(
            allow_private=settings.webhook_allow_private,
            timeout_seconds=settings.webhook_timeout_seconds,
            max_attempts=settings.webhook_max_attempts,
            retry_base_seconds=settings.webhook_retry_base_seconds,
            concurrency=settings.webhook_concurrency,
            overlap=timedelta(hours=settings.webhook_secret_overlap_hours),
            box=SecretBox(settings.secret_key),
        )
    ]


def config() -> DeliveryConfig:
    if not _config:
        raise RuntimeError("delivery.configure() has not been called")
    return _config[0]


# ---------------------------------------------------------------- the consumer

COLUMNS = (
    "webhook_id",
    "event_id",
    "kind",
    "subject_type",
    "subject_id",
    "sequence",
    "actor_id",
    "occurred_at",
    "payload",
    "dedupe_key",
    "status",
    "attempts",
    "next_attempt_at",
    "response_body",
    "error",
    "created_at",
)


def delivery_row(
    webhook_id: int,
    event: OutboxEvent,
    dedupe_key: str,
    now: datetime,
    redelivery_of: int | None = None,
) -> tuple[Any, ...]:
    return (
        webhook_id,
        event.id,
        event.kind,
        event.subject_type,
        event.subject_id,
        event.sequence,
        event.actor_id,
        event.created_at,
        bulk.json_param(event.payload),
        dedupe_key,
        PENDING,
        0,
        now,
        "",
        "",
        now,
    )


async def consume(batch: Sequence[OutboxEvent]) -> None:
    """The outbox consumer: one delivery per event and webhook hearing it."""
    hooks = await Webhook.filter(active=True).only("id", "events")
    if not hooks:
        return
    now = clock.now()
    rows = [
        delivery_row(hook.id, event, f"{hook.id}:{event.id}", now)
        for event in batch
        for hook in hooks
        if event.kind in (hook.events or [])
    ]
    if rows:
        await bulk.insert(
            "webhook_delivery",
            COLUMNS,
            rows,
            conflict="ON CONFLICT (dedupe_key) DO NOTHING",
        )


# ------------------------------------------------------------- the address guard


class Refused(Exception):
    """The target may not be connected to (the guard, or no address at all)."""


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    )
    found: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in found:
            found.append(address)
    return found


_resolver: list[Resolver] = [system_resolve]


def set_resolver(resolver: Resolver | None) -> None:
    """Replace name resolution (tests stub it; None restores the system's)."""
    _resolver[:] = [resolver or system_resolve]


async def pick_address(host: str, port: int, allow_private: bool) -> str:
    """The one address to connect to, every resolved address checked first."""
    try:
        literal = ipaddress.ip_address(host)
        addresses = [str(literal)]
    except ValueError:
        try:
            addresses = await _resolver[0](host, port)
        except OSError as exc:
            raise Refused(f"could not resolve {host}: {exc}") from None
    if not addresses:
        raise Refused(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            reason = refused_because(ipaddress.ip_address(address))
            if reason:
                raise Refused(
                    f"refused: {host} resolves to {reason} "
                    "(set ACCORD_WEBHOOK_ALLOW_PRIVATE to allow it)"
                )
    return addresses[0]


# --------------------------------------------------------------------- sending


@dataclass(frozen=True)
class Answer:
    ok: bool
    code: int | None
    body: str
    error: str
    milliseconds: int


_tls: list[ssl.SSLContext] = []


def tls_context() -> ssl.SSLContext:
    """The process's one verifying TLS context: building one loads the CA
    bundle, about 18 ms of CPU, too much to spend on every attempt."""
    if not _tls:
        _tls.append(httpx.create_ssl_context(trust_env=False))
    return _tls[0]


async def post(
    url: str, body: bytes, headers: dict[str, str], cfg: DeliveryConfig
) -> Answer:
    """POST once to the pinned, checked address within the timeout."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(cfg.timeout_seconds):
            address = await pick_address(host, port, cfg.allow_private)
            literal = f"[{address}]" if ":" in address else address
            pinned = urlunsplit(
                (parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, "")
            )
            async with (
                httpx.AsyncClient(
                    timeout=cfg.timeout_seconds,
                    follow_redirects=False,
                    trust_env=False,
                    verify=tls_context(),
                ) as client,
                client.stream(
                    "POST",
                    pinned,
                    content=body,
                    headers={**headers, "Host": parts.netloc},
                    extensions={"sni_hostname": host},
                ) as response,
            ):
                data = b""
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) >= READ_LIMIT:
                        break
                text = truncated(data[:READ_LIMIT].decode("utf-8", "replace"))
                code = response.status_code
                ok = 200 <= code < 300
                error = "" if ok else _why(code)
                return Answer(ok, code, text, error, took())
    except Refused as exc:
        return Answer(False, None, "", str(exc), took())
    except TimeoutError:
        return Answer(
            False, None, "", f"timed out after {cfg.timeout_seconds:g} s", took()
        )
    except httpx.HTTPError as exc:
        return Answer(False, None, "", f"{type(exc).__name__}: {exc}"[:500], took())
    except OSError as exc:
        return Answer(False, None, "", f"{type(exc).__name__}: {exc}"[:500], took())


def _why(code: int) -> str:
    if 300 <= code < 400:
        return f"HTTP {code}: redirects are not followed"
    return f"HTTP {code}"


# ----------------------------------------------------------- claiming, recording


@dataclass(frozen=True)
class Job:
    delivery_id: int
    webhook_id: int
    attempts: int
    url: str
    body: bytes
    secrets: tuple[str, ...]
    event_id: int
    kind: str


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON a receiver gets: the same bytes on every attempt."""
    subject = (
        ids.encode(delivery.subject_type, delivery.subject_id)
        if delivery.subject_type in ids.TYPE_CODES
        else str(delivery.subject_id)
    )
    return orjson.dumps(
        {
            "id": str(delivery.event_id),
            "kind": delivery.kind,
            "sequence": delivery.sequence,
            "subject": {"type": delivery.subject_type, "id": subject},
            "actor": ids.encode("User", delivery.actor_id)
            if delivery.actor_id
            else None,
            "occurredAt": delivery.occurred_at.isoformat(),
            "payload": delivery.payload,
            "delivery": ids.encode("WebhookDelivery", delivery.id),
        }
    )


def secrets_of(hook: Webhook, cfg: DeliveryConfig, now: datetime) -> tuple[str, ...]:
    """The current secret, and the previous one while its overlap lasts."""
    found = [cfg.box.open(hook.secret_sealed)]
    if (
        hook.previous_secret_sealed
        and hook.previous_secret_until is not None
        and hook.previous_secret_until > now
    ):
        found.append(cfg.box.open(hook.previous_secret_sealed))
    return tuple(found)


def per_webhook(cfg: DeliveryConfig) -> int:
    """Requests one webhook may have in flight in a worker: a quarter of the
    slots, so a hanging receiver with a burst of events leaves the rest free."""
    return max(1, cfg.concurrency // 4)


async def claim(
    limit: int,
    now: datetime,
    cfg: DeliveryConfig,
    busy: dict[int, int] | None = None,
) -> list[Job]:
    """Lease up to ``limit`` due deliveries of active webhooks, at most
    `per_webhook` in flight per webhook counting ``busy`` (in flight already)."""
    if limit < 1:
        return []
    lease = now + timedelta(seconds=cfg.timeout_seconds) + LEASE_MARGIN
    cap, taken = per_webhook(cfg), dict(busy or {})
    full = sorted(hook for hook, n in taken.items() if n >= cap)
    skip, skipped = (
        ("", []) if not full else bulk.any_of("d.webhook_id", full, "bigint")
    )
    async with in_transaction():
        rows = await db.fetch(
            "SELECT d.id, d.webhook_id FROM webhook_delivery d "
            "JOIN webhook w ON w.id = d.webhook_id "
            "WHERE d.status = ? AND d.next_attempt_at <= ? AND w.active = ? "
            + (f"AND NOT ({skip}) " if skip else "")
            + "ORDER BY d.next_attempt_at, d.id LIMIT ?",
            PENDING,
            now,
            True,
            *skipped,
            limit * 4,
        )
        keys: list[int] = []
        for row in rows:
            hook = row["webhook_id"]
            if taken.get(hook, 0) < cap and len(keys) < limit:
                taken[hook] = taken.get(hook, 0) + 1
                keys.append(row["id"])
        if keys and db.dialect() != "sqlite":
            # Lock only the chosen rows, skipping those another worker holds;
            # the conditions are checked again on the rows as they are now.
            chosen, params = bulk.any_of("id", keys, "bigint")
            locked = await db.fetch(
                f"SELECT id FROM webhook_delivery WHERE {chosen} AND status = ? "
                "AND next_attempt_at <= ? FOR UPDATE SKIP LOCKED",
                *params,
                PENDING,
                now,
            )
            keys = sorted(row["id"] for row in locked)
        if not keys:
            return []
        chosen, params = bulk.any_of("id", keys, "bigint")
        await db.execute(
            "UPDATE webhook_delivery SET attempts = attempts + 1, "
            f"next_attempt_at = ?, last_attempt_at = ? WHERE {chosen}",
            lease,
            now,
            *params,
        )
        claimed = await WebhookDelivery.filter(id__in=keys).select_related("webhook")
    return [
        Job(
            delivery_id=d.id,
            webhook_id=d.webhook_id,
            attempts=d.attempts,
            url=d.webhook.url,
            body=body_of(d),
            secrets=secrets_of(d.webhook, cfg, now),
            event_id=d.event_id,
            kind=d.kind,
        )
        for d in sorted(claimed, key=lambda d: d.id)
    ]


def headers_for(job: Job, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        HEADER_EVENT_ID: str(job.event_id),
        HEADER_EVENT_KIND: job.kind,
        HEADER_DELIVERY_ID: ids.encode("WebhookDelivery", job.delivery_id),
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature_header(job.secrets, timestamp, job.body),
    }


async def record(job: Job, answer: Answer, cfg: DeliveryConfig) -> str:
    """Write an attempt's outcome; return the delivery's status after it."""
    now = clock.now()
    if answer.ok:
        status, next_at, delivered = SUCCEEDED, None, now
    elif job.attempts >= cfg.max_attempts:
        status, next_at, delivered = FAILED, None, None
    else:
        wait = retry_delay(job.attempts, cfg.retry_base_seconds, random.random())
        status, next_at, delivered = PENDING, now + timedelta(seconds=wait), None
    await WebhookDelivery.filter(id=job.delivery_id).update(
        status=status,
        next_attempt_at=next_at,
        delivered_at=delivered,
        response_code=answer.code,
        response_body=answer.body,
        error=answer.error,
        duration_ms=answer.milliseconds,
    )
    outcome = "succeeded" if answer.ok else ("failed" if status == FAILED else "retry")
    if answer.error.startswith("refused"):
        outcome = "refused" if status != FAILED else "failed"
    _count(outcome, answer.milliseconds / 1000)
    return status


async def attempt(job: Job, cfg: DeliveryConfig) -> str:
    timestamp = int(clock.now().timestamp())
    answer = await post(job.url, job.body, headers_for(job, timestamp), cfg)
    if not answer.ok:
        log.info(
            "webhook delivery %s attempt %s failed: %s",
            job.delivery_id,
            job.attempts,
            answer.error,
        )
    return await record(job, answer, cfg)


async def deliver_due(limit: int = 50) -> int:
    """Claim and send one batch now, all at once (tests and the CLI)."""
    cfg = config()
    jobs = await claim(limit, clock.now(), cfg)
    await asyncio.gather(*(attempt(job, cfg) for job in jobs))
    return len(jobs)


# ------------------------------------------------------------------ the loop


class Deliverer:
    """Background sender in each worker: woken after dispatch, polling as a
    fallback; at most ``concurrency`` requests in flight."""

    def __init__(self, poll_seconds: float = 1.0) -> None:
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sending: dict[asyncio.Task[str], int] = {}  # task: webhook
        self._stopping = False

    def wake(self, *_: object) -> None:
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._sending)

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._loop())
        # On PostgreSQL, every worker hears each dispatch through LISTEN/NOTIFY.
        stream.hub.wake_on_events(self.wake)

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Stop claiming; let sends finish within the grace, cancel the rest
        (their leases end and another worker sends them again)."""
        stream.hub.stop_waking(self.wake)
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._sending:
            _, late = await asyncio.wait(set(self._sending), timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    def _busy(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for hook in self._sending.values():
            found[hook] = found.get(hook, 0) + 1
        return found

    def _finished(self, task: asyncio.Task[str]) -> None:
        self._sending.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("a webhook delivery failed", exc_info=task.exception())
        self._wake.set()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            cfg = config()
            free = cfg.concurrency - len(self._sending)
            jobs: list[Job] = []
            try:
                jobs = await claim(free, clock.now(), cfg, self._busy())
            except Exception:
                log.exception("claiming webhook deliveries failed; trying again")
            for job in jobs:
                task = asyncio.get_running_loop().create_task(attempt(job, cfg))
                self._sending[task] = job.webhook_id
                task.add_done_callback(self._finished)
            if jobs and len(jobs) == free:
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()


# ------------------------------------------------------- retention and metrics


async def purge(before: datetime) -> int:
    """Finished deliveries created before ``before`` (pending ones stay)."""
    gone = await WebhookDelivery.filter(
        created_at__lt=before, status__in=[SUCCEEDED, FAILED]
    ).delete()
    return int(gone)


_counters: dict[str, float] = {}


def _count(outcome: str, seconds: float) -> None:
    metrics.inc("accord_webhook_deliveries_total", outcome=outcome)
    metrics.inc("accord_webhook_delivery_seconds_total", seconds)
    _counters[outcome] = _counters.get(outcome, 0) + 1
    _counters["seconds_total"] = _counters.get("seconds_total", 0.0) + seconds
    _counters["attempts_total"] = _counters.get("attempts_total", 0) + 1


def delivery_counters() -> dict[str, float]:
    """This process's webhook attempts by outcome (succeeded, retry, failed,
    refused), their count and total seconds: for /metrics."""
    return dict(_counters)
