"""Tests for kg.catalogue: a contract every file in queries/ must keep, and broken files refused by name."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES
from kg.catalogue import PARAM_TYPES, CatalogueError, NamedQuery, load_catalogue, parse_query_file
from kg.catalogue.contract import READS, selected_variables
from kg.engine import KnowledgeGraph
from kg.validation import validate_all

# Collected when the tests are, so a new .rq file gets its own contract tests with no edit here.
QUERY_FILES = sorted(DEFAULT_QUERIES.glob("*.rq"))


def builds_triples(path: Path) -> bool:
    """CONSTRUCT and DESCRIBE queries answer with triples, not rows; a broken file counts as a row query."""
    try:
        return isinstance(ox.Store().query(path.read_text(encoding="utf-8")), ox.QueryTriples)
    except (SyntaxError, OSError, UnicodeDecodeError):
        return False


ROW_FILES = [path for path in QUERY_FILES if not builds_triples(path)]
GRAPH_FILES = [path for path in QUERY_FILES if builds_triples(path)]


def example_params(query: NamedQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.params if p.example}


def body_without_comments(sparql: str) -> str:
    return re.sub(r"(?m)^\s*#.*$", "", sparql)


@pytest.fixture(params=QUERY_FILES, ids=[path.stem for path in QUERY_FILES])
def named(request: pytest.FixtureRequest) -> NamedQuery:
    return parse_query_file(request.param)


@pytest.fixture(params=ROW_FILES, ids=[path.stem for path in ROW_FILES])
def row_query(request: pytest.FixtureRequest) -> NamedQuery:
    return parse_query_file(request.param)


@pytest.fixture(params=GRAPH_FILES, ids=[path.stem for path in GRAPH_FILES])
def graph_query(request: pytest.FixtureRequest) -> NamedQuery:
    return parse_query_file(request.param)


def test_the_folder_holds_queries() -> None:
    assert len(QUERY_FILES) >= 20


def test_the_catalogue_has_one_query_per_file() -> None:
    catalogue = load_catalogue(DEFAULT_QUERIES)
    assert sorted(catalogue.queries) == [path.stem for path in QUERY_FILES]
    assert [q.name for q in catalogue] == sorted(catalogue.queries)


def test_the_catalogue_version_changes_with_a_query(graph_copy: Path) -> None:
    before = load_catalogue(graph_copy / "queries").version
    path = graph_copy / "queries" / "cheapest_modality.rq"
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert load_catalogue(graph_copy / "queries").version != before


# --- the contract, one test per file ----------------------------------------------------------------


def test_header_has_title_description_and_an_example(named: NamedQuery) -> None:
    assert named.title.strip()
    assert named.description.strip()
    assert named.examples, f"{named.name}: no '# example:' question"
    assert all(example.strip() for example in named.examples)


def test_every_param_is_used_in_the_query_body(named: NamedQuery) -> None:
    body = body_without_comments(named.sparql)
    for param in named.params:
        if param.name in (named.page or ()):
            continue  # written into the query's LIMIT and OFFSET, not bound as a variable
        assert re.search(rf"[?$]{param.name}\b", body), f"{named.name}: ?{param.name} is never used"


def test_param_types_are_known_and_required_params_have_examples(named: NamedQuery) -> None:
    for param in named.params:
        assert param.type in PARAM_TYPES
        assert param.combine in ("any", "all")
        if param.required:
            assert param.example, f"{named.name}: required param '{param.name}' has no example value"
            assert param.default is None


def test_the_query_parses(named: NamedQuery) -> None:
    ox.Store().query(named.sparql)  # raises SyntaxError on a broken query


def test_the_query_answers_its_example(row_query: NamedQuery, graph: KnowledgeGraph) -> None:
    result = graph.run(row_query.name, example_params(row_query))
    assert result.rows, f"{row_query.name} returns no rows with {example_params(row_query)}"
    assert not result.truncated
    assert set(result.vars) >= {key for row in result.rows for key in row}


def test_a_graph_query_gives_triples_for_its_example(graph_query: NamedQuery, graph: KnowledgeGraph) -> None:
    ntriples = graph.construct(graph_query.name, example_params(graph_query), "application/n-triples").body
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    assert triples, f"{graph_query.name} builds no triples with {example_params(graph_query)}"


def test_the_form_is_read_as_the_parser_reads_it(named: NamedQuery) -> None:
    parsed = ox.Store().query(named.sparql)
    if isinstance(parsed, ox.QuerySolutions):
        assert named.form == "SELECT"
    elif isinstance(parsed, ox.QueryTriples):
        assert named.form in ("CONSTRUCT", "DESCRIBE")
    else:
        assert named.form == "ASK"


@pytest.mark.parametrize(
    "prologue", ["PREFIX ex: <http://example.org/ask/>", "PREFIX describe: <http://example.org/>"]
)
def test_a_prefix_does_not_change_the_form(prologue: str) -> None:
    query = NamedQuery("q", "T", "D", f"{prologue}\nSELECT ?x WHERE {{ ?x ?p ?o }}")
    assert query.form == "SELECT"


# --- broken files --------------------------------------------------------------------------------------

GOOD = """# title: Things with a value
# description: A small query for the tests.
# param: value string required example=a -- the value
# example: Which things have this value?
SELECT ?thing WHERE { ?thing ?property ?value }
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(folder: Path) -> str:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(folder)
    return str(caught.value)


