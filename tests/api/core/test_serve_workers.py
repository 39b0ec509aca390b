"""`accord serve --workers 2` on PostgreSQL (server/workers.py): the parent hands
each accepted connection to the workers in turn, so keep-alive connections opened
at once are spread evenly; a worker that dies is replaced; SIGTERM lets an
in-flight request finish and leaves no worker behind.

Which worker holds a connection is read from /proc: the server side of each
client socket (found by its peer port in /proc/net/tcp) is a `socket:[inode]`
among exactly one process's file descriptors."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.conftest import scratch_database
from tests.network import ROOT, free_port, server_process

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc"
)

TYPENAME = json.dumps({"query": "{ __typename }"}).encode()


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with scratch_database("accord_serve") as url:
        yield url


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, database: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with server_process(
        tmp_path_factory, [], workers=2, ACCORD_DATABASE_URL=database
    ) as running:
        yield running


def workers_of(parent: int) -> set[int]:
    """The parent's worker processes (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    found = set()
    for pid in map(int, children):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            found.add(pid)
    return found


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def server_sides(port: int, peers: set[int]) -> dict[int, str]:
    """Peer port → inode of the server's socket for each connection from `peers`."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        peer = int(remote.split(":")[1], 16)
        if int(local.split(":")[1], 16) == port and peer in peers:
            found[peer] = inode
    return found


def holders(
    parent: int, port: int, conns: list[http.client.HTTPConnection]
) -> Counter[int]:
    """How many of `conns` each process of the server holds."""
    peers = {conn.sock.getsockname()[1] for conn in conns}
    sides = server_sides(port, peers)
    assert set(sides) == peers
    held: Counter[int] = Counter()
    for pid in {parent, *workers_of(parent)}:
        held[pid] += len(socket_inodes(pid) & set(sides.values()))
    assert sum(held.values()) == len(conns)  # each held by exactly one process
    return +held


@contextmanager
def keep_alive(base: str, count: int) -> Iterator[list[http.client.HTTPConnection]]:
    """`count` connections opened at once, each then answering two requests."""
    port = int(base.rsplit(":", 1)[1])
    with ExitStack() as stack:
        conns = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(count)]
        for conn in conns:
            conn.connect()
            stack.callback(conn.close)
        for _ in range(2):
            for conn in conns:
                assert ask(conn)["data"] == {"__typename": "Query"}
        yield conns


def ask(conn: http.client.HTTPConnection) -> dict[str, object]:
    conn.request("POST", "/graphql", TYPENAME, {"content-type": "application/json"})
    answer = conn.getresponse()
    assert answer.status == 200
    body: dict[str, object] = json.loads(answer.read())
    return body


@pytest.mark.parametrize("count", [2, 16])
def test_keep_alive_connections_opened_at_once_are_spread_evenly_over_the_workers(
    served: tuple[str, subprocess.Popen[bytes]], count: int
) -> None:
    base, process = served
    port = int(base.rsplit(":", 1)[1])
    with keep_alive(base, count) as conns:
        held = holders(process.pid, port, conns)
    assert process.pid not in held  # the parent kept no copy
    assert set(held) == workers_of(process.pid)
    assert sorted(held.values()) == [count // 2, count // 2]


def test_a_killed_worker_is_replaced_and_new_connections_reach_it(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = served
    port = int(base.rsplit(":", 1)[1])
    before = workers_of(process.pid)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = workers_of(process.pid)
        if len(now) == 2 and victim not in now:
            with keep_alive(base, 4) as conns:
                held = holders(process.pid, port, conns)
            if set(held) == now:
                assert sorted(held.values()) == [2, 2]
                return
        time.sleep(0.2)
    pytest.fail(f"no replacement served: workers {workers_of(process.pid)}")


def test_sigterm_lets_an_in_flight_request_finish_and_leaves_no_worker(
    tmp_path_factory: pytest.TempPathFactory, database: str
) -> None:
    with server_process(
        tmp_path_factory, [], workers=2, ACCORD_DATABASE_URL=database
    ) as (base, process):
        workers = workers_of(process.pid)
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as conn:
            head = (
                "POST /graphql HTTP/1.1\r\nhost: x\r\n"
                "content-type: application/json\r\n"
                f"content-length: {len(TYPENAME)}\r\n\r\n"
            )
            conn.sendall(head.encode() + TYPENAME[:5])
            time.sleep(0.5)  # the worker has the request's head: it is in flight
            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            conn.sendall(TYPENAME[5:])
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert process.wait(timeout=30) == 0
    assert answer.startswith(b"HTTP/1.1 200")
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["data"] == {"__typename": "Query"}
    assert answer.lower().count(b"connection: close") == 1
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists()


BROKEN_APP = """
async def app(scope, receive, send):
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "broken on purpose"})
"""
SERVE = """
import sys, uvicorn
from server import workers
config = uvicorn.Config("broken:app", port=int(sys.argv[1]), workers=2, lifespan="on")
try:
    workers.serve(config)
except workers.WorkerFailedToStart:
    sys.exit(3)
"""


def test_a_worker_that_cannot_start_stops_the_parent_with_a_failure(
    tmp_path: Path,
) -> None:
    (tmp_path / "broken.py").write_text(BROKEN_APP)
    done = subprocess.run(
        [sys.executable, "-c", SERVE, str(free_port())],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert "failed to start" in done.stderr


def test_workers_exit_when_their_parent_is_killed(
    tmp_path_factory: pytest.TempPathFactory, database: str
) -> None:
    with server_process(
        tmp_path_factory, [], workers=2, ACCORD_DATABASE_URL=database
    ) as (_, process):
        workers = workers_of(process.pid)
        assert len(workers) == 2
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


def alive(pid: int) -> bool:
    """Running, and not a zombie awaiting a reaper."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def test_connections_for_a_worker_that_does_not_read_wait_in_the_parent(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """A stopped worker's channel fills (a few hundred sockets); the parent keeps
    the rest and hands them over once the worker reads again: none is lost."""
    base, process = served
    port = int(base.rsplit(":", 1)[1])
    stopped = min(workers_of(process.pid))
    count = 800  # 400 for the stopped worker: more than its channel holds
    os.kill(stopped, signal.SIGSTOP)
    try:
        conns = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(count)]
        for conn in conns:
            conn.connect()
        time.sleep(0.5)  # the parent has accepted them all
    finally:
        os.kill(stopped, signal.SIGCONT)
    try:
        for conn in conns:
            assert ask(conn)["data"] == {"__typename": "Query"}
        held = holders(process.pid, port, conns)
        assert held[stopped] == count // 2
        assert sorted(held.values()) == [count // 2, count // 2]
    finally:
        for conn in conns:
            conn.close()
