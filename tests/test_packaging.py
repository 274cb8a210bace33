"""A wheel built from the project, as the README says (`pip wheel --no-deps`), carries what an installed
service needs: every package and subpackage, the templates and static files (the editor's bundle when it
was built), and the graph and named queries, which the installed `kg` finds under share/needling-kg."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("needling_kg-*.whl")
    return zipfile.ZipFile(built)


def test_every_package_and_subpackage_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    packages = sorted(
        str(init.relative_to(ROOT)) for top in ("kg", "api") for init in (ROOT / top).rglob("__init__.py")
    )
    assert len(packages) > 8
    assert [p for p in packages if p not in names] == []


def test_the_graph_the_queries_and_the_pages_are_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    shared = {n.split("/share/needling-kg/", 1)[1] for n in names if "/share/needling-kg/" in n}
    assert {"ontology/needling.ttl", "ontology/shapes.ttl"} <= shared
    assert {f"queries/{q.name}" for q in (ROOT / "queries").glob("*.rq")} <= shared
    assert {f"api/templates/{t.name}" for t in (ROOT / "api" / "templates").glob("*.html")} <= names
    assert {f"api/static/{f.name}" for f in (ROOT / "api" / "static").iterdir() if f.is_file()} <= names
