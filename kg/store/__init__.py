"""Graph stores: the protocol, the embedded pyoxigraph store (in memory or persisted on disk) and a remote
SPARQL 1.1 endpoint."""

from kg.store.base import GraphStore, Progress, SelectRows, StoreError
from kg.store.embedded import EmbeddedStore, file_version, term_from_oxigraph
from kg.store.persisted import StoreDirUnusable, default_store_dir, open_persisted
from kg.store.remote import RemoteStore, row_from_json

__all__ = [
    "EmbeddedStore",
    "GraphStore",
    "Progress",
    "RemoteStore",
    "SelectRows",
    "StoreDirUnusable",
    "StoreError",
    "default_store_dir",
    "file_version",
    "open_persisted",
    "row_from_json",
    "term_from_oxigraph",
]
