"""Answers of named SELECT queries kept in memory, for a graph that only a reload can change.

The embedded store is read-mostly: its answers stay true until the service loads a new graph, and a reload
builds a new `KnowledgeGraph` (with a new, empty cache), so no entry can outlive the graph it was read from.
A store others may write to (a remote one) is never cached. Entries are keyed by the exact query text that
would run (parameters bound, page applied), so two wordings of a question that plan the same query share one.
An answer is kept the second time its text is run, not the first (kg/engine/admission.py): texts that
never come back (a parameter moved freely) leave nothing behind.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from kg.engine.admission import Doorkeeper
from kg.terms import QueryResult


class ResultCache:
    """Least recently used answers first out, within a budget of rows (NEEDLING_RESULT_CACHE_ROWS: a row
    costs about 650 bytes, measured on answers of 700 to 10,000 rows at 10^6 triples, so the default 50,000
    hold about 33 MB); safe to share between threads."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.rows = 0
        self.hits = 0
        self.misses = 0
        self.passed = 0
        """Answers not kept: their text was run for the first time."""
        self.door = Doorkeeper()
        self._entries: OrderedDict[str, QueryResult] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, sparql: str) -> QueryResult | None:
        with self._lock:
            result = self._entries.get(sparql)
            if result is None:
                self.misses += 1
                return None
            self._entries.move_to_end(sparql)
            self.hits += 1
            return result

    def put(self, sparql: str, result: QueryResult, at_once: bool = False) -> None:
        """Keep `result` when its text was run before (or `at_once`: a query with one answer per graph),
        unless it would take over a quarter of the budget (one huge answer must not flush the rest; a budget
        of 0 keeps nothing); then drop the least recently used answers until the rows fit."""
        size = _size(result)
        if size * 4 > self.max_rows:
            return
        if not at_once and not self.door.admit(sparql):
            with self._lock:
                self.passed += 1
            return
        with self._lock:
            replaced = self._entries.pop(sparql, None)
            if replaced is not None:
                self.rows -= _size(replaced)
            self._entries[sparql] = result
            self.rows += size
            while self.rows > self.max_rows:
                _, evicted = self._entries.popitem(last=False)
                self.rows -= _size(evicted)


def _size(result: QueryResult) -> int:
    return len(result.rows) + 1  # an empty answer still takes an entry
