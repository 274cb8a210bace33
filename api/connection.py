"""The HTTP/1.1 connection: uvicorn's httptools protocol with limits on the request head, on how long a
client may take to send its head and body, and on how many connections are open at once.

httptools sets no limit of its own: one request with a 100 MB header was read whole (9.9 s, `/healthz`
waiting 8 s meanwhile), and an idle or trickling connection was held for as long as the client liked.
h11 has a limit (`h11_max_incomplete_event_size`) but parses in Python. This keeps httptools' speed and
adds the checks at the points where it hands over data, so a refusal comes as soon as a limit is passed:

- the head (request line and headers) over `max_head_bytes`: 414 while still in the URL, else 431;
- one header line over `max_header_bytes`, or more than `max_headers` lines: 431;
- a head not complete `header_timeout_s` after the connection opened (or its first byte, after a kept-alive
  pause): 408, or a silent close when nothing came; a body not complete `body_timeout_s` after its head: 408;
- more than `max_connections` open: 503 `overloaded` at once, and closed.

Every refusal is the service's JSON error and closes the connection. The limits come from the settings
`needling serve` runs with; run by uvicorn itself, from the NEEDLING_* variables, read once per process.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from kg.errors import ERRORS
from kg.settings import Settings


@functools.cache
def configured_limits() -> Settings:
    """The NEEDLING_* settings of this process: the limits are read once, not on every connection."""
    return Settings()


class _Refused(Exception):
    """Raised in a parser callback to stop parsing; the refusal itself is in `LimitedHttpProtocol._refusal`."""


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with the limits above (pass it as uvicorn's `http`)."""

    def __init__(
        self,
        *args: Any,
        limits: Settings | None = None,
        draining: threading.Event | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or configured_limits()
        self.draining = draining
        """Set when this process is being replaced (a reload of `--workers N`): each answer closes its
        connection, so the client's next request goes to a process of the new graph."""
        self.timeout_keep_alive = self.limits.keep_alive_s  # type: ignore[assignment]
        self._in_head = True
        self._head_bytes = 0
        self._header_lines = 0
        self._since: float | None = None
        """When the head (or the body) being timed began; None while nothing is timed."""
        self._watchdog: asyncio.TimerHandle | None = None
        self._refusal: tuple[str, str] | None = None

    # ------------------------------------------------------------------ connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            message = (
                f"the service has {self.limits.max_connections} connections open, its most; try again shortly"
            )
            self._refuse("overloaded", message, b"retry-after: 1\r\n")
            return
        self._since = self.loop.time()  # an idle new connection is timed like a head that never comes
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            if self._since is None:
                self._since = self.loop.time()
            self._head_bytes += len(data)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            # A callback below stops the parser this way after noting the refusal; else the bytes are not HTTP.
            refusal, self._refusal = self._refusal, None
            self._refuse(*(refusal or ("bad_request", "the request is not valid HTTP/1.1")))
            return
        if (
            self._in_head
            and self._head_bytes > self.limits.max_head_bytes
            and not self.transport.is_closing()
        ):
            self._refuse(*self._head_too_large())

    # ------------------------------------------------------------------ parser callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_lines += 1
        if (
            self._header_lines > self.limits.max_headers
            or len(name) + len(value) > self.limits.max_header_bytes
        ):
            self._header_refused(name)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        # The body is timed from here; a request without one is complete before the parser returns.
        self._in_head, self._since = False, self.loop.time()
        super().on_headers_complete()
        if self.draining is not None and self.draining.is_set() and self.cycle is not None:
            self.cycle.keep_alive = False

    def on_message_complete(self) -> None:
        # Until the next request's first byte nothing is timed here: uvicorn's keep-alive timer closes an
        # idle kept-alive connection.
        self._in_head, self._since, self._head_bytes, self._header_lines = True, None, 0, 0
        super().on_message_complete()

    # ------------------------------------------------------------------ refusals and timers

    def _head_too_large(self) -> tuple[str, str]:
        limit = f"{self.limits.max_head_bytes:,} bytes"
        if self._header_lines == 0:
            return "uri_too_long", f"the request line is longer than the limit of {limit}"
        return "header_too_large", f"the request headers are larger than the limit of {limit}"

    def _header_refused(self, name: bytes) -> None:
        if self._header_lines > self.limits.max_headers:
            self._stop(
                "too_many_headers", f"a request may have at most {self.limits.max_headers} header lines"
            )
        shown, limit = name[:40].decode("latin-1"), self.limits.max_header_bytes
        self._stop("header_too_large", f"the header {shown} is longer than the limit of {limit:,} bytes")

    def _stop(self, code: str, message: str) -> None:
        self._refusal = (code, message)
        raise _Refused(message)

    def _watch(self) -> None:
        """One timer a connection, not one a request (arming and cancelling a timer for every request
        cost 6 to 20 us of a keep-alive GET): it wakes when the phase being timed would run out, and
        either refuses or sleeps again until the new phase's end."""
        self._watchdog = None
        if self.transport.is_closing():
            return
        limit = self.limits.header_timeout_s if self._in_head else self.limits.body_timeout_s
        left = limit if self._since is None else self._since + limit - self.loop.time()
        if left <= 0:
            self._timed_out(limit)
            return
        self._watchdog = self.loop.call_later(left, self._watch)

    def _timed_out(self, limit: float) -> None:
        if self._in_head and self._head_bytes == 0:
            self.transport.close()  # an idle connection: nothing was asked, nothing to answer
            return
        what = "request head" if self._in_head else "request body"
        self._refuse("request_timeout", f"the {what} did not arrive within {limit:g} s")

    def _refuse(self, code: str, message: str, extra: bytes = b"") -> None:
        """Answer with the JSON error (its status from kg.errors.ERRORS) and close; only close when an
        answer is already under way."""
        status = ERRORS[code].status
        cycle = self.cycle
        if self._in_head:  # a new request: answerable unless the answer to an earlier one is still going out
            answerable = cycle is None or cycle.response_complete
        else:  # this request's body: answerable until the app starts answering it
            answerable = cycle is not None and not cycle.response_started
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app sees a client that went away; nothing more is written
        if answerable:
            body = json.dumps({"error": {"code": code, "message": message}}).encode()
            head = [STATUS_LINE[status]]
            head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
            head += [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode() + b"\r\n",
                b"connection: close\r\n",
                extra,
                b"\r\n",
            ]
            self.transport.write(b"".join(head) + body)
        self.transport.close()
