"""Tests for kg.guard: real query texts, run on pyoxigraph against a live socket listener."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from helpers import guarded as check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.adhoc.guard import GuardedQuery, QueryRefused, check_query
from kg.settings import default

URL = "\x00"  # stands for the listener URL: a single character, so an insertion can never split it
PREFIXES = """PREFIX nk: <https://example.org/needling#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
TYPICAL = (
    PREFIXES
    + """SELECT ?point ?label ?depth WHERE {
  ?point a nk:AcupuncturePoint ; rdfs:label ?label ; nk:needlingDepthMm ?depth .
  FILTER(?depth > 10 && LANG(?label) = "en")  # deep points only
} ORDER BY DESC(?depth) LIMIT 20"""
)


class Listener:
    """A TCP listener on 127.0.0.1 that accepts and closes connections, counting them."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._count = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self._count += 1
            conn.close()

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def store(listener: Listener) -> ox.Store:
    data = ox.Store()
    base = listener.url
    for i in range(3):
        data.add(ox.Quad(ox.NamedNode(f"{base}s{i}"), ox.NamedNode(f"{base}p"), ox.Literal(f"o{i}")))
    return data


def run(store: ox.Store, text: str) -> list[object] | bool:
    """Run a query to completion (results are lazy, so SERVICE calls happen while iterating)."""
    result = store.query(text)
    return bool(result) if isinstance(result, ox.QueryBoolean) else list(result)


def connections_made(store: ox.Store, listener: Listener, text: str) -> int:
    before = listener.count
    with contextlib.suppress(Exception):  # syntax errors, failed SERVICE calls: only connections count
        run(store, text)
    return listener.count - before


def refused(text: str, **kwargs: int) -> QueryRefused:
    with pytest.raises(QueryRefused) as info:
        check_query(text, **{"max_length": default("max_query_chars"), **kwargs})
    return info.value


# --- accepted queries -------------------------------------------------------------------------------

ACCEPTED = [
    (TYPICAL, "SELECT"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 5", "SELECT"),
    ("select distinct ?s where { ?s ?p ?o } order by ?s", "SELECT"),
    ("ASK { ?s ?p ?o }", "ASK"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/x>", "DESCRIBE"),
    ("BASE <http://example.org/> PREFIX ex: <http://example.org/> ASK { ?s ex:p ?o }", "ASK"),
    ("PREFIX: <http://example.org/> SELECT * WHERE { ?s :p ?o }", "SELECT"),
    ("PREFIX : <http://example.org/> SELECT (COUNT(*) AS ?n) WHERE { ?s :p ?o } GROUP BY ?s", "SELECT"),
    ('SELECT * WHERE { ?s ?p ?o FILTER(?o = "1"^^<http://www.w3.org/2001/XMLSchema#integer>) }', "SELECT"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o < <http://example.org/a#b>) }", "SELECT"),
    ("SELECT * WHERE { VALUES (?a ?b) { (<http://x.org/#1> <http://x.org/#2>) } }", "SELECT"),
    ("SELECT (1<2 AS ?x) WHERE {}", "SELECT"),
    ('SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "^o", "i") && ?o != "x"@en) }', "SELECT"),
    ("SELECT * WHERE { ?s ?p ?o . ?s ?p [ ?q _:b1 ] OPTIONAL { ?s ?p -1.5e3 } }", "SELECT"),
]


@pytest.mark.parametrize(("text", "form"), ACCEPTED)
def test_plain_queries_are_accepted_and_run(text: str, form: str, store: ox.Store) -> None:
    guarded = check(text)
    assert guarded == GuardedQuery(text, form)
    run(store, guarded.text)


HARMLESS = [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT $SERVICE WHERE { ?s ?p $SERVICE }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o . ?s ex:SERVICE ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:from ?o . ?s ex:insert ?o }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> {}" }',
    "SELECT * WHERE { ?s ?p 'FROM <http://127.0.0.1:9/>' }",
    "SELECT * WHERE { ?s ?p <http://x.org/SERVICE> }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> {}",
    "SELECT * WHERE {\n  # FROM <file:///etc/passwd>\n  ?s ?p ?o\n}",
    'SELECT * WHERE { ?s ?p """multi\nline SERVICE <http://127.0.0.1:9/> {} """ }',
    "SELECT * WHERE { ?s ?p '''it's a ''quoted'' SERVICE''' }",
    'SELECT * WHERE { ?s ?p "escaped \\" SERVICE \\" quote" }',
    "SELECT * WHERE { ?s ?p _:service }",
    'SELECT * WHERE { ?s ?p "x"@en-service }',
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_look_alikes_are_accepted(text: str, store: ox.Store, listener: Listener) -> None:
    guarded = check(text)
    assert guarded.text == text
    assert connections_made(store, listener, guarded.text) == 0
    run(store, guarded.text)  # valid SPARQL: runs without error


