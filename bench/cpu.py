"""`python -m bench.cpu`: server CPU time per request, measured in-process.

Requests per second are not reliable on a shared machine; the CPU time one
process spends per request is. This seeds a database as `make bench` does
(small sizes by default, the same options), builds the app as `accord serve`
does and sends each operation's samples through httpx's ASGI transport,
measuring `time.process_time` over N requests with the compiled reads
(`schema.core.compiled`) and N with every request left to graphql-core, in
alternating blocks of 50.
The client's share (httpx) is in both figures alike. ``--profile FILE`` also
writes where each operation's time goes on the compiled path (cProfile, by
each function's own time).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench import database, run
from bench.operation import Operation, Sample
from bench.options import parse
from bench.plan import Plan, plan
from schema.core import compiled
from server import db
from server.app import create_app
from server.executor import Executor

MODES: list[tuple[str, Any]] = []
SMALL = (
    *("--leads", "5000", "--activities", "50000", "--users", "50", "--tokens", "20"),
    *("--content-requests", "0", "--no-scoring", "--mql-percent", "20"),
    *("--handoff-chains", "1500"),  # at most one chain per lead
    *("--operations", "leadList,leadDetail"),
)


def executor_of(app: Any) -> Executor:
    for route in app.routes:
        found = getattr(getattr(route.endpoint, "__self__", None), "executor", None)
        if isinstance(found, Executor):
            return found
    raise RuntimeError("no executor in the app")


async def _send(client: httpx.AsyncClient, op: Operation, sample: Sample) -> None:
    response = await client.post(
        "/graphql",
        json={"query": op.document, "variables": sample.variables},
        headers={"authorization": f"Bearer {sample.caller.secret}"},
    )
    if response.status_code != 200 or b'"errors"' in response.content:
        raise RuntimeError(f"{op.name} failed: {response.text[:300]}")


async def measure(
    p: Plan, requests: int, modes: int = 2
) -> dict[str, dict[str, float]]:
    ctx = await db.open_database(p.settings, global_fallback=True)
    found: dict[str, dict[str, float]] = {}
    try:
        app = create_app(p.settings, manage_database=False)
        executor = executor_of(app)
        plans = executor.compiled
        MODES[:] = [("executor", None), ("compiled", plans)][-modes:]
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            for op in p.ops:
                samples = p.samples[op.name]
                spent = dict.fromkeys((m for m, _ in MODES), 0.0)
                answered = dict.fromkeys(spent, 0)
                executor.rates.capacity = executor.rates.rate = 1e12
                for _mode, chosen in MODES:  # warm caches
                    executor.compiled = chosen
                    for n in range(50):
                        await _send(client, op, samples[n % len(samples)])
                # Blocks of each mode in turn, so a busy neighbour slows both.
                block, sent = 50, 0
                while sent < requests:
                    for mode, chosen in MODES:
                        executor.compiled = chosen
                        before = compiled.answered()
                        started = time.process_time()
                        for n in range(sent, sent + block):
                            await _send(client, op, samples[n % len(samples)])
                        spent[mode] += time.process_time() - started
                        answered[mode] += compiled.answered() - before
                    sent += block
                found[op.name] = {m: spent[m] / sent * 1000 for m in spent}
                found[op.name].update(
                    {f"{m}_compiled_share": answered[m] / sent for m in spent}
                )
                executor.compiled = plans
                if PROFILES is not None:
                    PROFILES[op.name] = await _profile(client, op, samples, requests)
    finally:
        await db.close_database(ctx)
    return found


# op name -> its profile, when asked for (`--profile FILE`)
PROFILES: dict[str, str] | None = None
PROFILE_LINES = 30


async def _profile(
    client: httpx.AsyncClient, op: Operation, samples: list[Sample], requests: int
) -> str:
    """Where a request's time goes on the compiled path: cProfile over
    ``requests`` requests, the functions by their own time (the ASGI test
    client's share included, as in the figures)."""
    profile = cProfile.Profile()
    profile.enable()
    for n in range(requests):
        await _send(client, op, samples[n % len(samples)])
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(PROFILE_LINES)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    global PROFILES
    args = list(sys.argv[1:] if argv is None else argv)
    requests = 300
    if "--requests" in args:
        at = args.index("--requests")
        requests = int(args[at + 1])
        del args[at : at + 2]
    profile_to: Path | None = None
    if "--profile" in args:
        at = args.index("--profile")
        profile_to = Path(args[at + 1])
        del args[at : at + 2]
        PROFILES = {}
    options = parse([*SMALL, *args])
    p = plan(options)
    database.create(p.target)
    try:
        database.migrate(p.target, p.env, sys.executable)
        asyncio.run(run._seed(p.target, p.sizes))
        found = asyncio.run(measure(p, requests))
    finally:
        database.drop(p.target)
    if profile_to is not None and PROFILES is not None:
        profile_to.write_text(
            "".join(f"## {name}\n{text}\n" for name, text in PROFILES.items())
        )
        print(f"profiles written to {profile_to}")
    print(f"CPU ms per request ({p.target.kind}, {requests} requests, in-process):")
    for name, figures in found.items():
        print(
            f"  {name:12} executor {figures['executor']:.3f}  compiled "
            f"{figures['compiled']:.3f}  (compiled answered "
            f"{figures['compiled_compiled_share']:.0%})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
