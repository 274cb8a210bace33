"""The sandbox's wire: one message each way on a Unix socket pair, a fixed binary head then raw bytes.

A request is the result format's key and the query's text; a reply is the serialized body with its media
type, or an error code and message. Nothing is pickled: before this, each query cost two pickled objects
(the request, the answer's head) and a third message for the body, so the parent woke twice per answer.
Now the worker writes head and body with one `sendmsg` and the parent reads each with one `recv`
(`MSG_WAITALL`), which hands back the body as the `bytes` the response sends: no copy in between.
"""

from __future__ import annotations

import select
import socket
import struct
from dataclasses import dataclass

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


def send_request(sock: socket.socket, result_format: str, query: str) -> None:
    key, text = result_format.encode(), query.encode("utf-8", "surrogatepass")
    sock.sendall(_REQUEST.pack(len(key), len(text)) + key + text)


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
