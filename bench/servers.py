"""The servers compared side by side, how each is started, and the requests each is measured on."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from bench import ONTOLOGY, QUERIES
from bench.load import VARY

SCIATICA = "https://needling-kg.example.org/kg/sciatica"
QUESTION = "what treats sciatica, and at what cost"
SPARQL_JSON = "application/sparql-results+json"
_WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def sciatica_select() -> str:
    """treatments_for_condition with sciatica bound the way the service binds it, header comments dropped."""
    try:
        from kg.catalogue import load_catalogue
        from kg.catalogue.params import bind_params, with_bindings

        named = load_catalogue(QUERIES).get("treatments_for_condition")
        assert named is not None
        text = with_bindings(named.sparql, bind_params(named, {"condition": "sciatica"}))
    except Exception as exc:  # the kg API moved: bind by hand, as the service does, with a VALUES block
        print(f"bench: binding by hand ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        text = (QUERIES / "treatments_for_condition.rq").read_text(encoding="utf-8")
        text = _WHERE_OPEN.sub(lambda m: f"{m.group(0)} VALUES ?condition {{ <{SCIATICA}> }}", _body(text), 1)
    return _body(text)


PRICE_QUERY = "treatments_under_price"
PRICE_PARAM = "max_price"
_PRICE_SENTINEL = "100.987654321"


def varying_price() -> str:
    """A max_price that changes on every request and is never reused (`100.` then the request's number):
    over both modalities' lowest prices (50 and 70), so every answer names both."""
    return f"100.{VARY}"


def price_select() -> str:
    """treatments_under_price with max_price bound the way the service binds it (a VALUES block), to a value
    that changes on every request: what Oxigraph is asked when the service is asked the named query."""
    from kg.catalogue import load_catalogue
    from kg.catalogue.params import bind_params, with_bindings

    named = load_catalogue(QUERIES).get(PRICE_QUERY)
    assert named is not None
    text = _body(with_bindings(named.sparql, bind_params(named, {PRICE_PARAM: _PRICE_SENTINEL})))
    if text.count(_PRICE_SENTINEL) != 1:
        raise ValueError(f"bench: cannot find the bound {PRICE_PARAM} in {PRICE_QUERY}")
    return text.replace(_PRICE_SENTINEL, varying_price())


def _body(sparql: str) -> str:
    lines = sparql.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("#")):
        lines.pop(0)
    return "\n".join(lines).strip() + "\n"


def varying(sparql: str) -> str:
    """The same query with a LIMIT that changes on every request: no cache can answer it from memory."""
    return sparql + f"LIMIT {VARY}\n"


def rdflib_compatible(sparql: str) -> str:
    """rdflib fails GROUP_CONCAT(DISTINCT ?v) when ?v is unbound in a group ("Variable ... is not bound",
    rdflib issue #882); without DISTINCT it answers the same rows here (one claim per pair)."""
    return sparql.replace("GROUP_CONCAT(DISTINCT ", "GROUP_CONCAT(")


def query_path(base: str, sparql: str) -> str:
    # the placeholder must survive URL-encoding, so it is put back after quoting
    return f"{base}?query=" + quote(sparql, safe="").replace(quote(VARY, safe=""), VARY)


@dataclass(frozen=True)
class Target:
    server: str
    name: str
    path: str
    accept: str
    kind: str
    """How to check an answer: named, sparql, ask or hello."""


