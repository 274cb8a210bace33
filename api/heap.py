"""The loaded graph's Python objects kept out of the cycle collector's sight.

A snapshot holds a few hundred thousand long-lived objects (the question answerer's lexicon, the catalogue,
the label index). Python's collector scans all of them in every full collection, and a full collection
comes each time a quarter as many new objects have survived, which a stream of new answers (caches filling
with never-repeated queries) brings about every few seconds: 130 ms each on the real graph, with the GIL
held, so every request in flight waited for it (the p99 of a named query with a new parameter every request
was 150 ms at 16 connections, against a p50 of 25). Frozen, those objects are never scanned again.
"""

from __future__ import annotations

import gc


def settle(*, thaw: bool = False) -> None:
    """Collect what is garbage now, then freeze everything still alive (`gc.freeze`). Call it once the
    objects that will live as long as the snapshot are built: at start-up (a serving process of `--workers N`
    leaves what it inherited frozen: scanning it would copy every page it shares with its parent), and, with
    `thaw`, after a reload once the old snapshot is retired, since frozen objects are never collected. With
    `thaw` it is a full collection: about 0.1-0.3 s on the real graph, once per reload."""
    if thaw:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
