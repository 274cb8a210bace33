"""RDF terms and query results as plain Python values, independent of the store behind them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

XSD = "http://www.w3.org/2001/XMLSchema#"
NKG = "https://needling-kg.example.org/kg/"
# The one table of prefixes: for prefixed names in parameters, for short IRIs on pages and in reports,
# and for Turtle the service writes.
PREFIXES = {
    "nkg": NKG,
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "mesh": "http://id.nlm.nih.gov/mesh/",
    "icd10cm": "http://purl.bioontology.org/ontology/ICD10CM/",
}
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGER_TYPES = {
    XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
}
_DECIMAL_TYPES = {XSD + "decimal"}
_FLOAT_TYPES = {XSD + "double", XSD + "float"}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')

TermKind = Literal["iri", "bnode", "literal"]


@dataclass(frozen=True, slots=True)
class Term:
    """One RDF term: an IRI, a blank node or a literal with its datatype or language."""

    kind: TermKind
    value: str
    datatype: str | None = None
    lang: str | None = None

    @classmethod
    def iri(cls, value: str) -> Term:
        if not value or _IRI_FORBIDDEN.search(value):
            raise ValueError(f"not a valid IRI: {value!r}")
        return cls("iri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        if lang:
            return cls("literal", value, RDF_LANG_STRING, lang.lower())
        return cls("literal", value, datatype or XSD_STRING)

    def to_python(self) -> object:
        """The value a JSON client expects: numbers as numbers, booleans as booleans, the rest as text."""
        if self.kind != "literal" or self.datatype is None:
            return self.value
        try:
            if self.datatype in _INTEGER_TYPES:
                return int(self.value)
            if self.datatype in _DECIMAL_TYPES:
                number = Decimal(self.value)
                return int(number) if number == number.to_integral_value() else float(number)
            if self.datatype in _FLOAT_TYPES:
                return float(self.value)
        except (ValueError, InvalidOperation):
            return self.value
        if self.datatype == XSD + "boolean":
            return self.value in ("true", "1")
        return self.value

    def n3(self) -> str:
        """The term in N-Triples syntax, escaped so it can stand in a query as one term and nothing more."""
        if self.kind == "iri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = "".join(_ESCAPES.get(ch, ch) for ch in self.value)
        if self.lang:
            return f'"{text}"@{self.lang}'
        if self.datatype and self.datatype != XSD_STRING:
            return f'"{text}"^^<{self.datatype}>'
        return f'"{text}"'


Row = Mapping[str, Term]
"""One solution, variable to value. Answers may be shared (see kg.result_cache): rows are read, never changed."""


@dataclass(frozen=True)
class QueryResult:
    """Rows of a SELECT with the variables in query order, whether the row cap cut them, and the time taken."""

    vars: tuple[str, ...]
    rows: tuple[Row, ...]
    truncated: bool = False
    elapsed_ms: float = 0.0
    sparql: str = ""
    params: dict[str, object] = field(default_factory=dict)
    next_offset: int | None = None
    """For a paged named query: the offset of the next page, or None on the last page."""

    def plain_rows(self) -> list[dict[str, object]]:
        return [{name: term.to_python() for name, term in row.items()} for row in self.rows]

    def column(self, name: str) -> list[Term]:
        return [row[name] for row in self.rows if name in row]
