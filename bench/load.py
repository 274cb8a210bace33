"""Drive load at a URL for a bounded time with wrk (on the client core) or the bundled Python client."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.procs import CLIENT_CORE, pinned

VARY = "__N__"
"""Placeholder in a URL that the client replaces with a number that changes on every request."""
VARY_BASE = 1_000_000
_RUN_BLOCK = 100_000_000
"""Numbers each run may use: far more requests than any run makes."""
_runs = itertools.count(1)


def fresh_base() -> int:
    """Where a run's numbers start: a block that no earlier run of this process used. The service caches
    responses by URL, so a run repeating the numbers of an earlier run on the same server (16 connections
    after 1, a second cycle) would be answered from that cache and measure the cache instead."""
    return VARY_BASE + next(_runs) * _RUN_BLOCK


_MARK = "BENCHJSON "

_WRK_SCRIPT = """
local head = [==[{head}]==]
local tail = [==[{tail}]==]
local vary = {vary}
local counter = {base}
if vary then
  request = function()
    counter = counter + 1
    return wrk.format(nil, head .. counter .. tail)
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{mark}{{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class LoadResult:
    client: str
    connections: int
    duration_s: float
    requests: int
    ok: int
    non_2xx: int
    socket_errors: int
    rps: float
    """Successful (2xx/3xx) responses a second: failed requests never count as throughput."""
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def choose_client(preference: str, *, may_install: bool) -> str:
    """'wrk' or 'python'. With 'auto', Debian's wrk is used when present, installed when allowed."""
    if preference == "python":
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    if may_install and os.geteuid() == 0 and shutil.which("apt-get"):
        print(
            "bench: wrk is not installed; installing Debian's wrk (apt-get install -y wrk) ...",
            file=sys.stderr,
        )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
        installed = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet)  # type: ignore[call-overload]
        if installed.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)  # type: ignore[call-overload]
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet)  # type: ignore[call-overload]
        if shutil.which("wrk"):
            return "wrk"
    if preference == "wrk":
        raise SystemExit("bench: --client wrk asked for, but wrk is not installed (apt-get install -y wrk)")
    print(
        "bench: wrk not available; using the bundled Python client (slower: it may bound the results)",
        file=sys.stderr,
    )
    return "python"


def run_load(
    url: str,
    *,
    client: str,
    connections: int,
    duration_s: float,
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """Load the URL for duration_s seconds; a URL holding VARY changes on every request."""
    if client == "wrk":
        return _run_wrk(url, connections, duration_s, headers or {})
    return _run_python(url, connections, duration_s, headers or {})


def _run_wrk(url: str, connections: int, duration_s: float, headers: Mapping[str, str]) -> LoadResult:
    vary = VARY in url
    parts = urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    head, _, tail = path.partition(VARY)
    script = _WRK_SCRIPT.format(
        head=head, tail=tail, vary="true" if vary else "false", base=fresh_base(), mark=_MARK
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = Path(handle.name)
    seconds = max(1, round(duration_s))
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script_path)]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(f"{parts.scheme}://{parts.netloc}/" if vary else url)
    try:
        done = subprocess.run(
            pinned(argv, CLIENT_CORE), capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    finally:
        script_path.unlink(missing_ok=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith(_MARK)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    data = json.loads(line[len(_MARK) :])
    elapsed = data["duration_us"] / 1e6
    socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    ok = max(0, data["requests"] - data["status"])
    return LoadResult(
        client="wrk",
        connections=connections,
        duration_s=round(elapsed, 3),
        requests=data["requests"],
        ok=ok,
        non_2xx=data["status"],
        socket_errors=socket_errors,
        rps=ok / elapsed if elapsed else 0.0,
        p50_ms=data["p50"] / 1000,
        p90_ms=data["p90"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
    )


def _run_python(url: str, connections: int, duration_s: float, headers: Mapping[str, str]) -> LoadResult:
    argv = [sys.executable, "-m", "bench.loadgen", "--url", url]
    argv += ["--connections", str(connections), "--duration", str(duration_s), "--base", str(fresh_base())]
    for name, value in headers.items():
        argv += ["--header", f"{name}: {value}"]
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        pinned(argv, CLIENT_CORE),
        capture_output=True,
        text=True,
        timeout=duration_s + 60,
        check=False,
        cwd=root,
    )
    if done.returncode != 0:
        raise RuntimeError(f"python load client failed: {done.stderr.strip()[-2000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return LoadResult(client="python", **data)


def warm_up(base: str, path: str, accept: str, seconds: float) -> None:
    """Up to 300 requests on one kept-alive connection, so no measured run pays first-use costs."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    deadline, count = time.monotonic() + seconds, 0
    try:
        while time.monotonic() < deadline and count < 300:
            count += 1
            connection.request(
                "GET", path.replace(VARY, str(VARY_BASE + 10_000_000 + count)), headers={"Accept": accept}
            )
            connection.getresponse().read()
    finally:
        connection.close()
