// The /sparql page's editor: the textarea becomes a CodeMirror editor (kept in sync for the form), with
// SPARQL colours, bracket matching, completion from the service, Ctrl/Cmd+Enter to run, the place of an
// error marked, a sortable and paged table, named examples that load into the editor, and copy as curl.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

import { loadVocabulary, sparqlCompletion } from "./complete.js";
import { showShare } from "./share.js";
import { highlight, sparql } from "./sparql.js";
import { enhanceTable } from "./table.js";
import { theme } from "./theme.js";

function errorRange(doc, line, column) {
  const target = doc.line(Math.min(Math.max(line, 1), doc.lines));
  let from = Math.min(target.from + Math.max(column, 1) - 1, target.to);
  if (from === target.to && from > target.from) from -= 1; // the parser points past the last character
  let to = from;
  const rest = doc.sliceString(from, target.to);
  const word = /^[\w?$:.-]+/.exec(rest);
  to = from + (word ? word[0].length : Math.min(1, rest.length));
  return { from, to };
}

function markError(view, message) {
  const line = Number(message.dataset.line);
  const column = Number(message.dataset.column);
  if (!line || !column) return;
  const { from, to } = errorRange(view.state.doc, line, column);
  const text = message.textContent.trim();
  view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message: text }]));
  view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
}

function start() {
  const form = document.getElementById("sparql-form");
  const textarea = document.getElementById("query");
  if (!form || !textarea) return;
  let vocabulary = null;
  loadVocabulary(form.dataset.vocabulary).then((found) => (vocabulary = found));

  const run = () => {
    textarea.value = view.state.doc.toString();
    if (textarea.value.trim()) form.requestSubmit();
    return true;
  };
  const host = document.createElement("div");
  host.className = "editor-host";
  textarea.after(host);
  // In a shadow root CodeMirror's styles go into a constructed style sheet, which the page's CSP allows
  // (in the document it would add a <style> element, which `style-src 'self'` refuses).
  const root = host.attachShadow({ mode: "open" });
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        sparql,
        syntaxHighlighting(highlight),
        autocompletion({ override: [sparqlCompletion(() => vocabulary)], icons: false }),
        lintGutter(),
        theme,
        keymap.of([
          { key: "Mod-Enter", run, preventDefault: true },
          ...closeBracketsKeymap,
          ...completionKeymap,
          ...defaultKeymap,
          ...historyKeymap, // Tab is left alone: it moves on to the next control, as in the textarea
        ]),
        EditorView.lineWrapping,
        // aria-labelledby cannot reach the page's <label> from inside the shadow root: a name of its own
        EditorView.contentAttributes.of({ "aria-label": "SPARQL query", "aria-multiline": "true" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.required = false; // a hidden control cannot be focused to report that it is empty
  form.addEventListener("submit", (event) => {
    textarea.value = view.state.doc.toString();
    if (!textarea.value.trim()) {
      event.preventDefault();
      view.focus();
    }
  });

  const error = document.getElementById("query-error");
  if (error) markError(view, error);
  const table = document.querySelector("#results table");
  if (table) enhanceTable(table);
  showShare(document.getElementById("share"));

  for (const link of document.querySelectorAll("a[data-example]")) {
    link.addEventListener("click", (event) => {
      const query = new URL(link.href).searchParams.get("query");
      if (query === null) return;
      event.preventDefault();
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: query }, selection: { anchor: 0 } });
      view.dispatch(setDiagnostics(view.state, []));
      view.focus();
      host.scrollIntoView({ block: "nearest" });
    });
  }
}

start();
