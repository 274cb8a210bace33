// Completion from what the service knows (GET /api/vocabulary): prefixes after PREFIX or as the start of a
// name, and the classes and properties the graph uses once a prefix is typed. Choosing a name whose prefix
// the query has not declared adds the declaration at the top.
import { pickedCompletion } from "@codemirror/autocomplete";

import { KEYWORDS } from "./sparql.js";

const DECLARED = /^\s*PREFIX\s+([\w.-]*):\s*<([^>]*)>/gim;

export async function loadVocabulary(url) {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    return await response.json();
  } catch {
    return null; // no completion of names, the editor itself still works
  }
}

function declaredPrefixes(text) {
  const found = new Map();
  for (const match of text.matchAll(DECLARED)) found.set(match[1], match[2]);
  return found;
}

function localName(iri, namespace) {
  const local = iri.slice(namespace.length);
  return /^[\w-]+$/.test(local) ? local : null;
}

function addDeclaration(prefix, namespace) {
  return (view, completion, from, to) => {
    const text = view.state.doc.toString();
    const changes = [{ from, to, insert: completion.label }];
    let shift = 0;
    if (!declaredPrefixes(text).has(prefix)) {
      let at = 0;
      for (const match of text.matchAll(DECLARED)) at = Math.min(match.index + match[0].length + 1, text.length);
      const declaration = `PREFIX ${prefix}: <${namespace}>\n`;
      changes.push({ from: at, insert: declaration });
      if (at <= from) shift = declaration.length;
    }
    view.dispatch({
      changes,
      selection: { anchor: from + shift + completion.label.length },
      annotations: pickedCompletion.of(completion),
    });
  };
}

export function sparqlCompletion(getVocabulary) {
  return (context) => {
    const vocabulary = getVocabulary();
    const word = context.matchBefore(/[A-Za-z_][\w.-]*:?[\w-]*|:[\w-]*/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    const typed = word ? word.text : "";
    const lineStart = context.state.doc.lineAt(from).from;
    const before = context.state.sliceDoc(lineStart, from);
    const known = vocabulary ? vocabulary.prefixes : {};
    if (/PREFIX\s+$/i.test(before)) {
      return {
        from,
        options: Object.entries(known).map(([prefix, namespace]) => ({
          label: `${prefix}: <${namespace}>`,
          type: "namespace",
        })),
      };
    }
    const colon = typed.indexOf(":");
    if (colon >= 0 && vocabulary) {
      const prefix = typed.slice(0, colon);
      const namespace = declaredPrefixes(context.state.doc.toString()).get(prefix) || known[prefix];
      if (!namespace) return null;
      const options = [];
      for (const [kind, terms] of [["class", vocabulary.classes], ["property", vocabulary.properties]]) {
        for (const term of terms) {
          if (!term.iri.startsWith(namespace)) continue;
          const local = localName(term.iri, namespace);
          if (local === null) continue;
          options.push({
            label: `${prefix}:${local}`,
            type: kind === "class" ? "class" : "property",
            detail: `${kind}, used ${term.uses}×`,
            boost: Math.min(term.uses, 99) / 100,
            apply: known[prefix] ? addDeclaration(prefix, namespace) : undefined,
          });
        }
      }
      return { from, options, validFor: /^[\w.-]*:[\w-]*$/ };
    }
    const options = Object.entries(known).map(([prefix, namespace]) => ({
      label: `${prefix}:`,
      type: "namespace",
      detail: namespace,
      apply: addDeclaration(prefix, namespace),
    }));
    for (const keyword of KEYWORDS) options.push({ label: keyword, type: "keyword" });
    return { from, options, validFor: /^[\w.-]*$/ };
  };
}
