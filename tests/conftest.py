"""Shared fixtures: the real graph and catalogue, an app on them, and helpers to make edited copies."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import graph_of

from api.app import create_app
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES
from kg.engine import KnowledgeGraph
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# The embedded store is persisted under $XDG_CACHE_HOME/needling-kg: the tests' stores go to a folder of
# their own (servers started as subprocesses inherit it), never to the user's cache.
_CACHE = tempfile.mkdtemp(prefix="needling-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


@pytest.fixture(scope="session")
def graph() -> KnowledgeGraph:
    """The real ontology and the real named queries in the embedded store."""
    return graph_of()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES, shapes=DEFAULT_SHAPES, watch=False)


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    """One app on the real graph for the whole session (its sandbox workers are started once)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def graph_copy(tmp_path: Path) -> Path:
    """A private copy of the ontology and queries folder that a test may edit."""
    shutil.copy(DEFAULT_ONTOLOGY, tmp_path / "needling.ttl")
    shutil.copytree(DEFAULT_QUERIES, tmp_path / "queries")
    return tmp_path
