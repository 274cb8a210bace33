"""What a worker process measures of itself: resident memory, per-call latency, and network attempts."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

# Audit events (PEP 578) raised before Python reaches out: name resolution, a socket connecting, an HTTP
# connection or a urllib request. A candidate that tried any of them would be loading data at run time.
NETWORK_EVENTS = frozenset(
    {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "http.client.connect", "urllib.Request"}
)


class NetworkGuard:
    """Records, then refuses, every network attempt made from Python in this process."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event in NETWORK_EVENTS:
            self.attempts.append(f"{event} {str(args)[:120]}")
            raise ConnectionRefusedError(f"bench: network refused ({event})")

    def install(self) -> NetworkGuard:
        sys.addaudithook(self)
        return self


def rss_mb() -> float:
    """Resident memory of this process, from /proc (Linux); 0 where there is no /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def timed(call: Callable[[Any], Any], items: Iterable[Any], repeat: int) -> tuple[list[Any], list[float]]:
    """Each item's result (from the first pass) and every call's time in µs over `repeat` passes."""
    items = list(items)
    results: list[Any] = []
    micros: list[float] = []
    for round_ in range(max(1, repeat)):
        for item in items:
            start = time.perf_counter_ns()
            result = call(item)
            micros.append((time.perf_counter_ns() - start) / 1000)
            if round_ == 0:
                results.append(result)
    return results, micros


def latency(micros: list[float]) -> dict[str, float]:
    return {"median_us": percentile(micros, 0.5), "p99_us": percentile(micros, 0.99), "calls": len(micros)}
