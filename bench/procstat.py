"""CPU and memory readings from /proc (Linux): who used the machine, and how much.

A `Meter` brackets one measurement and reports the CPU seconds spent by the
server's process tree, by PostgreSQL, by the load generator (a child process of
the harness), and how busy the whole machine was.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from types import TracebackType

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _comm(pid: int) -> str:
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for pid in _pids():
        try:
            out[pid] = int(_stat(pid)[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return out


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (`accord serve --workers N` forks N)."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def tree_cpu(root: int) -> float:
    return sum(cpu_seconds(pid) for pid in process_tree(root))


def postgres_cpu() -> float | None:
    """CPU of every PostgreSQL process on the machine; None when none runs.

    Backends come and go; the postmaster's reaped-children time keeps theirs.
    """
    total, found = 0.0, False
    parents = _parents()
    for pid, parent in parents.items():
        try:
            if _comm(pid) != "postgres":
                continue
            found = True
            is_postmaster = parent not in parents or _comm(parent) != "postgres"
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += cpu_seconds(pid, reaped=is_postmaster)
    return total if found else None


def machine_cpu() -> tuple[float, float]:
    """(all, busy) CPU seconds since boot, summed over every core."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) / TICKS, (sum(values) - idle) / TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def memory_mib(root: int, key: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) summed over the process tree, MiB."""
    total = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def memory_mib_of(pid: int, key: str) -> float:
    """``VmRSS`` or ``VmHWM`` of one process, MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def reset_peak_memory(root: int) -> bool:
    """Restart VmHWM from the current RSS, so the peak measured is the load's.

    Start-up has its own peak (the password hasher's 64 MiB dummy hash), which
    would otherwise hide what serving costs. Needs Linux ≥ 4.0 and our own process.
    """
    try:
        for pid in process_tree(root):
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
    except OSError:
        return False
    return True


def busy_pct(seconds: float) -> float:
    """How busy the whole machine is over the next ``seconds``."""
    all0, busy0 = machine_cpu()
    time.sleep(seconds)
    all1, busy1 = machine_cpu()
    return 100.0 * (busy1 - busy0) / max(all1 - all0, 1e-9)


def wait_for_quiet(limit_s: float, threshold_pct: float = 20.0) -> tuple[float, bool]:
    """Wait up to ``limit_s`` for a quiet second; return (waited, quiet reached).

    The machine may be shared (other builds, other tests): a measurement started
    while it is busy says more about the neighbours than about the server.
    """
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if busy_pct(1.0) < threshold_pct:
            return time.monotonic() - started, True
    return time.monotonic() - started, limit_s <= 0


@dataclass
class Usage:
    server_s: float = 0.0
    postgres_s: float | None = None
    loadgen_s: float = 0.0
    machine_busy_pct: float = 0.0


class Meter:
    """Brackets a measurement; ``usage`` holds the deltas afterwards."""

    def __init__(self, server_pid: int | None = None) -> None:
        self.server_pid = server_pid
        self.usage = Usage()

    def _server(self) -> float:
        return tree_cpu(self.server_pid) if self.server_pid else 0.0

    def __enter__(self) -> Meter:
        self._server0, self._pg0 = self._server(), postgres_cpu()
        self._children0, self._machine0 = children_cpu(), machine_cpu()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        (all1, busy1), (all0, busy0) = machine_cpu(), self._machine0
        pg1 = postgres_cpu()
        self.usage = Usage(
            server_s=self._server() - self._server0,
            postgres_s=None if pg1 is None or self._pg0 is None else pg1 - self._pg0,
            loadgen_s=children_cpu() - self._children0,
            machine_busy_pct=100.0 * (busy1 - busy0) / max(all1 - all0, 1e-9),
        )
