"""HTTP/1.1 as uvicorn's httptools protocol speaks it, each response sent in one
write.

uvicorn writes a response's status line and headers when the app starts the
response and its body when the app sends it: two system calls and two TCP
segments for every small answer, and the first wakes the client only for it to
wait for the second (on a 50-lead page the header write alone was a fifth of a
worker's time). Here a connection's writes made during one turn of the event
loop are held and go out together at the end of the turn (one `writelines`), so
a response is one write whatever the app's messages; order is kept, `close`
and `write_eof` send what is held first, `abort` drops it.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescedTransport:
    """A transport whose writes in one loop turn leave as one (everything else
    is the wrapped transport's own)."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(
        self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is None:
            self._held = [bytes(data)]
            self._loop.call_soon(self.flush)
        else:
            held.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what is held now (the loop does it at the end of the turn)."""
        held, self._held = self._held, None
        if not held:
            return
        if len(held) == 1:
            self._transport.write(held[0])
        else:
            self._transport.writelines(held)

    def get_write_buffer_size(self) -> int:
        held = sum(len(d) for d in self._held or ())
        return held + self._transport.get_write_buffer_size()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a `CoalescedTransport` (`accord
    serve` names it as uvicorn's ``http`` class)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not `asyncio.Transport` instances
        wrapped: Any = CoalescedTransport(cast(asyncio.Transport, transport), self.loop)
        super().connection_made(wrapped)


# How `accord serve` names it to uvicorn (workers import it by this name).
HTTP_PROTOCOL = f"{__name__}:{HttpProtocol.__name__}"
