"""The parent's handle on one worker process: its socket, and stopping it for good."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import threading
from pathlib import Path

from kg.adhoc.wire import readable_now


class WorkerHandle:
    """Parent-side handle of one worker process."""

    def __init__(self, pid: int, conn: socket.socket) -> None:
        self.pid = pid
        self.conn = conn
        self.poller = select.poll()
        self.poller.register(conn.fileno(), select.POLLIN)
        self._lock = threading.Lock()
        self._reaped = False
        self._status: int | None = None

    def stop(self) -> int | None:
        """SIGKILL and reap (once: a reaped pid may already belong to someone else); the wait status."""
        with self._lock:
            if not self._reaped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                try:
                    self._status = os.waitpid(self.pid, 0)[1]
                except ChildProcessError:  # reaped behind our back (SIGCHLD ignored, waitpid(-1), ...)
                    self._status = None
                self._reaped = True
            return self._status

    def looks_dead(self) -> bool:
        """An idle worker has nothing to say: anything readable means end-of-file."""
        return readable_now(self.conn)


def descriptors_under(folder: Path) -> frozenset[int]:
    """This process's open descriptors of files in `folder` (a read-only store opens all of its files)."""
    prefix = str(folder.resolve()) + os.sep
    found = set()
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{name}").startswith(prefix):
                found.add(int(name))
    return frozenset(found)
