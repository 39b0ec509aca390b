"""`python -m bench.decay_child`: one timed `decay_pass` against the server's
database (``ACCORD_DATABASE_URL``), printed as one JSON line.

The scoring scenarios run it in a child process once the server is stopped, so
the pass is timed alone; it is the function the server's periodic job calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

from bench import procstat
from server import db
from server.clock import clock
from server.services.leads.decay import decay_pass
from server.settings import load_settings
from server.wiring import wire


async def main() -> dict[str, float | int]:
    settings = load_settings(dict(os.environ))
    wire(settings)
    context = await db.open_database(settings, global_fallback=True)
    try:
        started = time.perf_counter()
        done = await decay_pass(clock.now())
        seconds = time.perf_counter() - started
    finally:
        await db.close_database(context)
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across execve, so a child
    # would report the peak of the harness that started it
    peak = procstat.memory_mib_of(os.getpid(), "VmHWM")
    return {
        "seconds": seconds,
        "leads": done.leads,
        "changed": done.changed,
        "rss_peak_mib": peak,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