def test_a_good_small_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "things_with_value.rq", GOOD)
    query = load_catalogue(tmp_path).queries["things_with_value"]
    assert query.title == "Things with a value"
    assert [(p.name, p.type, p.required, p.example) for p in query.params] == [("value", "string", True, "a")]
    assert query.examples == ("Which things have this value?",)


BROKEN = {
    "missing_title": (GOOD.replace("# title: Things with a value\n", ""), "title"),
    "missing_description": (GOOD.replace("# description: A small query for the tests.\n", ""), "description"),
    "bad_param_line": (GOOD.replace("value string required", "value string sometimes"), "bad param line"),
    "unknown_type": (GOOD.replace("value string required", "value float required"), "unknown type 'float'"),
    "unused_param": (
        GOOD.replace("# param: value", "# param: other string required example=b\n# param: value"),
        "'other' is not used",
    ),
    "param_only_in_the_header": (
        GOOD.replace("A small query for the tests.", "Binds ?other for the tests.").replace(
            "# param: value", "# param: other string required example=b\n# param: value"
        ),
        "'other' is not used",
    ),
    "sparql_syntax_error": (GOOD.replace("?value }", "?value "), "SPARQL syntax error"),
    "unknown_header_key": (GOOD.replace("# example:", "# colour: blue\n# example:"), "unknown header key"),
    "required_with_default": (
        GOOD.replace("required example=a", "required default=a"),
        "cannot have a default",
    ),
    "bad_combine": (GOOD.replace("example=a", "example=a combine=some"), "combine=some"),
    "no_where": (GOOD.replace("WHERE {", "{"), "explicit WHERE"),
    "where_only_in_a_comment": (
        GOOD.replace("A small query for the tests.", "The WHERE { } is left out.").replace("WHERE {", "{"),
        "explicit WHERE",
    ),
    "bad_rank": (GOOD.replace("# example:", "# rank: high\n# example:"), "rank"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_refused_by_name(tmp_path: Path, case: str) -> None:
    text, reason = BROKEN[case]
    shutil.copy(DEFAULT_QUERIES / "cheapest_modality.rq", tmp_path)  # a good neighbour does not help
    write(tmp_path, f"{case}.rq", text)
    message = refused(tmp_path)
    assert f"{case}.rq" in message
    assert reason in message


@pytest.mark.parametrize("file_name", ["Bad-Name.rq", "1st_query.rq", "with space.rq", "UPPER.rq"])
def test_a_bad_file_name_is_refused_by_name(tmp_path: Path, file_name: str) -> None:
    write(tmp_path, file_name, GOOD)
    message = refused(tmp_path)
    assert file_name in message
    assert "lower_snake_case" in message


def test_a_file_that_is_not_utf8_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "latin1.rq").write_bytes(GOOD.replace("small", "smäll").encode("latin-1"))
    message = refused(tmp_path)
    assert "latin1.rq" in message
    assert "cannot read" in message


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "not a query")
    message = refused(tmp_path)
    assert str(tmp_path) in message
    assert "no .rq files" in message


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path / "nowhere")
    assert "nowhere" in message


