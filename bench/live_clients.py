"""Subscriber processes for `bench.live`: many WebSockets, little work per message.

    python -m bench.live_clients <spec.json>

The spec names the WebSocket URL, the API tokens (one per socket, cycled), the
subscription document and how many sockets to open. The process opens them (one
`graphql-transport-ws` socket and one subscription each), prints ``READY`` once
every subscription is started, and then only notes, for each `next` message,
the arrival time (``time.monotonic()``, the same clock in every process on the
machine) under the subject id found in the message by a substring search: no
JSON parsing per message. When its standard input closes it prints one
``ARRIVALS {...}`` line, ``{subject: [times…]}``, and exits.

It runs under uvloop in its own process so the harness can spread the sockets
over several processes and the client is not what limits the figures.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import uvloop
import websockets

MARK = b'"subjectId":"'


class Arrivals:
    def __init__(self) -> None:
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.closed = 0

    def note(self, raw: bytes) -> None:
        now = time.monotonic()
        start = raw.find(MARK)
        if start < 0:
            if b'"type":"next"' in raw or b'"type":"error"' in raw:
                self.errors.append(raw[:300].decode(errors="replace"))
            return
        start += len(MARK)
        end = raw.index(b'"', start)
        self.times[raw[start:end].decode()].append(now)


async def subscriber(
    url: str, token: str, document: str, arrivals: Arrivals, ready: asyncio.Event
) -> None:
    try:
        await _subscribe(url, token, document, arrivals, ready)
    except Exception as exc:
        arrivals.errors.append(repr(exc)[:300])
    finally:
        ready.set()
        arrivals.closed += 1


async def _subscribe(
    url: str, token: str, document: str, arrivals: Arrivals, ready: asyncio.Event
) -> None:
    async with websockets.connect(
        url,
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        open_timeout=60,
        max_size=None,
        compression=None,
        ping_interval=None,
    ) as ws:
        init = {
            "type": "connection_init",
            "payload": {"authorization": f"Bearer {token}"},
        }
        await ws.send(orjson.dumps(init).decode())
        await ws.recv()
        start = {"id": "1", "type": "subscribe", "payload": {"query": document}}
        await ws.send(orjson.dumps(start).decode())
        ready.set()
        async for raw in ws:
            arrivals.note(raw if isinstance(raw, bytes) else raw.encode())


async def run(spec: dict[str, Any]) -> None:
    arrivals = Arrivals()
    tokens: list[str] = spec["tokens"]
    tasks, readies = [], []
    for n in range(spec["count"]):
        ready = asyncio.Event()
        readies.append(ready)
        tasks.append(
            asyncio.create_task(
                subscriber(
                    spec["url"],
                    tokens[n % len(tokens)],
                    spec["document"],
                    arrivals,
                    ready,
                )
            )
        )
        if n % 50 == 49:  # open in steps: the server's accept queue is finite
            await asyncio.gather(*(r.wait() for r in readies[-50:]))
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(0.5)  # the last `subscribe` messages reach the server
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the harness closes it
    closed_early = arrivals.closed
    for task in tasks:
        task.cancel()
    summary = {
        "arrivals": arrivals.times,
        "errors": arrivals.errors[:5],
        "error_count": len(arrivals.errors),
        "closed_early": closed_early,
    }
    sys.stdout.write("ARRIVALS " + orjson.dumps(summary).decode() + "\n")
    sys.stdout.flush()


def main() -> None:
    spec = orjson.loads(Path(sys.argv[1]).read_bytes())
    uvloop.run(run(spec))


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------- the harness side


class Clients:
    """Subscriber processes started by the harness (a context manager)."""

    def __init__(
        self, url: str, tokens: list[str], document: str, count: int, processes: int
    ) -> None:
        import subprocess
        import tempfile

        self.procs: list[subprocess.Popen[str]] = []
        self.summaries: list[dict[str, Any]] = []
        folder = Path(tempfile.mkdtemp(prefix="accord-live-"))
        share, extra = divmod(count, processes)
        for n in range(processes):
            spec = folder / f"clients-{n}.json"
            mine = share + (1 if n < extra else 0)
            spec.write_bytes(
                orjson.dumps(
                    {"url": url, "tokens": tokens, "document": document, "count": mine}
                )
            )
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.live_clients", str(spec)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )

    def __enter__(self) -> Clients:
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if line.strip() != "READY":
                self.__exit__(None, None, None)
                raise RuntimeError(f"a subscriber process did not start: {line!r}")
        return self

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def finish(self) -> dict[str, Any]:
        """Stop the processes; every subscriber's arrivals, merged."""
        arrivals: defaultdict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        error_count = closed = 0
        for proc in self.procs:
            out, _ = proc.communicate(timeout=60)
            for line in out.splitlines():
                if line.startswith("ARRIVALS "):
                    found = orjson.loads(line.removeprefix("ARRIVALS "))
                    for subject, times in found["arrivals"].items():
                        arrivals[subject].extend(times)
                    errors += found["errors"]
                    error_count += found["error_count"]
                    closed += found["closed_early"]
        return {
            "arrivals": arrivals,
            "errors": errors[:5],
            "error_count": error_count,
            "closed_early": closed,
        }

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
