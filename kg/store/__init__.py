"""Graph stores: the protocol, the embedded pyoxigraph store and a remote SPARQL 1.1 endpoint."""

from kg.store.base import GraphStore, Progress, SelectRows, StoreError
from kg.store.embedded import EmbeddedStore, file_version, term_from_oxigraph
from kg.store.remote import RemoteStore, row_from_json

__all__ = [
    "EmbeddedStore",
    "GraphStore",
    "Progress",
    "RemoteStore",
    "SelectRows",
    "StoreError",
    "file_version",
    "row_from_json",
    "term_from_oxigraph",
]
