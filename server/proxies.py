"""Who the client is: the peer address, or behind trusted proxies the address
they name in `X-Forwarded-For` / `Forwarded`.

Without `ACCORD_TRUSTED_PROXIES` both headers are ignored (anyone can send them).
With it, the hops are walked from the right (the one nearest to us): each hop
that is a trusted proxy is skipped, and the first that is not is the client.
When every hop is trusted, the leftmost one is taken.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Protocol

from starlette.datastructures import Headers

from server.settings import Network, Settings


class _Connection(Protocol):
    @property
    def headers(self) -> Headers: ...

    @property
    def client(self) -> object: ...


def client_address(connection: _Connection, settings: Settings) -> str:
    """The client's address for throttles, audit and sessions."""
    client = connection.client
    peer = str(getattr(client, "host", "")) if client else ""
    trusted = settings.trusted_proxies
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = forwarded_hops(connection.headers)
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def forwarded_hops(headers: Headers) -> list[str]:
    """The addresses the proxies named, leftmost (the original client) first.
    `Forwarded` (RFC 7239) wins over `X-Forwarded-For` when both are present."""
    forwarded = headers.getlist("forwarded")
    if forwarded:
        hops = []
        for element in ",".join(forwarded).split(","):
            for pair in element.split(";"):
                name, _, value = pair.strip().partition("=")
                if name.lower() == "for":
                    hops.append(_strip(value))
        return [h for h in hops if h]
    values = ",".join(headers.getlist("x-forwarded-for")).split(",")
    return [h for h in (_strip(v) for v in values) if h]


def _strip(value: str) -> str:
    """An address from a header value: quotes, brackets and ports removed;
    empty when it is not an IP address (an obfuscated `_name` or `unknown`)."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted if network.version == ip.version)
