"""A serving process of `needling serve --workers N`: uvicorn on the app the parent's graph was loaded into,
taking its share of the connections on the inherited socket (api/balance.py), until replaced or stopped."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from api.app import create_app
from api.balance import ConnectionCounts, accept_evenly
from api.connection import LimitedHttpProtocol
from api.state import Snapshot
from kg.settings import Settings

log = logging.getLogger("needling.processes")
_ORPHAN_CHECK_S = 1.0


Share = tuple[ConnectionCounts, int]
"""The connection counts of all serving processes, and this one's slot in them."""


@dataclass(frozen=True)
class Child:
    """What a serving process is started with: the parent's settings and graph, the listening socket it
    inherits, the pipe it acknowledges a reload on, its status file, and its share of the connections."""

    settings: Settings
    snapshot: Snapshot | None
    listening: socket.socket
    ack: int
    status: Path | None
    share: Share


def child_main(child: Child) -> NoReturn:
    """Body of a forked serving process: never returns into the parent's loop."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # after uvicorn's graceful stop: status 0
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGUSR1, signal.SIG_DFL)
        _serve_child(child)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        code = 0
    except BaseException:
        log.exception("serving process %d failed", os.getpid())
        code = 1
    finally:
        os._exit(code)


def _serve_child(child: Child) -> None:
    import uvicorn

    settings = child.settings
    draining = threading.Event()
    app = create_app(settings, snapshot=child.snapshot, status_file=child.status)
    config = uvicorn.Config(
        app,
        http=functools.partial(LimitedHttpProtocol, limits=settings, draining=draining),  # type: ignore[arg-type]
        ws="none",
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    factory = config.get_loop_factory() or asyncio.new_event_loop
    loop = factory()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(
            _serve_until_replaced(
                server, child.listening, child.ack, draining, settings.keep_alive_s, child.share
            )
        )
    finally:
        loop.close()


async def _serve_until_replaced(
    server: object,
    listening: socket.socket,
    ack: int,
    draining: threading.Event,
    keep_alive_s: float,
    share: Share,
) -> None:
    import uvicorn

    assert isinstance(server, uvicorn.Server)
    loop = asyncio.get_running_loop()
    replaced = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, replaced.set)

    async def accept() -> None:
        while not server.started:  # uvicorn has started the app (and made its state) once this is set
            await asyncio.sleep(0.01)
        config = server.config
        protocol: Callable[[], asyncio.Protocol] = functools.partial(
            config.http_protocol_class,  # what uvicorn's own listener would make for each connection
            config=config,
            server_state=server.server_state,
            app_state=server.lifespan.state,
        )  # type: ignore[call-arg]
        await accept_evenly(listening, protocol, *share, lambda: len(server.server_state.connections))

    accepting = asyncio.create_task(accept())

    async def drain_when_replaced() -> None:
        await replaced.wait()
        draining.set()
        accepting.cancel()  # no new connection here: the others keep accepting on their copies of the socket
        counts, slot = share
        counts.publish(slot, 2**62)  # until this slot's process of the next generation says how many it has
        listening.close()
        os.write(ack, b".")
        os.close(ack)
        give_up = loop.time() + keep_alive_s + 1.0
        while server.server_state.connections and loop.time() < give_up:
            await asyncio.sleep(0.05)
        server.should_exit = True

    async def stop_when_orphaned() -> None:
        parent = os.getppid()
        while os.getppid() == parent:  # the parent was killed outright: nobody would stop this process
            await asyncio.sleep(_ORPHAN_CHECK_S)
        server.should_exit = True

    async def stop_accepting_when_stopping() -> None:
        while not server.should_exit:  # uvicorn's own listeners would close first thing on a stop
            await asyncio.sleep(0.05)
        accepting.cancel()

    watchers = [
        accepting,
        asyncio.create_task(drain_when_replaced()),
        asyncio.create_task(stop_when_orphaned()),
        asyncio.create_task(stop_accepting_when_stopping()),
    ]
    try:
        await server.serve(sockets=[])  # uvicorn opens no listener of its own: `accept` takes the connections
    finally:
        for watcher in watchers:
            watcher.cancel()