def test_adjacent_strings_are_one_token_each() -> None:
    # 'it''s' is two adjacent strings, not an escaped quote; nothing after them is hidden.
    assert check("SELECT * WHERE { ?s ?p ?o FILTER(?o = 'it''s') }").form == "SELECT"
    assert refused("SELECT * WHERE { ?s ?p 'it''s' SERVICE <http://x.org/> {} }").code == "service"


def test_escapes_are_decoded_exactly_once(store: ox.Store) -> None:
    text = r'SELECT ("caf\u00e9 \U0001F600" AS ?x) WHERE {}'
    guarded = check(text)
    assert guarded.text == 'SELECT ("café \U0001f600" AS ?x) WHERE {}'
    assert run(store, guarded.text)
    assert check(r"\u0053ELECT * WHERE { ?s ?p ?o }").text == "SELECT * WHERE { ?s ?p ?o }"


def test_text_without_escapes_is_returned_unchanged() -> None:
    assert check(TYPICAL).text is TYPICAL


# --- refused queries --------------------------------------------------------------------------------

REFUSED = [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "service"),
    ("SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }", "service"),
    ("SELECT * WHERE { SeRvIcE <http://127.0.0.1:9/> { ?s ?p ?o } }", "service"),
    ("SELECT * WHERE { ?x ?y ?z SERVICE ?svc { ?s ?p ?o } }", "service"),
    (r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "service"),
    (r"SELECT * WHERE { \U00000053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "service"),
    (r'SELECT * WHERE { ?s ?p "x\u0022 } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #" }', "service"),
    (r"SELECT * WHERE { ?s ?p ?o } # \u000A SERVICE <http://127.0.0.1:9/> {}", "service"),
    ("SELECT * WHERE { SERVICESILENT<http://127.0.0.1:9/>{} }", "service"),
    ("SELECT * WHERE { ?s ?p trueSERVICE<http://127.0.0.1:9/>{} }", "service"),
    ("PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:x {} }", "service"),
    ("PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEex:x {} }", "service"),
    ("PREFIX ex: <http://x.org/> SELECT * WHERE { ?s ?p ex:a.b.SERVICE<http://127.0.0.1:9/>{} }", "service"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "dataset"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "dataset"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "dataset"),
    ("ASK from <http://example.org/g> { ?s ?p ?o }", "dataset"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "update"),
    ("INSERT DATA { <http://a.org/s> <http://a.org/p> <http://a.org/o> }", "update"),
    ("DELETE WHERE { ?s ?p ?o }", "update"),
    ("DROP ALL", "update"),
    ("CLEAR DEFAULT", "update"),
    ("CREATE GRAPH <http://a.org/g>", "update"),
    ("WITH <http://a.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update"),
    ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a.org/s> <http://a.org/p> 1 }", "update"),
    ("SELECT * WHERE { ?s ?p ?o };DROP ALL", "update"),
    (r"SELECT * WHERE { \u005Cu0053ERVICE <http://127.0.0.1:9/> {} }", "escape"),
    (r'SELECT * WHERE { ?s ?p "\uD800" }', "escape"),
    (r'SELECT * WHERE { ?s ?p "\U00110000" }', "escape"),
    ("PREFIX ex: <http://example.org/>", "form"),
    ("} SELECT * WHERE { ?s ?p ?o }", "form"),
    ("VALUES ?x { 1 }", "form"),
    ("", "syntax"),
    ("   \n\t ", "syntax"),
    ("# just a comment\n", "syntax"),
    ("SELECT * WHERE { ?s ?p 'unterminated }", "syntax"),
    ('SELECT * WHERE { ?s ?p "bad \\x escape" }', "syntax"),
    ("SELECT * WHERE { ?s ?p ?o } \\", "syntax"),
    ("SELECT * WHERE { ?s ?p ?o } ~", "syntax"),
    ("SELECT * WHERE { ?s ?p ?o } BOGUS", "syntax"),
    ("SELECT * WHERE { ?s\u00a0?p ?o }", "syntax"),
    ("PREFIX ex <http://example.org/> SELECT * {}", "syntax"),
]


