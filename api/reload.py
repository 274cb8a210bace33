"""Watch the ontology and the queries folder; load a valid edit and swap it in whole, keep serving on a bad one."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from api import heap
from api.state import Runtime, Snapshot
from kg.errors import describe
from kg.settings import Settings
from kg.validation import validate_files

log = logging.getLogger("needling.reload")
POLL_S = 0.25  # a stat of each watched file (30 of them): cheap, and a quarter of a second sooner
STATUS_POLL_S = 0.2


def fingerprint(settings: Settings) -> tuple[tuple[str, float, int], ...]:
    """Names, modification times and sizes of every watched file; any edit changes it."""
    files = [settings.ontology, *sorted(settings.queries.glob("*.rq"))]
    marks = []
    for path in files:
        try:
            stat = path.stat()
            marks.append((str(path), stat.st_mtime, stat.st_size))
        except OSError:
            marks.append((str(path), -1.0, -1))
    return tuple(marks)


class Reloader:
    """A daemon thread that polls the files; `reload_now` is the same step, callable from tests."""

    def __init__(
        self,
        runtime: Runtime,
        load: Callable[[Settings], Snapshot],
        start_runner: Callable[[Snapshot, Settings], Snapshot],
    ) -> None:
        self.runtime = runtime
        self.load = load
        self.start_runner = start_runner
        self.reloads = 0
        self.failures = 0
        self._seen = fingerprint(runtime.settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="needling-reload", daemon=True)
        self._thread.start()

    def start_refresh(self, refresh: Callable[[Snapshot, Settings], Snapshot], every_s: float) -> None:
        """For a remote store: every `every_s` seconds, what is derived from its data is read again."""
        self._thread = threading.Thread(
            target=self._refresh_loop, args=(refresh, every_s), name="needling-refresh", daemon=True
        )
        self._thread.start()

    def _refresh_loop(self, refresh: Callable[[Snapshot, Settings], Snapshot], every_s: float) -> None:
        while not self._stop.wait(every_s):
            try:
                fresh = refresh(self.runtime.snapshot, self.runtime.settings)
            except Exception as exc:  # the store is down, say: keep serving, and say why in /healthz
                self._failed(exc)
                continue
            self.runtime.swap(fresh)
            self.runtime.last_reload_error = None

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(POLL_S):
            current = fingerprint(self.runtime.settings)
            if current != self._seen:
                time.sleep(0.2)  # let an editor finish writing before reading
                self._seen = fingerprint(self.runtime.settings)
                self.reload_now()

    def reload_now(self) -> bool:
        """Load, validate, start workers, swap; on any failure keep the current snapshot and say why."""
        settings = self.runtime.settings
        try:
            loaded = checked_load(settings, self.runtime.snapshot, self.load)
            fresh = self.start_runner(loaded, settings)
        except Exception as exc:  # every failure of an edit is reported, none stops the service
            self._failed(exc)
            return False
        old = self.runtime.swap(fresh)
        self.runtime.last_reload_error = None
        self.reloads += 1
        log.info("reloaded: version %s, %d triples", fresh.graph.version, fresh.graph.store.triples)
        _retire(old, grace_s=settings.deadline_s + 1)
        return True

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        self.runtime.last_reload_error = failure_line(exc)
        version = self.runtime.snapshot.graph.version
        log.warning("reload failed, still serving version %s: %s", version, describe(exc))


def failure_line(exc: Exception) -> str:
    """What /healthz says of a failed reload: when, and why."""
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S')}: {describe(exc)}"


def checked_load(settings: Settings, current: Snapshot, load: Callable[[Settings], Snapshot]) -> Snapshot:
    """The edited files loaded, once they pass the shapes and keep every named query; raises otherwise."""
    problem = _shape_problem(settings.ontology, settings.shapes)
    if problem:
        raise ValueError(problem)
    loaded = load(settings)
    _check_nothing_removed(current, loaded)
    return loaded


def _check_nothing_removed(current: Snapshot, loaded: Snapshot) -> None:
    """Named queries are a published contract (each is an operation in /openapi.json): an edit may add or
    change them, but dropping one takes a restart."""
    gone = sorted(set(current.graph.catalogue.queries) - set(loaded.graph.catalogue.queries))
    if gone:
        raise ValueError(
            f"the edit removes the named queries {', '.join(gone)}; restart the service to drop a named query"
        )


def _shape_problem(ontology: Path, shapes: Path) -> str | None:
    if not shapes.exists():
        return None
    report = validate_files(ontology, shapes)
    if report.ok:
        return None
    first = report.problems[0]
    more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
    return f"the edited graph is not valid: {first.where}: {first.what}{more}"


def _retire(old: Snapshot, grace_s: float) -> None:
    """Once the queries the old snapshot may still be running have passed their deadline: close its workers,
    and let the collector free it (api/heap.py)."""

    held = [old]

    def retire() -> None:
        snapshot = held.pop()  # no reference left here once it is retired, so the collector can free it
        if snapshot.adhoc is not None:
            snapshot.adhoc.close()
        del snapshot
        heap.settle(thaw=True)

    timer = threading.Timer(grace_s, retire)
    timer.daemon = True
    timer.start()


def write_status(path: Path, version: str, error: str | None) -> None:
    """What the serving processes of `--workers N` read of their parent's reloads: the version it serves
    and the last failed reload. Written whole, then renamed over the last one."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"version": version, "last_reload_error": error}), encoding="utf-8")
    temporary.replace(path)


class StatusFollower:
    """In a serving process of `--workers N`: reads the parent's status file when it changes, so /healthz
    reports a failed reload (the parent loads edits; this process keeps its graph all its life)."""

    def __init__(self, runtime: Runtime, path: Path) -> None:
        self.runtime = runtime
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="needling-status", daemon=True)

    def start(self) -> None:
        self.read()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def read(self) -> None:
        try:
            stat = self.path.stat()
            mark = (stat.st_ino, stat.st_mtime_ns)
            if mark == self._seen:
                return
            status = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        self._seen = mark
        self.runtime.last_reload_error = status.get("last_reload_error")

    def _loop(self) -> None:
        while not self._stop.wait(STATUS_POLL_S):
            self.read()
