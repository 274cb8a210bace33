"""The C allocator of the serving processes, set for the query engine's way of allocating.

pyoxigraph plans and runs a query with many short-lived allocations (parsing, type inference, hash maps), and
glibc's allocator, with its default of 7 freed chunks of a size kept in each thread's cache, spent a quarter of
a sandbox worker's time in `malloc` and `free`. With 200 kept, the engine's part of the price query took
447 -> 362 us, and of the bench's /sparql query 635 -> 514 us (in one process), for 9 MB more in the serving
process after a load of both (1,000 kept: no faster, 44 MB more).

glibc reads its tunables only as a process starts, from `GLIBC_TUNABLES`. So `needling serve`, started from the
command line without it, starts itself again at once (the same process id, arguments and environment, plus the
tunable); its workers, forked from it, inherit the setting. An operator's own `glibc.malloc.tcache_count` is
kept, and `NEEDLING_MALLOC_TCACHE=0` leaves the allocator as the system sets it. Other C libraries: nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

TUNABLE = "glibc.malloc.tcache_count"
TUNABLES_VARIABLE = "GLIBC_TUNABLES"


def is_glibc() -> bool:
    """Whether this process runs on GNU libc (the C library whose tunables these are)."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError, AttributeError):  # no such name here: not glibc
        return False


def tuned_environment(environ: Mapping[str, str], tcache: int, *, glibc: bool) -> dict[str, str] | None:
    """The environment to start again with, the tunable added to any others; None when there is nothing to
    change: not glibc, tuning turned off (0), or the tunable already set (by an earlier start, or an operator)."""
    current = environ.get(TUNABLES_VARIABLE, "")
    if not glibc or tcache <= 0 or any(part.startswith(TUNABLE + "=") for part in current.split(":")):
        return None
    setting = f"{TUNABLE}={tcache}"
    return {**environ, TUNABLES_VARIABLE: f"{current}:{setting}" if current else setting}


def restart_tuned(tcache: int) -> None:
    """Start this command again with the allocator tuned, when it is not yet. Returns when there is nothing to
    do (already tuned, tuning off, not glibc) or the start fails (it then serves as it is)."""
    environ = tuned_environment(os.environ, tcache, glibc=is_glibc())
    if environ is None or not sys.orig_argv or not sys.executable:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], environ)
    except OSError:
        return
