"""`--workers N`: each serving process takes new connections only while it holds no more than the others.

All N processes accept on one inherited socket. Left to uvicorn (uvloop accepts every pending connection
each time the socket is readable), whichever process woke first took a whole burst: 16 keep-alive
connections opened at once were split 2/14, 1/15, 16/0 and 1/15 in four tries, and a process with one
connection idles while its client waits, so two processes served little more than one. Here each
process accepts one connection at a time, and one that holds more connections than the fewest any other
holds (the counts sit in memory the parent shares with every child) waits a moment first, so that one
takes it: the same burst now splits 8/8 or 7/9. A process that is busy does not keep a connection
waiting long: after `DEFER_S` the one that woke takes it anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mmap
import socket
import struct
from collections.abc import Callable

log = logging.getLogger("needling.balance")
DEFER_S = 0.002
"""How long a process with more connections than another waits for that one to take a new connection."""
_COUNT = struct.Struct("=q")
_ACCEPT_ERROR_PAUSE_S = 0.1


class ConnectionCounts:
    """One count of open connections per serving process, in memory shared across fork (made before it)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._memory = mmap.mmap(-1, _COUNT.size * slots)  # anonymous and shared: children see each other

    def publish(self, slot: int, count: int) -> None:
        _COUNT.pack_into(self._memory, slot * _COUNT.size, count)

    def fewest_elsewhere(self, slot: int) -> int | None:
        """The fewest connections any other process holds (None when there is no other)."""
        others = [
            _COUNT.unpack_from(self._memory, i * _COUNT.size)[0] for i in range(self.slots) if i != slot
        ]
        return min(others) if others else None


async def accept_evenly(
    listening: socket.socket,
    protocol_factory: Callable[[], asyncio.Protocol],
    counts: ConnectionCounts,
    slot: int,
    open_connections: Callable[[], int],
) -> None:
    """Accept connections on `listening` and hand each to `protocol_factory`'s protocol, until cancelled."""
    loop = asyncio.get_running_loop()
    listening.setblocking(False)  # as uvloop had it: a sibling may take a connection between wake and accept
    deferred = False
    while True:
        await _readable(loop, listening)
        held = open_connections()
        counts.publish(slot, held)
        fewest = counts.fewest_elsewhere(slot)
        if not deferred and fewest is not None and held > fewest:
            deferred = True
            await asyncio.sleep(DEFER_S)
            continue
        deferred = False
        try:
            connection, _ = listening.accept()
        except (BlockingIOError, InterruptedError):  # another process took it
            continue
        except OSError as exc:  # out of descriptors, say: the connection waits in the backlog meanwhile
            log.warning("cannot accept a connection: %s", exc)
            await asyncio.sleep(_ACCEPT_ERROR_PAUSE_S)
            continue
        counts.publish(slot, held + 1)
        try:
            await loop.connect_accepted_socket(protocol_factory, connection)
        except OSError:
            connection.close()  # the client already went away


async def _readable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    ready: asyncio.Future[None] = loop.create_future()
    loop.add_reader(sock.fileno(), _settle, ready)
    try:
        await ready
    finally:
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(sock.fileno())


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