@pytest.mark.parametrize(("text", "code"), REFUSED)
def test_refused_with_the_right_code(text: str, code: str) -> None:
    error = refused(text)
    assert error.code == code
    assert str(error) and "\n" not in str(error)


AMBIGUOUS_LESS_THAN = [
    # pyoxigraph reads `<` after an operand as less-than, so the string starts inside the "IRI".
    f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o<'a>' ) SERVICE <{URL}> {{}} }} #'",
    f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o<1#>)\n) SERVICE <{URL}> {{}} }}",
    f"SELECT * WHERE {{ ?s ?p ?o FILTER((?o)<'a>' ) SERVICE <{URL}> {{}} }} #'",
]


@pytest.mark.parametrize("template", AMBIGUOUS_LESS_THAN)
def test_ambiguous_less_than_is_refused(template: str, store: ox.Store, listener: Listener) -> None:
    text = template.replace(URL, listener.url)
    assert connections_made(store, listener, text) == 1  # the attack is real on this engine
    error = refused(text)
    assert error.code == "syntax"
    assert "less-than" in str(error)


def test_glued_service_reaches_the_network_without_the_guard(store: ox.Store, listener: Listener) -> None:
    text = f"PREFIX ex: <http://x.org/> SELECT * WHERE {{ ?s ?p ex:a.b.SERVICE<{listener.url}>{{}} }}"
    assert connections_made(store, listener, text) == 1
    assert refused(text).code == "service"


def test_messages_are_clear() -> None:
    assert "federated queries are not allowed here" in str(refused("ASK { SERVICE <http://a.org/> {} }"))
    assert "FROM / FROM NAMED" in str(refused("ASK FROM <http://a.org/> {}"))
    assert "read-only" in str(refused("DROP ALL"))
    assert "further escape sequences" in str(refused(r"ASK { ?s ?p '\u005Cu0041' }"))
    assert str(refused("")) == "the query is empty"
    assert "line 2, column 5" in str(refused("ASK {\n  ?s\u00a0?p ?o }"))


def test_too_long_is_refused_and_says_the_limit() -> None:
    text = "SELECT * WHERE { ?s ?p ?o }" + " " * 100
    error = refused(text, max_length=50)
    assert error.code == "too_long"
    assert "50" in str(error)
    assert check_query(text, max_length=len(text)).form == "SELECT"
    assert refused("ASK {}" + "#" * 20_000).code == "too_long"


def test_api_types() -> None:
    assert issubclass(QueryRefused, ValueError)
    guarded = check("ASK {}")
    with pytest.raises(dataclasses.FrozenInstanceError):
        guarded.text = "DROP ALL"  # type: ignore[misc]


# --- speed --------------------------------------------------------------------------------------------


def test_typical_query_is_fast() -> None:
    timings = []
    for _ in range(300):
        start = time.perf_counter()
        check(TYPICAL)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.002  # measured about 0.04 ms; generous for slow machines


@pytest.mark.parametrize(
    "text",
    [
        "SELECT " + "a-" * 9_990,
        "SELECT " + "a." * 9_990,
        "ASK { ?s ?p ex:" + "a-" * 9_980 + " }",
        "SELECT '''" + "x'" * 9_990,
        "<a" * 10_000,
    ],
)
def test_pathological_input_stays_linear(text: str) -> None:
    start = time.perf_counter()
    with contextlib.suppress(QueryRefused):
        check(text)
    assert time.perf_counter() - start < 0.5


# --- property: a forbidden keyword is either refused or provably inert --------------------------------

