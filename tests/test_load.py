"""The short form of `python -m bench.mixed_load`: mixed traffic with one abusive client, on a real server.

8 clients for 5 s (deadline 1 s) instead of 32 for 20 s; the same pass criteria: no error in the normal
traffic, its p99 under 1 s, and the abuser answered with 503 timeouts. The table is printed to the
terminal (without `-s`) and kept as the test's `mixed_load` property (junit XML).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import mixed_figures, mixed_load


@pytest.mark.slow
@pytest.mark.server
def test_mixed_load_with_an_abuser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    result = mixed_load.run(clients=8, duration_s=5, deadline_s=1, log=tmp_path / "server.log")
    table = str(result["table"])
    with capsys.disabled():
        print(f"\n\nmixed load, 8 clients + 1 abuser, 5 s, deadline 1 s:\n{table}\n")
    record_property("mixed_load", table)
    kinds = result["kinds"]
    overall, abuser = kinds[mixed_figures.OVERALL], kinds[mixed_figures.ABUSER]
    assert overall["requests"] > 100, table
    assert overall["errors"] == 0, table
    assert overall["p99_ms"] < mixed_figures.P99_LIMIT_MS, table
    assert abuser["requests"] >= 1 and abuser["errors"] == 0, table
    assert result["passed"], table
