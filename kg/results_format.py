"""SPARQL 1.1 query results (JSON, XML, CSV, TSV) written from a list of solutions, so a row cap can apply.

pyoxigraph serializes only whole result iterators; the sandbox keeps the first rows and writes them here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import pyoxigraph as ox

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row: TypeAlias = Sequence[Term | None]

_MEDIA_TYPES = {
    name: getattr(ox.QueryResultsFormat, name.upper()).media_type for name in ("json", "xml", "csv", "tsv")
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ITS_DECL = 'xmlns:its="http://www.w3.org/2005/11/its" its:version="2.0"'


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
        if term.direction is not None:
            out["its:dir"] = str(term.direction)
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _solutions_json(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    bindings = [
        {var: _json_term(term) for var, term in zip(variables, row, strict=True) if term is not None}
        for row in rows
    ]
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attr(text: str) -> str:
    escaped = _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return f'"{escaped}"'


def _xml_term(term: Term) -> str:
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


def _solutions_xml(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
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


def _csv_plain(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return " ".join(_csv_plain(part) for part in (term.subject, term.predicate, term.object))
    return term.value


def _csv_field(term: Term | None) -> str:
    if term is None:
        return ""
    text = _csv_plain(term)
    if any(char in text for char in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _solutions_csv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    lines = [",".join(variables)]
    lines.extend(",".join(_csv_field(term) for term in row) for row in rows)
    return "".join(line + "\r\n" for line in lines).encode()


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        parts = (term.subject, term.predicate, term.object)
        return "<<( " + " ".join(_tsv_term(part) for part in parts) + " )>>"
    return str(term)  # N-Triples syntax; tabs and line breaks inside literals are escaped


def _solutions_tsv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
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
    variables: Sequence[str], rows: Iterable[Row], result_format: str = "json"
) -> tuple[bytes, str]:
    """Serialize SELECT rows (terms in ``variables`` order, None = unbound); returns (body, media type)."""
    name = result_format if result_format in _SOLUTION_WRITERS else "json"
    return _SOLUTION_WRITERS[name](variables, rows), _MEDIA_TYPES[name]
