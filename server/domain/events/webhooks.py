"""Webhooks' rules (SPEC §2.9): targets, signatures, retries, the address guard,
and the sealing of secrets at rest. Pure: no clock, no network, no database.

- A target is an absolute http(s) URL without credentials, at most 2,000
  characters; a literal address that the guard refuses is refused at once (a
  name is checked when it is resolved, at every connection).
- Signature: ``v1=`` and the hex HMAC-SHA256, keyed by the webhook's secret, of
  the timestamp (Unix seconds), a dot and the raw body. During a rotation's
  overlap the header carries one signature per valid secret, comma-separated.
- Retries: exponential backoff (base × 2^(attempt−1), capped at an hour) with
  "equal jitter" (half fixed, half random), until the configured attempts.
- The guard refuses every address that is not globally routable: loopback,
  private (RFC 1918, unique-local), link-local (cloud metadata at
  169.254.169.254 among them), multicast, reserved, unspecified (0.0.0.0, ::),
  shared/CGNAT (100.64/10, Alibaba's metadata at 100.100.100.200), benchmarking,
  documentation, and IPv6 forms embedding an IPv4 address (IPv4-mapped,
  IPv4-compatible, 6to4, Teredo, NAT64) are judged by the address they embed.
- Secrets at rest: sealed with a key derived from ``ACCORD_SECRET_KEY`` (HKDF-
  style HMAC-SHA256 derivation), a random 16-byte nonce, an HMAC-SHA256 counter
  keystream and an HMAC-SHA256 tag over nonce and ciphertext (encrypt-then-MAC).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from server.domain.core.errors import ErrorCode, UserError
from server.domain.core.outbox import EventKind

MAX_URL_LENGTH = 2000
MAX_RESPONSE_KEPT = 2000  # characters of a receiver's answer kept in the log
SECRET_PREFIX = "whsec_"
MAX_RETRY_SECONDS = 3600.0
SIGNATURE_VERSION = "v1"
HEADER_SIGNATURE = "Accord-Signature"
HEADER_TIMESTAMP = "Accord-Timestamp"
HEADER_EVENT_ID = "Accord-Event-Id"
HEADER_EVENT_KIND = "Accord-Event-Kind"
HEADER_DELIVERY_ID = "Accord-Delivery-Id"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def check_target(url: str) -> list[UserError]:
    """Problems with a webhook's URL as written (resolution happens later)."""
    problems: list[UserError] = []

    def bad(message: str) -> None:
        problems.append(UserError(ErrorCode.INVALID_INPUT, message, ("url",)))

    if len(url) > MAX_URL_LENGTH:
        bad(f"use at most {MAX_URL_LENGTH} characters")
        return problems
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        bad("this is not a valid URL")
        return problems
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        bad("give an absolute http or https URL")
    elif parts.username is not None or parts.password is not None:
        bad("credentials in the URL are not allowed; verify the signature instead")
    elif port == 0:
        bad("give a port between 1 and 65535")
    elif any(ch.isspace() for ch in url.strip()) or parts.fragment:
        bad("remove spaces and the #fragment")
    return problems


def literal_refusal(url: str, allow_private: bool) -> str | None:
    """Why a URL whose host is a literal address is refused, if it is."""
    host = urlsplit(url.strip()).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return None if allow_private else refused_because(address)


def check_events(kinds: Sequence[str]) -> list[UserError]:
    if not kinds:
        return [
            UserError(
                ErrorCode.INVALID_INPUT, "choose at least one event kind", ("events",)
            )
        ]
    unknown = sorted({k for k in kinds if k not in EventKind.__members__})
    if unknown:
        return [
            UserError(
                ErrorCode.INVALID_INPUT,
                f"unknown event kinds: {', '.join(unknown)}",
                ("events",),
            )
        ]
    return []


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one embeds (mapped, compatible, 6to4, Teredo, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refused_because(address: IPAddress) -> str | None:
    """Why the guard refuses connecting to ``address`` (None: it is allowed)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            reason = refused_because(inner)
            return f"{reason} (embedded in {address})" if reason else None
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local (metadata) address"),
        (address.is_multicast, "a multicast address"),
        (
            isinstance(address, ipaddress.IPv4Address) and address in _SHARED,
            "a shared (CGNAT) address",
        ),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "an address that is not globally routable"),
    )
    for matched, reason in checks:
        if matched:
            return f"{address} is {reason}"
    return None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def signature_header(secrets_: Sequence[str], timestamp: int, body: bytes) -> str:
    """One signature per secret still valid, the current one first."""
    return ", ".join(sign(s, timestamp, body) for s in secrets_)


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether any signature of the header was made with ``secret``."""
    expected = sign(secret, timestamp, body)
    return any(
        hmac.compare_digest(expected, part.strip()) for part in header.split(",")
    )


def retry_delay(attempts: int, base_seconds: float, jitter: float) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones;
    ``jitter`` in [0, 1) picks where in the upper half of the window it falls."""
    window = float(min(base_seconds * 2.0 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))
    return window / 2 + window / 2 * min(max(jitter, 0.0), 1.0)


def truncated(text: str, limit: int = MAX_RESPONSE_KEPT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class SecretBox:
    """Seals secrets at rest under keys derived from the service's secret key."""

    NONCE = 16
    TAG = 32

    def __init__(self, secret_key: str) -> None:
        root = hmac.new(
            b"accord-webhook-secrets", secret_key.encode(), hashlib.sha256
        ).digest()
        self._enc = hmac.new(root, b"encrypt\x01", hashlib.sha256).digest()
        self._mac = hmac.new(root, b"authenticate\x01", hashlib.sha256).digest()

    def _stream(self, nonce: bytes, length: int) -> bytes:
        out = bytearray()
        counter = 0
        while len(out) < length:
            block = nonce + counter.to_bytes(8, "big")
            out += hmac.new(self._enc, block, hashlib.sha256).digest()
            counter += 1
        return bytes(out[:length])

    def seal(self, plain: str) -> str:
        data = plain.encode()
        nonce = secrets.token_bytes(self.NONCE)
        cipher = bytes(
            a ^ b for a, b in zip(data, self._stream(nonce, len(data)), strict=True)
        )
        tag = hmac.new(self._mac, nonce + cipher, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(nonce + tag + cipher).decode()

    def open(self, sealed: str) -> str:
        raw = base64.urlsafe_b64decode(sealed.encode())
        nonce, tag = raw[: self.NONCE], raw[self.NONCE : self.NONCE + self.TAG]
        cipher = raw[self.NONCE + self.TAG :]
        expected = hmac.new(self._mac, nonce + cipher, hashlib.sha256).digest()
        if len(nonce) != self.NONCE or not hmac.compare_digest(tag, expected):
            raise ValueError("a sealed secret failed authentication")
        return bytes(
            a ^ b for a, b in zip(cipher, self._stream(nonce, len(cipher)), strict=True)
        ).decode()
