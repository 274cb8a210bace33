"""The named-query catalogue: `.rq` files read into queries, their parameters bound as RDF terms, paging."""

from kg.catalogue.header import PARAM_TYPES, load_catalogue, parse_query_file
from kg.catalogue.model import (
    PAGE_LIMIT,
    Catalogue,
    CatalogueError,
    NamedQuery,
    Param,
    blank_comment_lines,
    without_header,
)

__all__ = [
    "PAGE_LIMIT",
    "PARAM_TYPES",
    "Catalogue",
    "CatalogueError",
    "NamedQuery",
    "Param",
    "blank_comment_lines",
    "load_catalogue",
    "parse_query_file",
    "without_header",
]
