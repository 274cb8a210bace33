"""Query guard for ad-hoc SPARQL: decide whether a query may run and return the exact text to execute."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from kg.adhoc.form import UPDATE_WORDS, head_form, query_form
from kg.adhoc.lexer import MEMO_LINE_CHARS, Token, line_tokens, text_lines, tokenize
from kg.adhoc.position import ambiguous_iri_message, bad_char_message, where
from kg.adhoc.refusal import QueryRefused

# Why this is stricter than a plain SPARQL 1.1 lexer: pyoxigraph 0.5.13 parses with a PEG grammar
# that has no separate lexer. Measured consequences, each of which a spec-only tokenizer would miss:
# - keywords need no word boundary: `SERVICESILENT<...>{}`, `trueSERVICE<...>{}`, `SERVICE:x{}`
#   and `SERVICEex:x{}` all run a SERVICE call;
# - a prefixed name's local part takes at most one group of dots, so `ex:a.b.SERVICE<...>{}` is
#   `ex:a.b` `.` `SERVICE ...`;
# - in an expression, `<` right after an operand is less-than, so in `FILTER(?o<'a>' ) SERVICE ...`
#   the text `<'a>` is not an IRI and the string starts inside it; `<<` is a quoted-triple opener.
# The guard therefore (1) reads prefixed names the short (PEG) way, (2) refuses any bare word or
# prefix that contains a forbidden keyword, and (3) refuses an IRI token that could also be read as
# `<` followed by query text when that text could open a string, comment or bracket.


@dataclass(frozen=True)
class GuardedQuery:
    """A query the guard accepted: the exact text to execute and its query form."""

    text: str  # the input with \uXXXX / \UXXXXXXXX escapes decoded exactly once
    form: str  # "SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE"


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_RISKY_IRI = re.compile(r"['#()\[\]]")

_FORBIDDEN = {"SERVICE": "service", "FROM": "dataset"} | dict.fromkeys(UPDATE_WORDS, "update")
_FORBIDDEN_INSIDE = re.compile("|".join(_FORBIDDEN), re.IGNORECASE)
# Every SPARQL 1.1 keyword and built-in that is not forbidden, plus pyoxigraph's SPARQL 1.2 built-ins.
_KNOWN_WORDS_TEXT = """
    BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK NAMED GROUP BY HAVING ORDER
    ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SILENT BIND MINUS FILTER IN NOT EXISTS UNION A
    TRUE FALSE SEPARATOR INTO TO DATA DEFAULT ALL STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE
    RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS
    STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1
    SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC
    REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT TRIPLE SUBJECT PREDICATE OBJECT
    ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR ADJUST LATERAL VERSION"""
_KNOWN_WORDS = frozenset(_KNOWN_WORDS_TEXT.split())
_OPERAND_PUNCT = frozenset({")", "]"})
# The engine's recursive parser overflows its stack somewhere above ~2,000 levels of brackets, and unary
# operators nest in it as brackets do ("!!!!...!?x"): well below that, a query is refused as too deep.
MAX_NESTING = 200
_UNARY = frozenset({"!", "+", "-", "^"})


def check_query(text: str, *, max_length: int) -> GuardedQuery:
    """Decide whether `text` may run here; return the exact text to execute, or raise QueryRefused.
    This is the only check of a query's text: the workers run what it returns as it is."""
    if len(text) > max_length:
        raise QueryRefused(
            "too_long", f"the query is {len(text)} characters long; the limit is {max_length} characters"
        )
    decoded = _decode_escapes(text)
    lines = text_lines(decoded)
    if lines is not None and _passes_line_by_line(lines):
        # Then no line holds a bad token either, so tokenizing the whole text would refuse nothing: only
        # the tokens that decide the form are made (the whole list cost 20-30 us on a 2.3 KB query).
        return GuardedQuery(decoded, head_form(lines))
    tokens = _tokenize(decoded)
    _inspect(decoded, tokens)  # refuses it, or finds it fine after all (a long string, a long line)
    return GuardedQuery(decoded, query_form(decoded, tokens))


def _passes_line_by_line(lines: list[str]) -> bool:
    """Whether `_inspect` would find nothing to refuse, walked a line at a time (see kg/adhoc/lexer.py),
    each line's walk from a given point remembered: a query's lines seen before, from where the lines
    before them left the walk, cost a look-up. False when a line holds anything to refuse; then the whole
    text is inspected as it always was."""
    key: tuple[tuple[str, ...], bool, bool, int] | None = ((), False, False, 0)
    for line in lines:
        key = _line_walk(line, key) if len(line) <= MEMO_LINE_CHARS else None
        if key is None:
            return False
    return True


@lru_cache(maxsize=4096)
def _line_walk(
    line: str, key: tuple[tuple[str, ...], bool, bool, int]
) -> tuple[tuple[str, ...], bool, bool, int] | None:
    """Where the walk is after `line`, from where `key` says it was; None if the line holds anything to
    refuse (a forbidden word included)."""
    tokens, bad = line_tokens(line)
    walk = _Walk(list(key[0]), key[1], key[2], key[3])
    try:
        if bad is not None or _walk(line, tokens, walk) is not None:
            return None
    except QueryRefused:
        return None
    return walk.key()