@dataclass
class Peer:
    name: str
    title: str
    command: Callable[[int, Path], list[str]]
    """The server's command line, given its port and a scratch folder."""
    ready_path: str
    targets: list[Target]
    prepare: Callable[[Path], None] | None = None
    env: dict[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    """What must be installed: 'cmd:NAME' for a program, 'mod:NAME' for a Python module."""
    pip: str | None = None
    ready_any_status: bool = True
    """Up once ready_path gives any HTTP answer; False: only once it answers 200."""
    startup_timeout_s: float = 120.0


def peers(sparql: str, ontology: Path = ONTOLOGY) -> dict[str, Peer]:
    vary = varying(sparql)
    rd_sparql = rdflib_compatible(sparql)
    named = "/api/queries/treatments_for_condition?" + urlencode({"condition": "sciatica"})
    named_varying = f"/api/queries/{PRICE_QUERY}?{PRICE_PARAM}={varying_price()}"
    price = price_select()
    ask = "/api/ask?" + urlencode({"q": QUESTION})
    py = sys.executable
    return {
        "self": Peer(
            "self",
            "needling-kg (FastAPI + pyoxigraph)",
            lambda port, _d: [
                py,
                *"-m api serve --host 127.0.0.1 --port".split(),
                str(port),
                "--ontology",
                str(ontology),
            ],
            "/healthz",
            [
                Target("self", "named", named, "application/json", "named"),
                Target("self", "sparql", query_path("/sparql", sparql), SPARQL_JSON, "sparql"),
                Target("self", "sparql-varying", query_path("/sparql", vary), SPARQL_JSON, "sparql"),
                Target("self", "named-varying", named_varying, "application/json", "named"),
                Target("self", "ask", ask, "application/json", "ask"),
            ],
            env={"NEEDLING_WATCH": "false", "NEEDLING_ACCESS_LOG": "false"},
            ready_any_status=False,
        ),
        "oxigraph": Peer(
            "oxigraph",
            "Oxigraph server (Rust, serve-read-only)",
            lambda port, d: [
                program("oxigraph"),
                *"serve-read-only --location".split(),
                str(d / "oxigraph"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            "/",
            [
                Target("oxigraph", "sparql", query_path("/query", sparql), SPARQL_JSON, "sparql"),
                Target("oxigraph", "sparql-varying", query_path("/query", vary), SPARQL_JSON, "sparql"),
                Target("oxigraph", "named-varying", query_path("/query", price), SPARQL_JSON, "sparql"),
            ],
            prepare=lambda d: _oxigraph_load(d / "oxigraph", ontology),
            needs=("cmd:oxigraph",),
            pip="oxigraph>=0.5.13,<0.6",
        ),
        "rdflib": Peer(
            "rdflib",
            "rdflib-endpoint (FastAPI + rdflib)",
            lambda port, _d: [py, "-m", "bench.rdflib_peer", str(ontology), "--port", str(port)],
            "/",
            [
                Target("rdflib", "sparql", query_path("/", rd_sparql), SPARQL_JSON, "sparql"),
                Target(
                    "rdflib", "sparql-varying", query_path("/", varying(rd_sparql)), SPARQL_JSON, "sparql"
                ),
            ],
            needs=("mod:rdflib_endpoint", "mod:uvloop", "mod:httptools"),
            pip="rdflib-endpoint",
        ),
        "hello": Peer(
            "hello",
            "FastAPI hello-world (uvicorn + httptools + uvloop)",
            lambda port, _d: [
                py,
                *"-m uvicorn bench.hello:app --host 127.0.0.1 --port".split(),
                str(port),
                *"--loop uvloop --http httptools --log-level warning --no-access-log".split(),
            ],
            "/",
            [Target("hello", "hello", "/", "application/json", "hello")],
            needs=("mod:uvloop", "mod:httptools"),
            pip="uvicorn[standard]",
        ),
    }


def _which(name: str) -> str | None:
    """A program by name: the running Python's own scripts first (where its pip puts one), then the PATH,
    so `.venv/bin/python -m bench.peers` finds the environment's Oxigraph without the venv activated."""
    return shutil.which(
        name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    )


def program(name: str) -> str:
    return _which(name) or name


def missing(peer: Peer) -> list[str]:
    gone = []
    for need in peer.needs:
        kind, _, name = need.partition(":")
        found = _which(name) if kind == "cmd" else importlib.util.find_spec(name)
        if not found:
            gone.append(name)
    return gone


def install(peer: Peer) -> None:
    print(
        f"bench: {peer.name} needs {', '.join(missing(peer))}; installing {peer.pip} with pip ...",
        file=sys.stderr,
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(peer.pip)],
        check=False,
    )


def _oxigraph_load(location: Path, ontology: Path) -> None:
    done = subprocess.run(
        [program("oxigraph"), "load", "--location", str(location), "--file", str(ontology)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"oxigraph load failed: {done.stderr.strip()[-1000:]}")


def check_answer(kind: str, status: int, body: bytes) -> str:
    """A short description of a correct answer ('2 rows'); ValueError when the answer is wrong."""
    if status != 200:
        raise ValueError(f"HTTP {status}: {body[:160].decode('utf-8', 'replace')}")
    if kind == "hello":
        return "ok"
    data = json.loads(body)
    text = body.decode("utf-8", "replace")
    if "dry-needling" not in text or "acupuncture" not in text:
        raise ValueError("the answer does not name dry needling and acupuncture")
    if kind == "named":
        return f"{len(data['rows'])} rows"
    if kind == "sparql":
        return f"{len(data['results']['bindings'])} rows"
    if not data.get("answered"):
        raise ValueError("the question was not answered")
    return f"{len(data['answers'])} answers"
