"""Turn request values into typed RDF terms and bind them into a named query as a VALUES block."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kg.catalogue.model import NamedQuery, Param, blank_comment_lines
from kg.errors import NeedlingError
from kg.terms import NKG, PREFIXES, XSD, Term

KNOWN_PREFIXES = PREFIXES
MAX_VALUE_LENGTH = 500
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CURIE = re.compile(r"^([a-z][a-z0-9]*):([A-Za-z0-9][A-Za-z0-9_.-]*)$")
_ABSOLUTE_IRI = re.compile(r"^(https?|urn):[^\x00-\x20<>\"{}|^`\\]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class ParamError(NeedlingError, ValueError):
    """A parameter value is missing or wrong; `.param` names it and the message says why."""

    code = "invalid_parameter"

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"parameter '{param}': {reason}")
        self.param = param
        self.reason = reason


def bind_params(query: NamedQuery, raw: Mapping[str, object]) -> dict[str, Term]:
    """Check every value against the query's declared parameters and convert it to an RDF term."""
    unknown = sorted(set(raw) - {p.name for p in query.params})
    if unknown:
        accepted = ", ".join(p.name for p in query.params) or "none"
        raise ParamError(unknown[0], f"not a parameter of '{query.name}' (it takes: {accepted})")
    bound: dict[str, Term] = {}
    for param in query.params:
        value = raw.get(param.name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if param.required:
                raise ParamError(param.name, f"is required ({param.type})")
            if param.default is None:
                continue
            value = param.default
        bound[param.name] = to_term(param, value)
    return bound


def to_term(param: Param, value: object) -> Term:
    text = str(value).strip() if not isinstance(value, bool) else ("true" if value else "false")
    if len(text) > MAX_VALUE_LENGTH:
        raise ParamError(param.name, f"is longer than {MAX_VALUE_LENGTH} characters")
    if param.type == "iri":
        return Term.iri(expand_iri(param.name, text))
    if param.type == "integer":
        if not _INTEGER.match(text):
            raise ParamError(param.name, f"must be a whole number, got {text!r}")
        whole = int(text)
        if param.minimum is not None and whole < param.minimum:
            raise ParamError(param.name, f"must be at least {param.minimum}, got {whole}")
        if param.maximum is not None and whole > param.maximum:
            raise ParamError(param.name, f"must be at most {param.maximum}, got {whole}")
        return Term.literal(str(whole), XSD + "integer")
    if param.type == "decimal":
        if not _DECIMAL.match(text):
            raise ParamError(param.name, f"must be a number such as 60 or 59.5, got {text!r}")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ParamError(param.name, f"must be a number, got {text!r}") from None
        return Term.literal(format(number.normalize(), "f"), XSD + "decimal")
    if param.type == "boolean":
        if text.lower() not in ("true", "false", "1", "0"):
            raise ParamError(param.name, f"must be true or false, got {text!r}")
        return Term.literal("true" if text.lower() in ("true", "1") else "false", XSD + "boolean")
    if any(ord(ch) < 32 and ch not in "\t" for ch in text):
        raise ParamError(param.name, "must not contain control characters")
    return Term.literal(text)


def expand_iri(name: str, text: str) -> str:
    """Accept a full http(s)/urn IRI, a prefixed name such as nkg:sciatica, or a bare name of our namespace."""
    curie = _CURIE.match(text)
    if curie and curie.group(1) in KNOWN_PREFIXES:
        return KNOWN_PREFIXES[curie.group(1)] + curie.group(2)
    if _ABSOLUTE_IRI.match(text):
        return text
    if _LOCAL_NAME.match(text):
        return NKG + text
    raise ParamError(
        name, f"must be an IRI, a prefixed name (nkg:sciatica) or a name such as 'sciatica', got {text!r}"
    )


def with_bindings(sparql: str, bindings: Mapping[str, Term]) -> str:
    """Insert the values as a VALUES block at the start of the WHERE groups: terms, never text."""
    if not bindings:
        return sparql
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    return _at_where(sparql, f" VALUES ({names}) {{ ({terms}) }}")


def with_candidates(sparql: str, name: str, candidates: list[str]) -> str:
    """Narrow one variable to the given terms (N-Triples syntax, from the graph itself) with a VALUES block."""
    return _at_where(sparql, f" VALUES ?{name} {{ {' '.join(candidates)} }}")


def _at_where(sparql: str, block: str) -> str:
    """The block at the start of every WHERE group: a sub-select (a paged query's page) sees the values
    too, which a block in the outer group alone would not give it."""
    ends = _where_ends(sparql)
    if not ends:
        raise ValueError("the query has no WHERE { ... } group to bind values into")
    pieces = [sparql[start:end] for start, end in zip([0, *ends], [*ends, len(sparql)], strict=True)]
    return block.join(pieces)


@lru_cache(maxsize=256)
def _where_ends(sparql: str) -> tuple[int, ...]:
    # A named query's text is the same on every call: finding its groups (comment lines blanked first)
    # took 175 us a request, as long as the rest of preparing it.
    return tuple(match.end() for match in _WHERE_OPEN.finditer(blank_comment_lines(sparql)))


def json_value(param: Param, value: str | None) -> object:
    """A header value (always text: a default, an example) as the parameter's JSON type, for the schemas
    that describe the query to callers (OpenAPI, MCP)."""
    if value is None:
        return None
    if param.type == "boolean":
        return value.lower() in ("true", "1")
    if param.type == "integer":
        return int(value)
    if param.type == "decimal":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value