def test_header_stops_at_the_first_query_line(tmp_path: Path) -> None:
    """A comment inside the query body is a comment, not a header key."""
    after_prefix = GOOD.replace("SELECT", "PREFIX ex: <http://example.org/>\n# note: a body comment\nSELECT")
    write(tmp_path, "commented.rq", after_prefix)
    text = GOOD.replace("WHERE {", "WHERE {\n  # colour: a body comment that looks like a key\n")
    write(tmp_path, "body_comment.rq", text)
    assert sorted(load_catalogue(tmp_path).queries) == ["body_comment", "commented"]


# --- the answer contract: what Python reads from the rows ---------------------------------------------


def _copy_queries(tmp_path: Path) -> Path:
    folder = tmp_path / "queries"
    shutil.copytree(DEFAULT_QUERIES, folder)
    return folder


def test_renaming_a_variable_the_service_reads_fails_the_load_naming_file_line_and_variable(
    tmp_path: Path,
) -> None:
    folder = _copy_queries(tmp_path)
    path = folder / "treatments_for_condition.rq"
    path.write_text(path.read_text(encoding="utf-8").replace("minPrice", "lowestPrice"), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(folder)
    message = str(caught.value)
    assert f"{path}:" in message and "?minPrice" in message and "treatments_for_condition" in message
    line = int(message.split(f"{path}:", 1)[1].split(":", 1)[0])
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith("# returns:")


def test_a_declared_variable_the_select_does_not_give_fails_the_load(tmp_path: Path) -> None:
    folder = _copy_queries(tmp_path)
    path = folder / "cost_of_modality.rq"
    text = path.read_text(encoding="utf-8")
    body_start = text.index("SELECT")
    path.write_text(
        text[:body_start] + text[body_start:].replace("?minPrice", "?lowestPrice"), encoding="utf-8"
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(folder)
    assert "declares ?minPrice, which the query's SELECT does not give" in str(caught.value)


def test_validate_names_the_renamed_variable(tmp_path: Path) -> None:
    folder = _copy_queries(tmp_path)
    path = folder / "cost_of_modality.rq"
    path.write_text(path.read_text(encoding="utf-8").replace("minPrice", "lowestPrice"), encoding="utf-8")
    report = validate_all(DEFAULT_ONTOLOGY, DEFAULT_SHAPES, folder)
    assert not report.ok
    assert any("?minPrice" in p.what and "cost_of_modality" in p.what for p in report.problems), (
        report.render()
    )


def test_every_query_the_service_reads_declares_what_it_reads() -> None:
    catalogue = load_catalogue(DEFAULT_QUERIES)
    for name, needed in READS.items():
        assert set(needed) <= set(catalogue.queries[name].returns), name


@pytest.mark.parametrize(
    ("sparql", "given"),
    [
        ("SELECT ?a ?b WHERE { ?a ?p ?b }", ("a", "b")),
        ("SELECT DISTINCT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b } GROUP BY ?a", ("a", "n")),
        (
            'SELECT ?a (GROUP_CONCAT(DISTINCT ?h; separator=", ") AS ?hedge)\nWHERE { ?a ?p ?h }',
            ("a", "hedge"),
        ),
        ("SELECT * WHERE { ?a ?p ?b }", None),
        ("# SELECT ?x\nSELECT ?y WHERE { { SELECT ?z WHERE { ?z ?p ?o } } }", ("y",)),
    ],
)
def test_selected_variables(sparql: str, given: tuple[str, ...] | None) -> None:
    assert selected_variables(sparql) == given
