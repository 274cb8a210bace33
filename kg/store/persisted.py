"""The embedded store persisted on disk: one folder per Turtle content, built once, opened read-only after.

Parsing 10^6 triples of Turtle into memory takes about 3 s; opening the same data from a RocksDB folder that
pyoxigraph wrote before takes about 50 ms. So `needling serve` keeps one folder per graph content under
`<store dir>/stores/<key>/` (`<key>` hashes the file's bytes and the base IRI its relative IRIs resolve
against) and opens it with `Store.read_only`. Any number of processes may open one folder at once: the
operating system's page cache holds its data once for all of them.

A folder is built under a temporary name and renamed into place when complete, so a folder with
`meta.json` is always whole; two processes building the same content at once both succeed, one rename wins.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph as ox

from kg.store.base import Progress, StoreError
from kg.store.embedded import EmbeddedStore, ProgressReader


class StoreDirUnusable(StoreError):
    """The store dir cannot be written (read-only, full, no permission): the graph can still be parsed
    into memory."""


FORMAT = 1
"""Bumped when the folder's layout or metadata changes: folders of another format are built afresh."""
KEEP_FOLDERS = 4
"""Store folders kept after a build (the most recently opened): the current graph, and a few to go back to."""
_META = "meta.json"
_DATA = "data"


def default_store_dir() -> Path:
    """`$XDG_CACHE_HOME/needling-kg`, else `~/.cache/needling-kg`: derived data, safe to delete."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "needling-kg"


def store_key(path: Path) -> tuple[str, str, str]:
    """(folder key, graph version, base IRI) for a Turtle file; the version is the file's own hash, as an
    in-memory load gives it, so ETags and /healthz read the same however the graph was loaded."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    content = hashlib.sha256(data).hexdigest()
    base_iri = path.resolve().as_uri()
    key = hashlib.sha256(f"{FORMAT}\n{base_iri}\n{content}".encode()).hexdigest()[:24]
    return key, content[:16], base_iri


def open_persisted(path: Path, store_dir: Path, progress: Progress | None = None) -> EmbeddedStore:
    """The graph of a Turtle file from its folder under `store_dir`, built first if it is missing."""
    key, version, base_iri = store_key(path)
    folder = store_dir / "stores" / key
    meta = _read_meta(folder)
    if meta is None:
        meta = _build(path, folder, base_iri, progress)
        _prune(folder.parent, keep=folder)
    else:
        with contextlib.suppress(OSError):
            os.utime(folder / _META)  # most recently opened: kept by the next prune
    try:
        store = ox.Store.read_only(str(folder / _DATA))
    except OSError as exc:
        raise StoreError(f"cannot open the persisted store {folder}: {exc}") from None
    triples = int(str(meta["triples"]))
    if progress:
        progress(triples, 0, 0)
    return EmbeddedStore(store, source=path, version=version, triples=triples, location=folder)


def _read_meta(folder: Path) -> dict[str, object] | None:
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == FORMAT else None


def _build(path: Path, folder: Path, base_iri: str, progress: Progress | None) -> dict[str, object]:
    """Parse the file into a new RocksDB folder beside the final one, then rename it into place."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreDirUnusable(f"cannot create the store folder {folder.parent}: {exc.strerror}") from None
    building = folder.parent / f".{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    try:
        meta = _fill(path, building, base_iri, progress)
        meta["build_s"] = round(time.perf_counter() - started, 2)
        (building / _META).write_text(json.dumps(meta), encoding="utf-8")
        try:
            building.rename(folder)
        except OSError:  # another process built the same content first: use theirs
            if _read_meta(folder) is None:
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return meta


def _fill(path: Path, building: Path, base_iri: str, progress: Progress | None) -> dict[str, object]:
    try:
        building.mkdir()
        store = ox.Store(str(building / _DATA))
    except OSError as exc:
        raise StoreDirUnusable(f"cannot create the persisted store {building}: {exc}") from None
    try:
        total = path.stat().st_size
        with path.open("rb") as handle:
            reader = ProgressReader(handle, total, progress)
            store.bulk_load(cast(BinaryIO, reader), format=ox.RdfFormat.TURTLE, base_iri=base_iri)
        store.optimize()  # fewer, sorted files: faster to open and to read
        store.flush()
        triples = len(store)  # a full scan on disk: counted once here, read from meta.json after
    except SyntaxError as exc:
        raise StoreError(f"{path}: {exc}") from None
    except OSError as exc:
        raise StoreDirUnusable(f"cannot write the persisted store {building}: {exc}") from None
    finally:
        del store  # closes the database (and its lock) before the folder is renamed
    return {"format": FORMAT, "source": path.name, "bytes": total, "triples": triples}


def _prune(stores: Path, keep: Path) -> None:
    """Drop all but the most recently opened folders. A process still reading a dropped folder keeps its
    open files (the data stays until it closes them); a restart builds the folder again."""
    folders = [f for f in stores.iterdir() if f.is_dir() and not f.name.startswith(".")]
    folders.sort(key=lambda f: _opened_at(f), reverse=True)
    for old in folders[KEEP_FOLDERS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _opened_at(folder: Path) -> float:
    try:
        return (folder / _META).stat().st_mtime
    except OSError:
        return 0.0
