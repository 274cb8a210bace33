"""Operations as an operator sees them: request ids, access-log lines, Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os

import pytest
from fastapi.testclient import TestClient

from api.observability import new_request_id


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and made.isalnum()
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["x-request-id"]
    assert "<" not in hostile


def test_processes_forked_from_one_make_different_request_ids() -> None:
    """`--workers N` forks its processes: each must make ids of its own, not the parent's sequence again."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, then out at once
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    made = {new_request_id() for _ in range(1_000)}
    assert len(child) == 32 and child not in made and len(made) == 1_000


def test_one_structured_access_log_line_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="needling.access"):
        client.get("/api/queries/cost_of_modality", headers={"X-Request-ID": "log-line-test"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "needling.access"]
    mine = [line for line in lines if line["request_id"] == "log-line-test"]
    assert len(mine) == 1
    assert mine[0]["path"] == "/api/queries/cost_of_modality" and mine[0]["status"] == 200
    assert mine[0]["duration_ms"] >= 0


def test_metrics_count_requests_cache_and_graph(client: TestClient) -> None:
    for _ in range(3):  # kept the second time, read from the cache the third
        client.get("/api/queries/cheapest_modality")
    client.get("/resource/no-such-thing")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'needling_requests_total{method="GET",path="/api/queries",status="200"}' in text
    assert 'needling_requests_total{method="GET",path="/resource",status="404"}' in text
    assert "needling_request_duration_seconds_bucket" in text
    hits = next(line for line in text.splitlines() if line.startswith("needling_cache_hits_total "))
    assert int(float(hits.split()[1])) >= 1
    for name in ("needling_cache_passed_total", "needling_result_cache_passed_total"):
        assert f"# TYPE {name} counter" in text
    triples = next(line for line in text.splitlines() if line.startswith("needling_graph_triples "))
    assert int(float(triples.split()[1])) == client.get("/healthz").json()["triples"]
    for name in ("needling_query_timeouts_total", "needling_reloads_total", "needling_reload_failures_total"):
        assert f"# TYPE {name} counter" in text
