"""E-mail through SMTP when ``ACCORD_SMTP_URL`` is set.

Deliveries are rows (`EmailDelivery`) written in the transaction that decided
them (the notification consumer's, or an admin's set-password link), so a
rolled-back change never mails anyone. `send_pending`, a job in every worker,
sends them after commit and never inside a request: it leases a batch in a
short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; the lease is the
next retry instant, with backoff), sends outside any transaction with the
standard library's smtplib in a thread, then records each outcome. A worker
that dies mid-send leaves its lease to expire and the mail is sent again:
at least once, never lost.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import unquote, urlsplit

from tortoise.transactions import in_transaction

from server import db
from server.clock import clock
from server.domain.core.mail import mail_retry_seconds
from server.models.core import EmailDelivery
from server.services.core import bulk
from server.settings import Settings

log = logging.getLogger("accord.mailer")
BATCH = 25
MAX_ATTEMPTS = 10
SMTP_TIMEOUT = 20.0
SECRET_PREFIX = "set-password:"  # bodies holding one-time links
SCRUBBED = "(sent; the one-time link it held is not kept)"
PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class MailConfig:
    smtp_url: str
    sender: str
    public_url: str


_config: list[MailConfig] = []


def configure(settings: Settings) -> None:
    """Turn e-mail on when SMTP is configured (the settings require a public
    URL with it, for links)."""
    _config.clear()
    if settings.smtp_url and settings.public_url:
        host = urlsplit(settings.public_url).hostname or "localhost"
        sender = settings.smtp_from or f"accord@{host}"
        _config.append(MailConfig(settings.smtp_url, sender, settings.public_url))


def enabled() -> bool:
    return bool(_config)


def absolute(link: str) -> str:
    """A link of the web client (``/#/…``) under ``ACCORD_PUBLIC_URL``."""
    return f"{_config[0].public_url}{link}" if _config else link


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    dedupe_key: str
    notification_id: int | None = None


COLUMNS = (
    "notification_id",
    "to_address",
    "subject",
    "body",
    "dedupe_key",
    "created_at",
    "attempts",
)


async def queue(mails: Sequence[Mail], now: datetime) -> None:
    """Write deliveries in the caller's transaction; a dedupe key already
    queued is left as it is (consumers may run again)."""
    rows = [
        (m.notification_id, m.to, m.subject[:300], m.body, m.dedupe_key, now, 0)
        for m in mails
    ]
    await bulk.insert(
        "email_delivery", COLUMNS, rows, conflict="ON CONFLICT (dedupe_key) DO NOTHING"
    )


async def send_pending() -> int:
    """Send one batch of due deliveries; return how many were accepted."""
    if not _config:
        return 0
    now = clock.now()
    batch = await _lease(now)
    if not batch:
        return 0
    failures = await asyncio.to_thread(_send_all, _config[0], batch)
    await _record(batch, failures, clock.now())
    return len(batch) - len(failures)


async def _lease(now: datetime) -> list[EmailDelivery]:
    lock = "" if db.dialect() == "sqlite" else " FOR UPDATE SKIP LOCKED"
    async with in_transaction():
        rows = await db.fetch(
            "SELECT id FROM email_delivery WHERE sent_at IS NULL AND attempts < ? "
            "AND (retry_at IS NULL OR retry_at <= ?) ORDER BY id LIMIT ?" + lock,
            MAX_ATTEMPTS,
            now,
            BATCH,
        )
        batch = list(await EmailDelivery.filter(id__in=[r["id"] for r in rows]))
        for delivery in batch:
            delivery.attempts += 1
            wait = mail_retry_seconds(delivery.attempts)
            delivery.retry_at = now + timedelta(seconds=wait)
            await delivery.save(update_fields=["attempts", "retry_at"])
    return batch


async def _record(
    batch: Sequence[EmailDelivery], failures: dict[int, str], now: datetime
) -> None:
    async with in_transaction():
        for delivery in batch:
            error = failures.get(delivery.id)
            if error is None:
                delivery.sent_at, delivery.retry_at, delivery.last_error = (
                    now,
                    None,
                    None,
                )
                if delivery.dedupe_key.startswith(SECRET_PREFIX):
                    delivery.body = SCRUBBED
            else:
                delivery.last_error = error[:2000]
                if delivery.attempts >= MAX_ATTEMPTS:
                    log.error("giving up e-mail %s: %s", delivery.id, error)
            await delivery.save(
                update_fields=["sent_at", "retry_at", "last_error", "body"]
            )


def _send_all(config: MailConfig, batch: Sequence[EmailDelivery]) -> dict[int, str]:
    """Send over one connection; the failures by delivery id."""
    failures: dict[int, str] = {}
    try:
        with _connect(config.smtp_url) as smtp:
            for delivery in batch:
                try:
                    smtp.send_message(_message(config, delivery))
                except smtplib.SMTPException as exc:
                    failures[delivery.id] = f"{type(exc).__name__}: {exc}"
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP unavailable: %s", exc)
        for delivery in batch:
            failures.setdefault(delivery.id, f"{type(exc).__name__}: {exc}")
    return failures


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or PORTS[parts.scheme]
    smtp: smtplib.SMTP
    if parts.scheme == "smtps":
        context = ssl.create_default_context()
        smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        if parts.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
    if parts.username:
        smtp.login(unquote(parts.username), unquote(parts.password or ""))
    return smtp


def _message(config: MailConfig, delivery: EmailDelivery) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = delivery.to_address
    message["Subject"] = delivery.subject
    message["Date"] = format_datetime(delivery.created_at)
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(delivery.body)
    return message
