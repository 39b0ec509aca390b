"""Each response leaves in one write: uvicorn's separate writes of the status
line with headers and of the body are held for the loop turn and sent together
(`server.transport`), in order, with nothing lost on close and nothing sent
after an abort."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from server.transport import CoalescedTransport
from tests.transports import serving


class Wire:
    """A transport recording what is written to it, call by call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.buffered = 7

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def writelines(self, lines: list[bytes]) -> None:
        self.calls.append(("writelines", list(lines)))

    def close(self) -> None:
        self.calls.append(("close", None))

    def write_eof(self) -> None:
        self.calls.append(("write_eof", None))

    def abort(self) -> None:
        self.calls.append(("abort", None))

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return False


async def _turn() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_writes_in_one_loop_turn_leave_together_in_order() -> None:
    wire = Wire()
    transport = CoalescedTransport(wire, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(bytearray(b"body"))
    transport.writelines([b"-", memoryview(b"more")])
    assert wire.calls == []
    assert transport.get_write_buffer_size() == 7 + 19 + 4 + 1 + 4
    await _turn()
    assert wire.calls == [
        ("writelines", [b"HTTP/1.1 200 OK\r\n\r\n", b"body", b"-", b"more"])
    ]
    transport.write(b"next")
    await _turn()
    assert wire.calls[-1] == ("write", b"next")
    assert transport.is_closing() is False  # the rest is the transport's own


async def test_close_and_eof_send_what_is_held_first_and_abort_drops_it() -> None:
    wire = Wire()
    transport = CoalescedTransport(wire, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"last words")
    transport.close()
    transport.write(b"half")
    transport.write_eof()
    transport.write(b"never sent")
    transport.abort()
    await _turn()
    assert wire.calls == [
        ("write", b"last words"),
        ("close", None),
        ("write", b"half"),
        ("write_eof", None),
        ("abort", None),
    ]


async def _hello(request: Any) -> PlainTextResponse:
    return PlainTextResponse("hello " + request.query_params.get("n", ""))


async def _stream(request: Any) -> StreamingResponse:
    async def chunks() -> Any:
        for n in range(50):
            yield f"chunk {n}\n".encode()
            if n % 10 == 0:
                await asyncio.sleep(0)

    return StreamingResponse(chunks(), media_type="text/plain")


def _exchange(port: int) -> list[bytes]:
    """Three requests on one keep-alive connection (the last closes it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"GET /hello?n=1 HTTP/1.1\r\nhost: x\r\n\r\n")
        first = conn.recv(65536)
        conn.sendall(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
        second = b""
        while not second.endswith(b"0\r\n\r\n"):
            second += conn.recv(65536)
        conn.sendall(b"GET /hello?n=3 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        third = b""
        while chunk := conn.recv(65536):
            third += chunk
    return [first, second, third]


async def test_a_served_response_arrives_whole_over_a_kept_alive_connection() -> None:
    """Headers and body of a small answer in the first read; a streamed answer
    in order; a closing answer complete before the close."""
    app = Starlette(routes=[Route("/hello", _hello), Route("/stream", _stream)])
    async with serving(app) as base:
        port = int(base.rsplit(":", 1)[1])
        first, second, third = await asyncio.to_thread(_exchange, port)
    assert first.startswith(b"HTTP/1.1 200 OK\r\n") and first.endswith(
        b"\r\n\r\nhello 1"
    )
    body = b"".join(f"chunk {n}\n".encode() for n in range(50))
    assert b"transfer-encoding: chunked" in second
    assert _dechunk(second.split(b"\r\n\r\n", 1)[1]) == body
    assert third.startswith(b"HTTP/1.1 200 OK\r\n") and third.endswith(b"hello 3")


def _dechunk(data: bytes) -> bytes:
    out = b""
    while True:
        size_line, data = data.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            return out
        out, data = out + data[:size], data[size + 2 :]
