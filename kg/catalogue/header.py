"""Read the catalogue: one SPARQL file per named query, described by its comment header."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox

from kg.catalogue.contract import check_reads, check_returns
from kg.catalogue.model import PAGE_LIMIT, Catalogue, CatalogueError, NamedQuery, Param, blank_comment_lines

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER_LINE = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*)$")
_PARAM = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*)\s+(?P<type>[a-z]+)\s+(?P<req>required|optional)"
    r"(?P<opts>(?:\s+(?:default|example|class|combine|min|max)=\S+)*)\s*(?:--\s*(?P<doc>.*))?$"
)
_OPT = re.compile(r"(default|example|class|combine|min|max)=(\S+)")
_LIST_KEYS = ("param", "example", "cue")
_SCALAR_KEYS = ("title", "description", "answer", "say", "about", "rank", "search", "page", "returns")
_OFFSET = re.compile(r"\bOFFSET\b", re.IGNORECASE)
_SEARCH = re.compile(r"^\??(?P<var>[A-Za-z_][A-Za-z0-9_]*)\s+contains\s+\??(?P<param>[a-z][a-z0-9_]*)$")


def load_catalogue(folder: Path) -> Catalogue:
    """Read every `*.rq` file in the folder; any broken file stops the load with a clear error."""
    if not folder.is_dir():
        raise CatalogueError(f"{folder}: no such folder of named queries")
    queries: dict[str, NamedQuery] = {}
    digest = []
    for path in sorted(folder.glob("*.rq")):
        query = parse_query_file(path)
        queries[query.name] = query
        digest.append(f"{query.name}\0{query.sparql}")
    if not queries:
        raise CatalogueError(f"{folder}: holds no .rq files")
    check_reads(queries)
    version = hashlib.sha256("\n".join(digest).encode()).hexdigest()[:16]
    return Catalogue(queries, version)


def parse_query_file(path: Path) -> NamedQuery:
    name = path.stem
    if not _NAME.match(name):
        raise CatalogueError(f"{path}: the file name must be lower_snake_case (it is the query's name)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read: {exc}") from None
    header = _read_header(path, text)
    for key in ("title", "description"):
        if not header.get(key):
            raise CatalogueError(f"{path}: the header has no '# {key}:' line")
    params = tuple(_parse_param(path, line) for line in header.get("param", []))
    answer, _, answer_opts = str(header.get("answer", "")).partition(" ")
    answer_class = dict(_OPT.findall(answer_opts)).get("class")
    query = NamedQuery(
        name=name,
        title=str(header["title"]),
        description=str(header["description"]),
        sparql=text,
        params=params,
        examples=tuple(header.get("example", [])),
        cues=tuple(c.strip().lower() for line in header.get("cue", []) for c in line.split(",") if c.strip()),
        answer=answer or None,
        answer_class=answer_class,
        about=str(header.get("about") or "") or None,
        rank=_rank(path, header.get("rank")),
        say=header.get("say") or None,  # type: ignore[arg-type]
        search=_search(path, header.get("search")),
        page=_page(path, header.get("page")),
        returns=tuple(v.strip().lstrip("?$") for v in str(header.get("returns", "")).split(",") if v.strip()),
        path=path,
    )
    _check_query(path, query)
    check_returns(query)
    return query


def _read_header(path: Path, text: str) -> dict[str, list[str] | str]:
    header: dict[str, list[str] | str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _HEADER_LINE.match(stripped)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key in _LIST_KEYS:
            header.setdefault(key, [])
            header[key].append(value)  # type: ignore[union-attr]
        elif key in _SCALAR_KEYS:
            header[key] = value
        else:
            raise CatalogueError(f"{path}:{number}: unknown header key '{key}'")
    return header


def _rank(path: Path, value: object) -> int:
    try:
        return int(str(value or 0))
    except ValueError:
        raise CatalogueError(f"{path}: '# rank:' must be a whole number, got {value!r}") from None


def _search(path: Path, value: object) -> tuple[str, str] | None:
    if not value:
        return None
    match = _SEARCH.match(str(value))
    if not match:
        raise CatalogueError(f"{path}: '# search:' must read 'VAR contains PARAM', got {value!r}")
    return match.group("var"), match.group("param")


def _page(path: Path, value: object) -> tuple[str, str] | None:
    if not value:
        return None
    names = str(value).split()
    if len(names) != 2:
        raise CatalogueError(
            f"{path}: '# page:' must name two params, the limit and the offset, got {value!r}"
        )
    return names[0], names[1]


def _parse_param(path: Path, line: str) -> Param:
    match = _PARAM.match(line)
    if not match:
        raise CatalogueError(
            f"{path}: bad param line '{line}'; expected 'NAME TYPE required|optional "
            "[default=V] [example=V] -- description'"
        )
    kind = match.group("type")
    if kind not in PARAM_TYPES:
        raise CatalogueError(f"{path}: param '{match.group('name')}' has unknown type '{kind}'")
    opts = dict(_OPT.findall(match.group("opts") or ""))
    return Param(
        name=match.group("name"),
        type=kind,
        required=match.group("req") == "required",
        default=opts.get("default"),
        example=opts.get("example"),
        description=(match.group("doc") or "").strip(),
        rdf_class=opts.get("class"),
        combine=opts.get("combine", "any"),
        minimum=_bound(path, match.group("name"), opts.get("min")),
        maximum=_bound(path, match.group("name"), opts.get("max")),
    )


def _bound(path: Path, name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise CatalogueError(f"{path}: param '{name}' has min/max={value}; use a whole number") from None


def _check_query(path: Path, query: NamedQuery) -> None:
    try:
        ox.Store().query(query.sparql)
    except SyntaxError as exc:
        raise CatalogueError(f"{path}: SPARQL syntax error: {exc}") from None
    paging = set(query.page or ())
    missing = sorted(name for name in paging if query.param(name) is None)
    if missing:
        raise CatalogueError(f"{path}: '# page:' names '{missing[0]}', which is not a param of the query")
    for param in query.params:
        if (param.minimum is not None or param.maximum is not None) and param.type != "integer":
            raise CatalogueError(f"{path}: param '{param.name}' has min/max but is not an integer param")
        if param.name in paging:
            if param.type != "integer" or param.required or param.default is None:
                raise CatalogueError(
                    f"{path}: page param '{param.name}' must be an optional integer param with a default"
                )
            continue  # written into the LIMIT and OFFSET, not bound as a variable
        if not re.search(rf"[?$]{param.name}\b", blank_comment_lines(query.sparql)):
            raise CatalogueError(f"{path}: param '{param.name}' is not used as ?{param.name} in the query")
        if param.combine not in ("any", "all"):
            raise CatalogueError(f"{path}: param '{param.name}' has combine={param.combine}; use any or all")
        if param.required and param.default is not None:
            raise CatalogueError(f"{path}: param '{param.name}' is required and so cannot have a default")
    if query.page:
        text = blank_comment_lines(query.sparql)
        limits = len(PAGE_LIMIT.findall(text))
        if limits != 1:
            raise CatalogueError(
                f"{path}: a paged query needs exactly one 'LIMIT n' for the page, found {limits}"
            )
        if _OFFSET.search(text):
            raise CatalogueError(f"{path}: a paged query must not have an OFFSET of its own")
    if query.search:
        var, name = query.search
        searched = query.param(name)
        if searched is None or searched.type != "string":
            raise CatalogueError(
                f"{path}: '# search:' names '{name}', which is not a string param of the query"
            )
        if not re.search(rf"[?$]{var}\b", blank_comment_lines(query.sparql)):
            raise CatalogueError(f"{path}: '# search:' names ?{var}, which the query does not use")
        if len(re.findall(r"\bWHERE\b", blank_comment_lines(query.sparql), re.IGNORECASE)) != 1:
            raise CatalogueError(
                f"{path}: a query with '# search:' must have one WHERE group and no sub-select, so the "
                f"labels it is narrowed to join where ?{var} is bound"
            )
    if not re.search(r"\bWHERE\s*\{", blank_comment_lines(query.sparql), re.IGNORECASE):
        raise CatalogueError(f"{path}: the query needs an explicit WHERE {{ ... }} to bind parameters into")
