"""The engine: a graph and its catalogue together, running named queries with their caches and index."""

from kg.engine.graph import (
    GraphResult,
    KnowledgeGraph,
    Prepared,
    UnknownQuery,
    open_graph,
    select_capped,
)

__all__ = [
    "GraphResult",
    "KnowledgeGraph",
    "Prepared",
    "UnknownQuery",
    "open_graph",
    "select_capped",
]
