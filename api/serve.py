"""`needling serve`: build the app from the settings and run it under uvicorn with the connection limits
(in one process, or in several: api/processes.py)."""

from __future__ import annotations

import functools
import logging
import signal
import sys

from api.app import create_app
from api.connection import LimitedHttpProtocol
from kg.settings import Settings


def serve(settings: Settings, *, fd: int | None = None) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    processes = settings.process_count()
    if processes > 1:
        from api.processes import serve_processes

        return serve_processes(settings, processes, fd=fd)
    # uvicorn finishes in-flight requests on SIGTERM, then re-raises the signal; with this handler in
    # place that ends the process with status 0, as a service manager expects of a clean stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        fd=fd,
        # httptools with limits on the request head, read timeouts and a connection cap, from the settings
        http=functools.partial(LimitedHttpProtocol, limits=settings),  # type: ignore[arg-type]
        ws="none",  # no route takes a WebSocket: no upgrade to offer
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
    return 0
