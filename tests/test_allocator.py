"""`needling serve` runs with glibc's allocator tuned for the engine (api/allocator.py): the running service and
its workers carry the tunable, an operator's own setting is kept, and 0 turns it off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import needling_serve

from api.allocator import TUNABLE, TUNABLES_VARIABLE, is_glibc, tuned_environment
from kg.settings import default

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = f"{TUNABLE}={default('malloc_tcache')}"

pytestmark = pytest.mark.skipif(not is_glibc(), reason="the tunable is glibc's")


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    pairs = (item.decode(errors="replace").partition("=") for item in raw if item)
    return {name: value for name, _, value in pairs}


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_the_tunable_joins_the_others_once() -> None:
    assert tuned_environment({}, 1000, glibc=True) == {TUNABLES_VARIABLE: f"{TUNABLE}=1000"}
    other = {"PATH": "/bin", TUNABLES_VARIABLE: "glibc.malloc.arena_max=2"}
    tuned = tuned_environment(other, 64, glibc=True)
    assert tuned == {"PATH": "/bin", TUNABLES_VARIABLE: f"glibc.malloc.arena_max=2:{TUNABLE}=64"}
    assert tuned_environment(tuned, 64, glibc=True) is None  # started again: nothing more to do
    assert tuned_environment({TUNABLES_VARIABLE: f"{TUNABLE}=7"}, 1000, glibc=True) is None  # the operator's
    assert tuned_environment({}, 0, glibc=True) is None
    assert tuned_environment({}, 1000, glibc=False) is None


def test_the_service_and_its_workers_run_tuned() -> None:
    with needling_serve() as served:
        assert environment_of(served.pid)[TUNABLES_VARIABLE] == DEFAULT  # the same process, started again
        workers = children_of(served.pid)
        assert workers  # the sandbox's
        assert all(environment_of(pid)[TUNABLES_VARIABLE] == DEFAULT for pid in workers)


def test_an_operators_setting_is_kept_and_zero_turns_tuning_off() -> None:
    with needling_serve(GLIBC_TUNABLES=f"{TUNABLE}=50") as served:
        assert environment_of(served.pid)[TUNABLES_VARIABLE] == f"{TUNABLE}=50"
    with needling_serve(NEEDLING_MALLOC_TCACHE="0") as served:
        assert TUNABLES_VARIABLE not in environment_of(served.pid)


def test_a_size_out_of_range_is_a_clear_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--port", "0"],
        env={**os.environ, "NEEDLING_MALLOC_TCACHE": "70000"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2  # the input was wrong
    assert done.stderr.strip() == (
        "needling: error: NEEDLING_MALLOC_TCACHE: malloc_tcache must be from 0 (leave the allocator alone) to 65535"
    )
