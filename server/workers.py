"""`accord serve --workers N` (N > 1): a parent that accepts every connection and
hands it to a worker in turn, instead of uvicorn's workers accepting on one
shared socket.

With a shared socket the worker whose event loop wakes first accepts every
connection waiting (libuv accepts until EAGAIN), so the few keep-alive
connections of a load generator or a proxy often all land on one worker while
the others idle. Here the parent accepts, and passes each connection's file
descriptor (SCM_RIGHTS over a Unix socket pair, one per worker) to the next
ready worker, round-robin — what Node's cluster module does on Linux. A worker
serves a handed socket with the HTTP protocol uvicorn would have used.

A worker joins the rotation once its lifespan has started (it says "ready" on
its channel). The parent starts accepting when all N workers are ready (so the
first connections are spread too), and stops while none is; meanwhile
connections wait in the listen backlog. A worker that dies is replaced; one that exits
before it was ever ready (a broken app or database) stops the parent, which then
fails. SIGINT or SIGTERM stops accepting, then stops the workers as uvicorn does
(in-flight requests finish). A worker whose parent is gone sees its channel
close and shuts down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.context import SpawnProcess
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("uvicorn.error")

READY = b"ready"
HANDED = b"c"
_SPAWN = multiprocessing.get_context("spawn")
# Connections accepted per wake-up before the parent looks at its workers again.
_ACCEPT_BURST = 64

Handler = Callable[[int], None]


class WorkerFailedToStart(Exception):
    """A worker exited before it was ready: the app cannot start."""


class Worker:
    """One worker process and the parent's end of its channel."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process: SpawnProcess = _SPAWN.Process(
            target=serve_handed, args=(config, theirs)
        )
        self.process.start()
        theirs.close()
        self.channel.setblocking(False)
        self.ready = False
        self.waiting: deque[socket.socket] = deque()

    @property
    def pid(self) -> int:
        assert self.process.pid is not None  # started
        return self.process.pid

    def send_waiting(self) -> bool:
        """Send what waits for this worker; False when its channel is full."""
        while self.waiting:
            conn = self.waiting[0]
            try:
                socket.send_fds(self.channel, [HANDED], [conn.fileno()])
            except BlockingIOError:
                return False
            except OSError:
                return True  # the worker is gone: its exit hands these on
            self.waiting.popleft().close()
        return True