SLOT = "\x01"  # where the attack goes: a position where a graph pattern (or a FROM clause) is valid
BASE_QUERIES = [
    f'SELECT ?s ?service WHERE {{ ?s ?p ?service . {SLOT} FILTER(?service != "SERVICE" && ?s < ?s) }}',
    f"SELECT * WHERE {{ ?s ex:p ?o ; ?p ?o , 'x' . {SLOT} OPTIONAL {{ ?s <p> ?x }} # note\n}}",
    f'ASK {{ ?s ?p ?o {SLOT} FILTER(STRLEN(?o) > 0 || ?o IN (<a#b>, "c")) }}',
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o BIND(1 AS ?n) {SLOT} }}",
    f'SELECT (COUNT(*) AS ?c) WHERE {{ ?s ?p ?o . FILTER(?o<"z") {SLOT} }} GROUP BY ?s',
    f"SELECT * WHERE {{ ?s ?p ?o . ?s :p ?o . ?s ex:p? ?o2 {SLOT}}}",
    f'SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ ?s ?p """a\nb""" {SLOT} }} }} ORDER BY ?o',
    f'SELECT * WHERE {{ ?s ?p ?o FILTER(?o < "z" {SLOT}) }}',
    f"SELECT * {SLOT} WHERE {{ ?s ?p ?o }}",
]
KEYWORDS = ["SERVICE", "SERVICE SILENT", "SERVICESILENT", "SERVICE\tSILENT", "FROM", "FROM NAMED"]
TARGETS = [f" <{URL}>", f"<{URL}>", ":x", " :x", "ex:x", " ex:x", " ?svc", "<>"]
BODIES = [" {}", "{}", "{ ?s ?p ?o }", ""]
# fmt: off
TRICKY = [
    '"', "'", "'''", '"""', "#", "\n", "\r", "<", ">", "?", "true", ".", "a.b.", "ex:a.b.", "(", ")",
    "{", "}", r"\u0022", r"\u0027", r"\u0023", r"\u000A", r"\u003C", r"\u005C", "\\", "<'x>", "<1#>",
    "?o<", "FILTER(?o<", "<<", ">>", ";", "@en", "_:b", "^^", ":", "\\'", "[", "]", "-", "a", " ",
]
# fmt: on


@st.composite
def keyword_snippet(draw: st.DrawFn) -> str:
    keyword = draw(st.sampled_from(KEYWORDS))
    flips = draw(st.lists(st.booleans(), min_size=len(keyword), max_size=len(keyword)))
    cased = "".join(c.lower() if flip else c for c, flip in zip(keyword, flips, strict=True))
    glue = draw(st.sampled_from(["", " ", "\n", "#c\n"]))
    return cased + glue + draw(st.sampled_from(TARGETS)) + draw(st.sampled_from(BODIES))


@st.composite
def attacked_query(draw: st.DrawFn) -> str:
    """A valid query with a keyword snippet in a slot, wrapped in would-be hiders, plus random insertions."""
    tricky = st.lists(st.sampled_from(TRICKY), max_size=2).map("".join)
    attack = draw(tricky) + draw(keyword_snippet()) + draw(tricky)
    text = f"PREFIX ex: <{URL}> PREFIX : <{URL}> " + draw(st.sampled_from(BASE_QUERIES)).replace(SLOT, attack)
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:position] + draw(st.one_of(keyword_snippet(), st.sampled_from(TRICKY))) + text[position:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=attacked_query())
def test_property_forbidden_keywords_never_reach_the_engine(
    template: str, store: ox.Store, listener: Listener
) -> None:
    text = template.replace(URL, listener.url)
    try:
        guarded = check(text)
    except QueryRefused as error:
        assert error.code in {"escape", "syntax", "update", "service", "dataset", "form", "too_deep"}
        return
    # Accepted: every SERVICE / FROM in it must be inert (inside a string, IRI, comment, variable, name).
    assert connections_made(store, listener, guarded.text) == 0, guarded.text


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_property_arbitrary_text_never_crashes_the_guard(text: str) -> None:
    try:
        guarded = check(text)
    except QueryRefused as error:
        assert error.code in {
            "too_long",
            "too_deep",
            "escape",
            "syntax",
            "update",
            "service",
            "dataset",
            "form",
        }
    else:
        assert guarded.form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
