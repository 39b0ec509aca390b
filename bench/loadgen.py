"""A small closed-loop HTTP/1.1 load generator, used when wrk is not available.

Run as its own process (``python -m bench.loadgen``) so its CPU is not the
server's: each connection sends a prepared request, waits for the whole answer,
and sends the next, cycling through the requests file (one ``token<TAB>body``
line per request). Prints one ``LOADJSON {...}`` line. A response counts as an
error when its status is not 200 or its body carries GraphQL ``errors``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import uvloop

from bench.timing import summarise

CONNECT_RETRY_SECONDS = 0.05


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def fail(self, reason: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or reason[:300]


def read_requests(path: Path, host: str, target: str) -> list[bytes]:
    prepared = []
    for line in path.read_text().splitlines():
        token, body = line.split("\t", 1)
        data = body.encode()
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        prepared.append(head.encode() + data)
    return prepared


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(
        (
            int(v)
            for k, _, v in (h.partition(":") for h in lines[1:])
            if k.strip().lower() == "content-length"
        ),
        None,
    )
    if length is None:
        raise ConnectionError("response without content-length")
    return status, await reader.readexactly(length)


async def _session(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    requests: list[bytes],
    n: int,
    until: float,
    limit_s: float,
    tally: Tally,
) -> int:
    """Requests on one open connection until time is up; returns the next index."""
    while time.monotonic() < until:
        sent = time.perf_counter()
        exchange = _exchange(reader, writer, requests[n % len(requests)])
        status, body = await asyncio.wait_for(exchange, limit_s)
        tally.latencies_ms.append((time.perf_counter() - sent) * 1000)
        n += 1
        if status != 200 or b'"errors"' in body:
            tally.fail(f"HTTP {status}: {body[:250].decode(errors='replace')}")
    return n


async def _connection(
    host: str,
    port: int,
    requests: list[bytes],
    start: int,
    until: float,
    limit_s: float,
    tally: Tally,
) -> None:
    """One client; a broken connection is counted and opened again."""
    n = start
    while time.monotonic() < until:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            tally.fail(f"connect: {exc}")
            await asyncio.sleep(CONNECT_RETRY_SECONDS)
            continue
        try:
            n = await _session(reader, writer, requests, n, until, limit_s, tally)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.fail(f"{type(exc).__name__}: {exc}")
            n += 1
        finally:
            writer.close()


async def drive(
    url: str, requests: list[bytes], conns: int, duration: float, limit_s: float
) -> Tally:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    tally = Tally()
    until = time.monotonic() + duration
    step = max(1, len(requests) // conns)
    await asyncio.gather(
        *(
            _connection(host, port, requests, i * step, until, limit_s, tally)
            for i in range(conns)
        )
    )
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    parser.add_argument("requests", type=Path)
    parser.add_argument("--url", required=True)
    parser.add_argument("--conns", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    parts = urlsplit(args.url)
    requests = read_requests(args.requests, parts.netloc, parts.path or "/")
    started, cpu = time.perf_counter(), time.process_time()
    tally = uvloop.run(
        drive(args.url, requests, args.conns, args.duration, args.timeout)
    )
    timing = summarise(
        tally.latencies_ms,
        tally.errors,
        time.perf_counter() - started,
        tally.first_error,
        time.process_time() - cpu,
    )
    sys.stdout.write("LOADJSON " + orjson.dumps(timing.as_dict()).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
