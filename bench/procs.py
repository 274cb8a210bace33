"""Start servers pinned to one core, wait until they answer, and always stop them (no orphans)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

SERVER_CORE = 0
CLIENT_CORE = 1


def pinning_available() -> bool:
    """taskset exists and this process may run on both the server core and the client core."""
    if shutil.which("taskset") is None or not hasattr(os, "sched_getaffinity"):
        return False
    return {SERVER_CORE, CLIENT_CORE} <= os.sched_getaffinity(0)


def pinned(argv: Sequence[str], core: int) -> list[str]:
    """The command run on one core when taskset is there, unchanged otherwise."""
    return ["taskset", "-c", str(core), *argv] if pinning_available() else list(argv)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0) -> tuple[int, bytes]:
    """One request; the status and body, with HTTP errors returned rather than raised."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class ServerFailed(RuntimeError):
    """A server did not start or answer; the message carries the end of its log."""


class Server:
    """One server process in its own session, so stopping it stops its workers too."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.cwd = cwd
        self.argv = list(argv)
        self.log = log
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.write_bytes(b"")
        # appending, so trim_log can cut the file while the server keeps writing to it
        with self.log.open("ab") as log:
            self.started_at = time.perf_counter()
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        return self

    def wait_ready(self, url: str, *, timeout_s: float, any_status: bool = False) -> float:
        """Poll until the URL answers 200 (any answer with any_status); the seconds since start.

        Raises if the process dies first or does not answer in time.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise ServerFailed(f"{self.name} exited before it was ready\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status, _ = http_get(url, timeout=2.0)
                if status == 200 or any_status:
                    return time.perf_counter() - self.started_at
            time.sleep(0.1)
        raise ServerFailed(f"{self.name} did not answer {url} within {timeout_s:.0f} s\n{self.log_tail()}")

    def trim_log(self, limit: int = 2_000_000, head: int = 20_000) -> None:
        """A server that logs every request fills the disk under load: keep the start, drop the rest."""
        try:
            size = self.log.stat().st_size
            if size <= limit:
                return
            with self.log.open("rb") as log:
                start = log.read(head)
            os.truncate(self.log, 0)
            with self.log.open("ab") as log:
                log.write(start + f"\n[bench: {size - len(start):,} bytes of log dropped]\n".encode())
        except OSError:
            return

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
            return "\n".join(f"    | {line}" for line in text[-lines:])
        return ""

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after a grace period; safe to call twice."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        # workers that outlived their parent would still be in its group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def rss_mb(pid: int) -> float | None:
    """Resident memory of one process from /proc, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@contextlib.contextmanager
def servers_stopped_on_exit() -> Iterator[list[Server]]:
    """A list to put started servers in; all are stopped on leaving, on Ctrl-C, SIGTERM or SIGHUP alike."""
    started: list[Server] = []

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous: dict[int, Callable[..., object] | int | None] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, interrupt)
    try:
        yield started
    finally:
        for server in reversed(started):
            try:
                server.stop()
            except Exception as exc:  # keep stopping the others
                print(f"bench: could not stop {server.name}: {exc}", file=sys.stderr)
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
