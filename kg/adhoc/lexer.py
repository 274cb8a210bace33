"""The guard's lexer: a query's text as significant tokens (kind, start, end), whitespace and comments
dropped, stopping at the first character no token may start with or a word glued to the text after it.

Tokens never cross a line (only a long string, in triple quotes, may: a text holding one is read whole),
and reading a token looks at nothing past the end of its line. So a text's tokens are its lines' tokens,
each moved by where its line starts, and a line already read is not read again: the PREFIX lines every
query of a client repeats, and all but the changed lines of a query sent again with another LIMIT, cost a
look-up (a 2.3 KB query of 51 lines, read before with another LIMIT: 130 us to 30).
"""

from __future__ import annotations

import re
from functools import lru_cache

Token = tuple[str, int, int]
"""(kind, start, end): a kind of `_TOKEN` below, and where in the text it is."""

# --- SPARQL 1.1 terminals (https://www.w3.org/TR/sparql11-query/#sparqlGrammar) -----------------
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
# One optional group of dots, as pyoxigraph reads it (the spec allows several): the rest is query text.
_PN_LOCAL = f"(?:[{_CHARS_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*+(?:\\.+(?:[{_CHARS}:]|{_PLX})+)?"
_VARNAME = f"[{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+"
_ECHAR = r"""\\[tbnrf\\"']"""
# A comment ends at any character some engine might treat as a line end (conservative).
_LINE_END = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# Whitespace and comments are read as the lead-in of the token after them, not as tokens of their own, and
# runs of plain characters possessively (`++`); a prefixed name is only tried where a `:` follows the name
# characters (the lookahead), since every prefix is made of them; and the kinds are tried most common
# first, where the first wins only between kinds that can start with the same character (an IRI before
# `<`, a variable before `?`, a number before `.`, a prefixed name before a word). The same tokens at the
# same places, in half the time (a 2.3 KB query: 125 us to 63).
_TOKEN = re.compile(
    f"(?:[ \\t\\r\\n]++|#[^{_LINE_END}]*+)*+(?:"
    + "|".join(
        (
            r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
            f"(?P<var>[?$]{_VARNAME})",
            r"(?P<number>[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.[0-9]++[eE][+-]?[0-9]++"
            r"|[0-9]++[eE][+-]?[0-9]++|[0-9]*+\.[0-9]++|[0-9]++)",
            r"(?P<op>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/^|?])",
            f"(?P<pname>(?=[{_CHARS}.]*+:)(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<word>[A-Za-z][A-Za-z0-9_]*+)",
            f"(?P<long1>'''(?:(?:''|')?(?:[^'\\\\]|{_ECHAR}))*''')",
            f'(?P<long2>"""(?:(?:""|")?(?:[^"\\\\]|{_ECHAR}))*""")',
            f"(?P<str1>'(?:[^'\\\\\\n\\r]++|{_ECHAR})*')",
            f'(?P<str2>"(?:[^"\\\\\\n\\r]++|{_ECHAR})*")',
            f"(?P<bnode>_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)",
            r"(?P<lang>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+)",
            r"(?P<end>\Z)",  # only whitespace or a comment was left
            r"(?P<err>.)",
        )
    )
    + ")",
    re.DOTALL,
)
# After a bare word: more name characters mean a word glued to something (refused, also keeps the
# scan linear on inputs like `a-a-a-...`); a glued word is reported as the kind "glued".
_GLUED = re.compile(f"\\.?[{_CHARS}]")
_LONG_STRINGS = ("'''", '"""')
MEMO_LINE_CHARS = 400
"""Longer lines are read every time: the memo holds at most 4,096 lines of at most this many characters."""


def text_lines(text: str) -> list[str] | None:
    """The text's lines, each of which can be read alone; None when a long string may cross them."""
    if any(quotes in text for quotes in _LONG_STRINGS):
        return None
    return text.split("\n")


def tokenize(text: str) -> tuple[list[Token], Token | None]:
    """The significant tokens up to the first bad one, and that one ("err" or "glued"; None if none)."""
    lines = text_lines(text)
    if lines is None:
        return _scan(text)
    tokens: list[Token] = []
    offset = 0
    for line in lines:
        known, bad = line_tokens(line)
        if bad is not None:
            return _scan(text)  # read whole, so the bad token is found where it would have been
        tokens += [(kind, start + offset, end + offset) for kind, start, end in known]
        offset += len(line) + 1
    return tokens, None


def line_tokens(line: str) -> tuple[tuple[Token, ...], Token | None]:
    """The tokens of one line of a text `text_lines` gives, from the memo when the line is short enough."""
    if len(line) <= MEMO_LINE_CHARS:
        return _line_tokens(line)
    tokens, bad = _scan(line)
    return tuple(tokens), bad


@lru_cache(maxsize=4096)
def _line_tokens(line: str) -> tuple[tuple[Token, ...], Token | None]:
    tokens, bad = _scan(line)
    return tuple(tokens), bad


def _scan(text: str) -> tuple[list[Token], Token | None]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or ""
        if kind == "end":
            break
        token = (kind, match.start(kind), match.end())
        if kind == "err":
            return tokens, token
        if kind == "word" and _GLUED.match(text, match.end()):
            return tokens, ("glued", token[1], token[2])
        tokens.append(token)
    return tokens, None