def _decode_escapes(text: str) -> str:
    """Decode \\uXXXX and \\UXXXXXXXX over the whole text once; refuse what would decode again."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        code_point = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code_point <= 0xDFFF or code_point > 0x10FFFF:
            raise QueryRefused(
                "escape",
                f"the escape {match.group(0)} at {where(text, match.start())} is not a valid character "
                "(surrogates and code points above U+10FFFF are not allowed)",
            )
        return chr(code_point)

    decoded = _ESCAPE.sub(replace, text)
    if _ESCAPE.search(decoded):
        raise QueryRefused(
            "escape", "escape sequences that decode to further escape sequences are not accepted"
        )
    return decoded


def _tokenize(text: str) -> list[Token]:
    """Split the decoded text into significant tokens (kind, start, end); refuse unknown characters."""
    tokens, bad = tokenize(text)
    if bad is not None:
        kind, start, end = bad
        if kind == "err":
            raise QueryRefused("syntax", bad_char_message(text, start))
        raise QueryRefused(
            "syntax", f"the word {text[start:end]!r} at {where(text, start)} is glued to the text after it"
        )
    return tokens


def _inspect(text: str, tokens: Sequence[Token]) -> None:
    """Refuse ambiguous `<`, unknown words, and any SERVICE / FROM / update keyword."""
    hit = _walk(text, tokens, _Walk())
    if hit is not None:
        raise QueryRefused(hit[0], _forbidden_message(text, *hit))


@dataclass(slots=True)
class _Walk:
    """Where a walk through the tokens is: what `_inspect` carries from one token to the next."""

    stack: list[str] = field(default_factory=list)
    """Open brackets: "E" expression paren, "D" data paren, "V" VALUES block, "P" other."""
    values_pending: bool = False
    after_operand: bool = False
    unary_run: int = 0
    """Operators in a row, which the parser nests as it nests brackets."""

    def key(self) -> tuple[tuple[str, ...], bool, bool, int]:
        return tuple(self.stack), self.values_pending, self.after_operand, self.unary_run


def _walk(text: str, tokens: Sequence[Token], walk: _Walk) -> tuple[str, str, int, int] | None:
    """Go through the tokens from where `walk` is (and move it on), raising at what must be refused; return
    the first forbidden word (code, keyword, start, end), which is refused once the whole query is read."""
    stack, values_pending, after_operand, unary_run = (
        walk.stack,
        walk.values_pending,
        walk.after_operand,
        walk.unary_run,
    )
    hit: tuple[str, str, int, int] | None = None
    for kind, start, end in tokens:
        op = text[start:end] if kind == "op" else ""
        unary_run = unary_run + 1 if op in _UNARY else 0
        if len(stack) > MAX_NESTING or unary_run > MAX_NESTING:
            raise QueryRefused(
                "too_deep",
                f"the query nests more than {MAX_NESTING} levels deep at {where(text, start)}",
            )
        if op:
            values_pending = _track_bracket(op, stack, values_pending)
            after_operand = op in _OPERAND_PUNCT
            continue
        if kind == "iri":
            glued_lt = start > 0 and text[start - 1] == "<"
            if (glued_lt or (after_operand and stack and stack[-1] == "E")) and _RISKY_IRI.search(
                text, start + 1, end - 1
            ):
                raise QueryRefused("syntax", ambiguous_iri_message(text, start, end))
        elif kind == "word" or kind == "pname":
            word = text[start:end].upper() if kind == "word" else ""
            if word not in _KNOWN_WORDS:  # a known word is neither forbidden nor unknown: no more to check
                found = _forbidden_in(text, kind, start, end)
                if found is not None and hit is None:
                    hit = (found[0], found[1], start, end)
            elif word == "VALUES":
                values_pending = True
        after_operand = True
    walk.values_pending, walk.after_operand, walk.unary_run = values_pending, after_operand, unary_run
    return hit


def _track_bracket(op: str, stack: list[str], values_pending: bool) -> bool:
    """Keep the bracket stack; return whether a VALUES block is still expected."""
    if op == "(":
        stack.append("D" if values_pending or (stack and stack[-1] in "VD") else "E")
    elif op == "{":
        stack.append("V" if values_pending else "P")
        return False
    elif op == "[":
        stack.append("P")
    elif op in (")", "}", "]") and stack:
        stack.pop()
    return values_pending


def _forbidden_in(text: str, kind: str, start: int, end: int) -> tuple[str, str] | None:
    """Return (code, keyword) if this word or prefix is or contains a forbidden keyword."""
    if kind == "pname":
        end = text.index(":", start)  # only the prefix: the local part is never split by any engine
    word = text[start:end].upper()
    if kind == "word":
        if word in _FORBIDDEN:
            return _FORBIDDEN[word], word
        if word in _KNOWN_WORDS:
            return None
    inside = _FORBIDDEN_INSIDE.search(word)
    if inside is not None:
        return _FORBIDDEN[inside.group().upper()], inside.group().upper()
    if kind == "word":
        raise QueryRefused(
            "syntax", f"{text[start:end]!r} at {where(text, start)} is not a SPARQL keyword or function"
        )
    return None


def _forbidden_message(text: str, code: str, keyword: str, start: int, end: int) -> str:
    found = text[start:end]
    place = f"{keyword} at {where(text, start)}"
    if found.upper() != keyword:
        place += f", inside {found!r} (some engines read a keyword even when it is glued to other text)"
    if code == "service":
        return f"federated queries are not allowed here (found {place})"
    if code == "dataset":
        return f"the query may not choose its dataset (FROM / FROM NAMED); found {place}"
    return f"this endpoint is read-only; found the update keyword {place}"
