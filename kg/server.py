"""`needling serve`: hand the options to the app factory through the environment and run uvicorn."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    os.environ["NEEDLING_ONTOLOGY"] = str(args.ontology)
    os.environ["NEEDLING_QUERIES"] = str(args.queries)
    os.environ["NEEDLING_HOST"] = args.host
    os.environ["NEEDLING_PORT"] = str(args.port)
    if args.store:
        os.environ["NEEDLING_STORE"] = args.store
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # uvicorn finishes in-flight requests on SIGTERM, then re-raises the signal; with this handler in
    # place that ends the process with status 0, as a service manager expects of a clean stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        fd=args.fd,
        # httptools with limits on the request head, read timeouts and a connection cap (NEEDLING_* settings)
        http="api.connection:LimitedHttpProtocol",
        ws="none",  # no route takes a WebSocket: no upgrade to offer
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
    return 0
