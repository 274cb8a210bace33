"""The formats results are served in (one table, by key and media type), and SPARQL 1.1 query results
(JSON, XML, CSV, TSV) written from a list of solutions, so a row cap can apply.

pyoxigraph serializes only whole result iterators; the sandbox keeps the first rows and writes them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import orjson
import pyoxigraph as ox

from kg.terms import XSD_STRING, QueryResult, Term

SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
"""SELECT and ASK results, by the key a client may name in `?format=` or the CLI."""
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
"""CONSTRUCT and DESCRIBE results."""
ALIASES = {
    "application/json": "json",
    "text/xml": "xml",
    "application/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
    "application/json+ld": "jsonld",
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "srj": "json",
    "srx": "xml",
}
"""Other names of the same formats, from media types and file extensions."""
ROWS = "rows"
NAMED_ROW_FORMATS = {ROWS: "application/json", **SOLUTION_FORMATS}
"""A named SELECT query: this service's own JSON (`vars`, `rows`, `truncated`...) first, as the default,
then the SPARQL 1.1 results formats of the table above."""
NAMED_ROW_RENAMES = {"json": ROWS}
"""`format=json` on a named query has always meant the service's own JSON (the query pages link to it);
the SPARQL results JSON is `srj` or its media type there."""

OxTerm: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Solution: TypeAlias = Sequence[OxTerm | None]
"""One row as the engine gives it: its terms in the order of the variables, None where unbound."""


# The engine's writers of the same formats, found by media type.
_ENGINE_SOLUTIONS: dict[str, ox.QueryResultsFormat] = {}
for _key, _media in SOLUTION_FORMATS.items():
    if (_solutions := ox.QueryResultsFormat.from_media_type(_media)) is not None:
        _ENGINE_SOLUTIONS[_key] = _solutions
_ENGINE_GRAPHS: dict[str, ox.RdfFormat] = {}
for _key, _media in GRAPH_FORMATS.items():
    if (_graphs := ox.RdfFormat.from_media_type(_media)) is not None:
        _ENGINE_GRAPHS[_key] = _graphs


def engine_solution_format(key: str) -> ox.QueryResultsFormat:
    """The engine's writer of a solution format (JSON when the key is not one)."""
    return _ENGINE_SOLUTIONS.get(key, ox.QueryResultsFormat.JSON)


def engine_graph_format(key: str) -> ox.RdfFormat:
    """The engine's writer of a graph format (Turtle when the key is not one)."""
    return _ENGINE_GRAPHS.get(key, ox.RdfFormat.TURTLE)


_XSD_STRING = XSD_STRING
_ITS_DECL = 'xmlns:its="http://www.w3.org/2005/11/its" its:version="2.0"'


def _json_term(term: OxTerm) -> dict[str, Any]:
    # The engine's term classes are final: an exact type test is enough, and quicker than isinstance.
    if type(term) is ox.NamedNode:
        return {"type": "uri", "value": term.value}
    if type(term) is ox.Literal:
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        language = term.language
        if language:
            out["xml:lang"] = language
            if term.direction is not None:
                out["its:dir"] = str(term.direction)
        else:
            datatype = term.datatype.value
            if datatype != _XSD_STRING:
                out["datatype"] = datatype
        return out
    if type(term) is ox.BlankNode:
        return {"type": "bnode", "value": term.value}
    parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
    return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}


def _solutions_json(variables: Sequence[str], rows: Iterable[Solution]) -> bytes:
    """The bytes the engine's own writer gives for the same rows (orjson writes compact UTF-8, escaping what
    the engine escapes; tests/test_solution_writers.py compares them), a third of the standard library's cost."""
    names = list(variables)
    bindings = [
        {var: _json_term(term) for var, term in zip(names, row, strict=True) if term is not None}
        for row in rows
    ]
    return orjson.dumps({"head": {"vars": names}, "results": {"bindings": bindings}})


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attr(text: str) -> str:
    escaped = _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return f'"{escaped}"'


def _xml_term(term: OxTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    attributes = ""
    if term.language:
        attributes = f" xml:lang={_xml_attr(term.language)}"
        if term.direction is not None:
            attributes += f" its:dir={_xml_attr(str(term.direction))} {_ITS_DECL}"
    elif term.datatype.value != _XSD_STRING:
        attributes = f" datatype={_xml_attr(term.datatype.value)}"
    return f"<literal{attributes}>{_xml_text(term.value)}</literal>"


def _solutions_xml(variables: Sequence[str], rows: Iterable[Solution]) -> bytes:
    parts = ['<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts.extend(f"<variable name={_xml_attr(var)}/>" for var in variables)
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        parts.extend(
            f"<binding name={_xml_attr(var)}>{_xml_term(term)}</binding>"
            for var, term in zip(variables, row, strict=True)
            if term is not None
        )
        parts.append("</result>")
    parts.append("</results></sparql>")
    return "".join(parts).encode()


def _csv_plain(term: OxTerm) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return " ".join(_csv_plain(part) for part in (term.subject, term.predicate, term.object))
    return term.value


def _csv_field(term: OxTerm | None) -> str:
    if term is None:
        return ""
    text = _csv_plain(term)
    if any(char in text for char in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _solutions_csv(variables: Sequence[str], rows: Iterable[Solution]) -> bytes:
    lines = [",".join(variables)]
    lines.extend(",".join(_csv_field(term) for term in row) for row in rows)
    return "".join(line + "\r\n" for line in lines).encode()


def _tsv_term(term: OxTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        parts = (term.subject, term.predicate, term.object)
        return "<<( " + " ".join(_tsv_term(part) for part in parts) + " )>>"
    return str(term)  # N-Triples syntax; tabs and line breaks inside literals are escaped


def _solutions_tsv(variables: Sequence[str], rows: Iterable[Solution]) -> bytes:
    lines = ["\t".join(f"?{var}" for var in variables)]
    lines.extend("\t".join(_tsv_term(term) for term in row) for row in rows)
    return "".join(line + "\n" for line in lines).encode()


_SOLUTION_WRITERS = {
    "json": _solutions_json,
    "xml": _solutions_xml,
    "csv": _solutions_csv,
    "tsv": _solutions_tsv,
}


def serialize_solutions(
    variables: Sequence[str], rows: Iterable[Solution], result_format: str = "json"
) -> tuple[bytes, str]:
    """Serialize SELECT rows (terms in ``variables`` order, None = unbound); returns (body, media type)."""
    name = result_format if result_format in _SOLUTION_WRITERS else "json"
    return _SOLUTION_WRITERS[name](variables, rows), engine_solution_format(name).media_type


def ox_term(term: Term) -> OxTerm:
    """A term of a named query's rows as the engine's own, for the writers above."""
    if term.kind == "iri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype or XSD_STRING))


def serialize_result(result: QueryResult, result_format: str) -> tuple[bytes, str]:
    """A named query's rows as a SPARQL 1.1 results document (`head.vars` in the query's order)."""
    rows = ([ox_term(row[var]) if var in row else None for var in result.vars] for row in result.rows)
    return serialize_solutions(result.vars, rows, result_format)