class Supervisor:
    """The parent: binds, spawns, accepts, hands over, replaces, stops."""

    def __init__(self, config: uvicorn.Config) -> None:
        self.config = config
        self.selector = selectors.DefaultSelector()
        self.workers: list[Worker] = []
        self.unplaced: deque[socket.socket] = deque()
        self.turn = 0
        self.stopping = False
        self.failed = False
        self.listener: socket.socket | None = None
        self.listening = False
        self.opened = False  # every worker has been ready once

    def run(self) -> None:
        """Serve until a signal stops it; raises WorkerFailedToStart."""
        self.listener = self.config.bind_socket()
        self.listener.listen(self.config.backlog)
        self.listener.setblocking(False)
        self.wake, wake_write = socket.socketpair()
        self.wake.setblocking(False)
        wake_write.setblocking(False)
        self.selector.register(self.wake, selectors.EVENT_READ, self._on_signal)
        old_wakeup = signal.set_wakeup_fd(wake_write.fileno())
        old_handlers = {
            sig: signal.signal(sig, lambda *_: None)
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        logger.info("Started parent process [%d]", os.getpid())
        try:
            for _ in range(self.config.workers):
                self._spawn()
            while not self.stopping:
                for key, events in self.selector.select():
                    key.data(events)
        finally:
            self._stop()
            signal.set_wakeup_fd(old_wakeup)
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
            self.wake.close()
            wake_write.close()
        logger.info("Stopping parent process [%d]", os.getpid())
        if self.failed:
            raise WorkerFailedToStart

    def _spawn(self) -> Worker:
        worker = Worker(self.config)
        self.workers.append(worker)
        self.selector.register(
            worker.channel, selectors.EVENT_READ, self._bound(self._on_channel, worker)
        )
        self.selector.register(
            worker.process.sentinel,
            selectors.EVENT_READ,
            self._bound(self._on_exit, worker),
        )
        logger.info("Started worker process [%d]", worker.pid)
        return worker

    def _bound(self, handler: Callable[[Worker, int], None], worker: Worker) -> Handler:
        """The handler for one worker's events, deaf once the worker is gone
        (its channel's and its exit's events can come in one batch)."""

        def handle(events: int) -> None:
            if worker in self.workers:
                handler(worker, events)

        return handle

    def _on_signal(self, _events: int) -> None:
        received = self.wake.recv(64)
        names = ", ".join(signal.Signals(n).name for n in received)
        logger.info("Received %s, exiting.", names or "a signal")
        self.stopping = True

    def _on_channel(self, worker: Worker, events: int) -> None:
        if events & selectors.EVENT_WRITE and worker.send_waiting():
            self._watch_channel(worker, writable=False)
        if events & selectors.EVENT_READ:
            try:
                said = worker.channel.recv(16)
            except (BlockingIOError, ConnectionError):
                return
            if said == READY:
                worker.ready = True
                self.opened = self.opened or all(w.ready for w in self.workers)
                self._listen()
                self._place_unplaced()

    def _on_exit(self, worker: Worker, _events: int) -> None:
        self.selector.unregister(worker.process.sentinel)
        self.selector.unregister(worker.channel)
        worker.process.join()
        worker.channel.close()
        self.workers.remove(worker)
        self.unplaced.extend(worker.waiting)
        if not worker.ready:
            logger.error(
                "Worker process [%d] failed to start (exit code %s), "
                "stopping the parent process.",
                worker.pid,
                worker.process.exitcode,
            )
            self.failed = self.stopping = True
            return
        logger.info(
            "Worker process [%d] died (exit code %s)",
            worker.pid,
            worker.process.exitcode,
        )
        if self.stopping:
            return
        self._listen()
        self._place_unplaced()
        self._spawn()

    def _place_unplaced(self) -> None:
        while self.unplaced and any(w.ready for w in self.workers):
            self._hand(self.unplaced.popleft())

    def _listen(self) -> None:
        assert self.listener is not None
        on = self.opened and not self.stopping and any(w.ready for w in self.workers)
        if on and not self.listening:
            self.selector.register(self.listener, selectors.EVENT_READ, self._accept)
        elif not on and self.listening:
            self.selector.unregister(self.listener)
        self.listening = on

    def _accept(self, _events: int) -> None:
        assert self.listener is not None
        for _ in range(_ACCEPT_BURST):
            try:
                conn, _address = self.listener.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:  # e.g. out of file descriptors: try later
                logger.error("accept failed: %s", exc)
                time.sleep(0.1)
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._hand(conn)

    def _hand(self, conn: socket.socket) -> None:
        """Give the connection to the next ready worker, round-robin."""
        ready = [w for w in self.workers if w.ready]
        if not ready:
            self.unplaced.append(conn)
            return
        self.turn = (self.turn + 1) % len(ready)
        worker = ready[self.turn]
        worker.waiting.append(conn)
        if len(worker.waiting) == 1 and not worker.send_waiting():
            self._watch_channel(worker, writable=True)

    def _watch_channel(self, worker: Worker, writable: bool) -> None:
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if writable else 0)
        self.selector.modify(
            worker.channel, events, self._bound(self._on_channel, worker)
        )

    def _stop(self) -> None:
        """Stop accepting, then stop the workers and wait for them."""
        self.stopping = True
        if self.listener is not None:
            self._listen()
            self.listener.close()
        for conn in [*self.unplaced, *(c for w in self.workers for c in w.waiting)]:
            conn.close()
        for worker in self.workers:
            if worker.process.exitcode is None:
                os.kill(worker.pid, signal.SIGTERM)
                logger.info("Terminated worker process [%d]", worker.pid)
        for worker in self.workers:
            logger.info("Waiting for worker process [%d]", worker.pid)
            worker.process.join()
            worker.channel.close()
        self.selector.close()


def serve(config: uvicorn.Config) -> None:
    """Run the parent with `config.workers` workers; raises WorkerFailedToStart."""
    Supervisor(config).run()


def serve_handed(config: uvicorn.Config, channel: socket.socket) -> None:
    """A worker process's body (spawned, so logging is set up again here)."""
    config.configure_logging()
    with contextlib.suppress(KeyboardInterrupt):  # the parent is stopping us
        HandedServer(config, channel).run()


class HandedServer(uvicorn.Server):
    """uvicorn's server, serving the sockets its channel hands it instead of
    listening itself."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self.opening: set[asyncio.Task[Any]] = set()
        self.reading = False

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(STARTUP_FAILURE)
        self.servers = []
        self.channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self.channel.fileno(), self._take)
        self.reading = True
        self.channel.send(READY)
        self.started = True

    def _protocol(self) -> asyncio.Protocol:
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )
        return protocol

    def _take(self) -> None:
        """Serve every connection waiting in the channel."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                message, fds, _flags, _address = socket.recv_fds(self.channel, 16, 4)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            if not message:  # the parent is gone
                self._stop_reading()
                self.should_exit = True
                return
            for fd in fds:
                conn = socket.socket(fileno=fd)
                task = loop.create_task(
                    loop.connect_accepted_socket(self._protocol, conn)
                )
                self.opening.add(task)
                task.add_done_callback(self._opened)

    def _stop_reading(self) -> None:
        if self.reading:
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
            self.channel.close()
            self.reading = False

    def _opened(self, task: asyncio.Task[Any]) -> None:
        self.opening.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning(
                "a handed connection could not be served: %s", task.exception()
            )

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Serve what was already handed, then stop reading the channel: the
        # parent stops handing before it stops a worker.
        if self.reading:
            self._take()
            self._stop_reading()
        if self.opening:
            await asyncio.wait(set(self.opening))
        await super().shutdown(sockets)
