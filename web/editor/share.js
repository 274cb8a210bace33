// A shareable URL of the query on the page, the same query as a curl command, and a button that copies it.
// The server sends only the path: the origin is the one this page was loaded from.

export function shellQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export function curlCommand(origin, query) {
  return `curl -s -H 'Accept: text/csv' --data-urlencode ${shellQuote(`query=${query}`)} ${shellQuote(`${origin}/sparql`)}`;
}

export function showShare(panel) {
  if (!panel) return;
  const path = panel.dataset.path;
  const query = new URLSearchParams(path.split("?")[1] || "").get("query") || "";
  const url = document.getElementById("share-url");
  const curl = document.getElementById("share-curl");
  const copy = document.getElementById("copy-curl");
  const status = document.getElementById("copy-status");
  url.value = new URL(path, window.location.origin).href;
  curl.textContent = curlCommand(window.location.origin, query);
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(curl.textContent);
      status.textContent = "Copied.";
    } catch {
      window.getSelection().selectAllChildren(curl);
      status.textContent = "Select and copy the command above.";
    }
  });
  panel.hidden = false;
}
