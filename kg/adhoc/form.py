"""The query form (SELECT, ASK, CONSTRUCT or DESCRIBE): the first word after the prologue's BASE and PREFIX
declarations, which are checked on the way. `head_form` reads it from a text's first lines alone, and
remembers it by them: a client sends the same head with every query."""

from __future__ import annotations

from functools import lru_cache

from kg.adhoc.lexer import MEMO_LINE_CHARS, Token, line_tokens, tokenize
from kg.adhoc.position import where
from kg.adhoc.refusal import QueryRefused

FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_WORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
    "USING",
)
_PROLOGUE = frozenset({"BASE", "PREFIX"})


def head_form(lines: list[str]) -> str:
    """The query form, read from the text's head: its lines up to the first with a word other than BASE or
    PREFIX, all that `query_form` reads (a prologue's declaration never looks past a word). A client sends
    the same head with every query, so the form of a head seen before is a look-up (the tokens cost 10 us)."""
    head: list[str] = []
    for line in lines:
        head.append(line)
        if (_opens_body_memo if len(line) <= MEMO_LINE_CHARS else _opens_body)(line):
            break
    return (_form_of_head_memo if sum(map(len, head)) <= _MEMO_HEAD_CHARS else _form_of_head)(tuple(head))


def _opens_body(line: str) -> bool:
    """Whether the line holds a word other than BASE or PREFIX (a line of the text `text_lines` gives)."""
    known, _ = line_tokens(line)
    return any(kind == "word" and line[start:end].upper() not in _PROLOGUE for kind, start, end in known)


def _form_of_head(head: tuple[str, ...]) -> str:
    """`query_form` of the head's tokens (the head is where the text starts, so they are placed as in it);
    a head refused raises each time (nothing is remembered). Its lines passed the guard: no bad token."""
    text = "\n".join(head)
    return query_form(text, tokenize(text)[0])


_opens_body_memo = lru_cache(maxsize=4096)(_opens_body)
_form_of_head_memo = lru_cache(maxsize=1024)(_form_of_head)
_MEMO_HEAD_CHARS = 4 * MEMO_LINE_CHARS


def query_form(text: str, tokens: list[Token]) -> str:
    """Skip the prologue (BASE / PREFIX declarations) and return the query form keyword."""
    if not tokens:
        raise QueryRefused("syntax", "the query is empty")
    i = 0
    while i < len(tokens):
        kind, start, end = tokens[i]
        word = text[start:end].upper()
        if kind == "word" and word == "BASE":
            i = _expect_prologue(text, tokens, i, ("iri",))
        elif kind == "word" and word == "PREFIX":
            i = _expect_prologue(text, tokens, i, ("pname", "iri"))
        elif kind == "pname" and word == "PREFIX:":  # `PREFIX: <iri>` declares the empty prefix
            i = _expect_prologue(text, tokens, i, ("iri",))
        else:
            break
    if i == len(tokens):
        raise QueryRefused(
            "form", "the query has only BASE / PREFIX declarations, no SELECT, ASK, CONSTRUCT or DESCRIBE"
        )
    kind, start, end = tokens[i]
    word = text[start:end].upper()
    if kind == "word" and word in FORMS:
        return word
    code = "update" if word in UPDATE_WORDS else "form"
    raise QueryRefused(
        code,
        f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed here; "
        f"found {text[start:end]!r} at {where(text, start)}",
    )


def _expect_prologue(text: str, tokens: list[Token], i: int, kinds: tuple[str, ...]) -> int:
    """Check the tokens after BASE / PREFIX at index i; return the index after the declaration."""
    for offset, kind in enumerate(kinds, start=1):
        ok = i + offset < len(tokens) and tokens[i + offset][0] == kind
        if ok and kind == "pname":
            _, start, end = tokens[i + offset]
            ok = text.index(":", start) == end - 1  # a prefix declaration names `pfx:` only
        if not ok:
            _, start, _ = tokens[i]
            raise QueryRefused(
                "syntax",
                f"malformed {text[start : tokens[i][2]].upper()} declaration at {where(text, start)}; "
                "expected BASE <iri> or PREFIX pfx: <iri>",
            )
    return i + len(kinds) + 1
