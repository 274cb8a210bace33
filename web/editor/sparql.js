// SPARQL for CodeMirror: a small stream tokenizer (keywords, IRIs, prefixed names, variables, strings,
// numbers, comments) and the colours it is shown in. Brackets match through CodeMirror's bracketMatching.
import { HighlightStyle, StreamLanguage } from "@codemirror/language";
import { tags } from "@lezer/highlight";

export const KEYWORDS = `BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK NAMED GROUP BY HAVING
ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH BIND MINUS FILTER IN NOT EXISTS UNION SEPARATOR
STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE
TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK
ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT`.split(/\s+/);
const KEYWORD_SET = new Set(KEYWORDS);
const NAME = /^[A-Za-z_\u00c0-\uffff][\w\u00b7\u00c0-\uffff.-]*/;

function token(stream, state) {
  if (stream.eatSpace()) return null;
  if (state.inLong) {
    if (stream.skipTo(state.inLong)) {
      stream.pos += 3;
      state.inLong = null;
    } else stream.skipToEnd();
    return "string";
  }
  const ch = stream.peek();
  if (ch === "#") {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.match(/^<[^<>"{}|^`\\\s]*>/)) return "url";
  if (stream.match(/^("""|''')/)) {
    state.inLong = stream.current();
    return token(stream, state) && "string";
  }
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/)) return "string";
  if (stream.match(/^[?$][\w\u00b7\u00c0-\uffff]+/)) return "variableName";
  if (stream.match(/^@[A-Za-z]+(?:-[A-Za-z0-9]+)*/)) return "attributeName";
  if (stream.match(/^_:[\w.-]*/)) return "labelName";
  if (stream.match(/^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/)) return "number";
  const prefixed = stream.match(/^(?:[A-Za-z][\w.-]*)?:(?:[\w%.:-]*[\w%:-])?/);
  if (prefixed) return "typeName";
  const word = stream.match(NAME);
  if (word) {
    const upper = word[0].toUpperCase();
    if (upper === "A" || upper === "TRUE" || upper === "FALSE") return "atom";
    return KEYWORD_SET.has(upper) ? "keyword" : null;
  }
  if (stream.match(/^(?:\^\^|&&|\|\||!=|<=|>=|[=<>!+*/|^])/)) return "operator";
  stream.next();
  return /[{}()[\]]/.test(ch) ? "bracket" : "punctuation";
}

export const sparql = StreamLanguage.define({
  name: "sparql",
  startState: () => ({ inLong: null }),
  token,
  languageData: { commentTokens: { line: "#" }, closeBrackets: { brackets: ["(", "[", "{", '"', "'"] } },
});

// Colours come from site.css's custom properties, so the light and dark schemes both apply.
export const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--code-keyword)", fontWeight: "600" },
  { tag: tags.atom, color: "var(--code-keyword)" },
  { tag: [tags.url, tags.typeName], color: "var(--code-iri)" },
  { tag: tags.variableName, color: "var(--code-variable)" },
  { tag: tags.string, color: "var(--code-string)" },
  { tag: tags.number, color: "var(--code-string)" },
  { tag: tags.comment, color: "var(--muted)", fontStyle: "italic" },
  { tag: [tags.attributeName, tags.labelName], color: "var(--code-variable)" },
]);
