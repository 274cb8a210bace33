"""The rdflib-endpoint peer, set up as its own `rdflib-endpoint serve` does, without per-request logging.

`python -m bench.rdflib_peer FILE --port P`: an rdflib `Dataset` (default store, default union) parsed
from FILE, served by `rdflib_endpoint.SparqlEndpoint` at `/` on uvicorn with httptools and uvloop. The
CLI would also write an access-log line per request; this service doesn't, so neither does its peer.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(store="default", default_union=True)
    for path in args.files:
        dataset.parse(path)
    app = SparqlEndpoint(graph=dataset)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
