"""The sandbox's wire: one message each way on a Unix socket pair, a fixed binary head then raw bytes.

A request is the result format's key and the query's text; a reply is the serialized body with its media
type, or an error code and message. Nothing is pickled: before this, each query cost two pickled objects
(the request, the answer's head) and a third message for the body, so the parent woke twice per answer.
Now the worker writes head and body with one `sendmsg` and the parent reads each with one `recv`
(`MSG_WAITALL`), which hands back the body as the `bytes` the response sends: no copy in between.
An event loop talks to a worker with `exchange_async` instead: the same bytes, read as they come without
ever blocking, so the HTTP service needs no thread to wait for an answer.
"""

from __future__ import annotations

import asyncio
import select
import socket
import struct
from dataclasses import dataclass
from typing import Any

_REQUEST = struct.Struct("!BQ")  # format key length, query length (UTF-8 bytes)
_REPLY = struct.Struct("!BBQHQ")  # kind, truncated, rows, label length, body length
DONE, FAILED, FAILED_RETIRE = 0, 1, 2


@dataclass(frozen=True)
class Reply:
    """An answer (`kind` DONE: `label` is its media type) or a failure (`label` is the error code,
    `body` the message; FAILED_RETIRE when the worker will not take another query)."""

    kind: int
    truncated: bool
    rows: int
    label: str
    body: bytes

    @property
    def message(self) -> str:
        return self.body.decode("utf-8", "replace")


def encode_request(result_format: str, query: str) -> bytes:
    key, text = result_format.encode(), query.encode("utf-8", "surrogatepass")
    return _REQUEST.pack(len(key), len(text)) + key + text


def send_request(sock: socket.socket, result_format: str, query: str) -> None:
    sock.sendall(encode_request(result_format, query))


def read_request(sock: socket.socket) -> tuple[str, str]:
    """The next request (format key, query text); EOFError when the parent has gone."""
    key_length, text_length = _REQUEST.unpack(_recv_exact(sock, _REQUEST.size))
    payload = _recv_exact(sock, key_length + text_length)
    return payload[:key_length].decode(), payload[key_length:].decode("utf-8", "surrogatepass")


def send_reply(
    sock: socket.socket, kind: int, label: str, body: bytes, *, truncated: bool = False, rows: int = 0
) -> None:
    """Head and body in one system call when the socket takes them (a large body goes on in pieces)."""
    tag = label.encode()
    head = _REPLY.pack(kind, truncated, rows, len(tag), len(body)) + tag
    parts = [memoryview(head), memoryview(body)]
    while parts:
        sent = sock.sendmsg(parts)
        while parts and sent >= len(parts[0]):
            sent -= len(parts[0])
            parts.pop(0)
        if parts and sent:
            parts[0] = parts[0][sent:]


def read_reply(sock: socket.socket) -> Reply:
    """The worker's answer, once it has started to arrive; EOFError when the worker died instead."""
    kind, truncated, rows, label_length, body_length = _REPLY.unpack(_recv_exact(sock, _REPLY.size))
    label = _recv_exact(sock, label_length).decode() if label_length else ""
    return Reply(kind, bool(truncated), rows, label, _recv_exact(sock, body_length))


async def exchange_async(sock: socket.socket, request: bytes, timeout_s: float) -> Reply | None:
    """Send a request and await its reply on the running loop, which never blocks on the socket (the socket
    stays blocking for threads: every call here says MSG_DONTWAIT); None when `timeout_s` passes first,
    EOFError when the worker died instead."""
    loop = asyncio.get_running_loop()
    expires = loop.time() + timeout_s
    fd = sock.fileno()
    view = memoryview(request)
    while view:
        try:
            view = view[sock.send(view, socket.MSG_DONTWAIT) :]
        except BlockingIOError:
            if not await _ready(loop, fd, expires, loop.add_writer, loop.remove_writer):
                return None
    pieces: list[bytes] = []
    got, total = 0, _REPLY.size
    while got < total:
        if not await _ready(loop, fd, expires, loop.add_reader, loop.remove_reader):
            return None
        while got < total:  # whatever has arrived; one piece when the reply is small
            try:
                piece = sock.recv(max(total - got, _FIRST_READ), socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            if not piece:
                raise EOFError("the worker closed the connection")
            pieces.append(piece)
            got += len(piece)
            if total == _REPLY.size and got >= total:
                total += sum(_REPLY.unpack_from(b"".join(pieces))[3:])
    data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    kind, truncated, rows, label_length, _ = _REPLY.unpack_from(data)
    label = data[_REPLY.size : _REPLY.size + label_length].decode()
    return Reply(kind, bool(truncated), rows, label, data[_REPLY.size + label_length :])


_FIRST_READ = 65536
"""Bytes asked of the first read: a typical answer comes whole in one call."""


async def _ready(loop: asyncio.AbstractEventLoop, fd: int, expires: float, watch: Any, unwatch: Any) -> bool:
    """Whether `fd` becomes ready (by `watch`: add_reader or add_writer) before the loop time `expires`."""
    ready: asyncio.Future[bool] = loop.create_future()
    watch(fd, _settle, ready, True)
    timer = loop.call_at(expires, _settle, ready, False)
    try:
        return await ready
    finally:
        unwatch(fd)
        timer.cancel()


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


def wait_readable(poller: select.poll, timeout_s: float) -> bool:
    """Whether something (a reply, or end-of-file) can be read within `timeout_s` seconds."""
    return bool(poller.poll(max(0, int(timeout_s * 1000 + 0.999))))


def readable_now(sock: socket.socket) -> bool:
    """An idle worker has nothing to say: anything readable (or an error) means it is gone."""
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return True


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    if size == 0:
        return b""
    data = sock.recv(size, socket.MSG_WAITALL)
    if len(data) == size:
        return data
    chunks = [data]
    got = len(data)
    while data and got < size:  # interrupted by a signal: go on; end-of-file: stop
        data = sock.recv(size - got, socket.MSG_WAITALL)
        chunks.append(data)
        got += len(data)
    if got < size:
        raise EOFError("the other end closed the connection")
    return b"".join(chunks)
