"""Which answers a cache takes in: one asked for a second time, not every one.

Most of a SPARQL user's texts, and most values of a parameter a client moves freely (a price), never come
back. A cache that kept each of their answers paid for it on every request (the copy and the bookkeeping)
and again every few seconds, when the collector scanned the thousands of rows and responses kept for
nothing: measured on the named price query with a value never repeated, about 15% of its time. A
doorkeeper (the first stage of TinyLFU's admission) remembers the keys it has seen once as bare hashes, in
a set of bounded size that starts over when full; a cache keeps an answer only when its key comes again
within that window. An answer asked for twice is then served from memory from its third request on.
"""

from __future__ import annotations

from collections.abc import Hashable

WINDOW = 16_384
"""Distinct keys remembered at once: a key must come back before this many others have come (about 1 MB
of hashes when full)."""


class Doorkeeper:
    """`admit(key)` is False the first time a key is offered, True when it comes again within the window.
    Safe to share between threads: a race between two threads can only admit a key one sighting early."""

    def __init__(self, window: int = WINDOW) -> None:
        if window < 1:
            raise ValueError(f"a doorkeeper's window holds at least one key, not {window}")
        self.window = window
        self._seen: set[int] = set()

    def __len__(self) -> int:
        return len(self._seen)

    def admit(self, key: Hashable) -> bool:
        digest = hash(key)  # a set of ints holds no object the collector tracks
        if digest in self._seen:
            return True
        if len(self._seen) >= self.window:
            self._seen.clear()
        self._seen.add(digest)
        return False

    def clear(self) -> None:
        self._seen.clear()
