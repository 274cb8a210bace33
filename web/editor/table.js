// The results table, sorted by a click on a column's header (aria-sort says how) and shown a page at a
// time. The table itself comes from the server, so it is there, whole, with JavaScript off.
const PAGE_SIZE = 25;

function sortKey(cell) {
  const text = cell ? cell.textContent.trim() : "";
  const number = Number(text);
  return text !== "" && Number.isFinite(number) ? { number, text } : { number: null, text };
}

function compare(a, b) {
  if (a.number !== null && b.number !== null) return a.number - b.number;
  if (a.text === "" || b.text === "") return (a.text === "") - (b.text === ""); // unbound cells last
  return a.text.localeCompare(b.text, undefined, { numeric: true, sensitivity: "base" });
}

export function enhanceTable(table) {
  const body = table.tBodies[0];
  const headers = Array.from(table.tHead ? table.tHead.rows[0].cells : []);
  if (!body || headers.length === 0) return;
  const rows = Array.from(body.rows);
  let page = 0;
  const pager = rows.length > PAGE_SIZE ? makePager(table, () => page, (next) => show((page = next))) : null;

  function show(current) {
    rows.forEach((row, index) => {
      row.hidden = Math.floor(index / PAGE_SIZE) !== current;
    });
    if (pager) pager.update(current, rows.length);
  }

  headers.forEach((header, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = header.textContent;
    header.textContent = "";
    header.append(button);
    header.setAttribute("aria-sort", "none");
    button.addEventListener("click", () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach((other) => other.setAttribute("aria-sort", "none"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const keyed = rows.map((row) => [sortKey(row.cells[column]), row]);
      keyed.sort((a, b) => (ascending ? 1 : -1) * compare(a[0], b[0]));
      rows.splice(0, rows.length, ...keyed.map(([, row]) => row));
      body.append(...rows);
      show((page = 0));
    });
  });
  show(page);
}

function makePager(table, current, go) {
  const nav = document.createElement("nav");
  nav.className = "pager";
  nav.setAttribute("aria-label", "Result pages");
  const previous = document.createElement("button");
  previous.type = "button";
  previous.textContent = "Previous rows";
  const status = document.createElement("span");
  status.setAttribute("role", "status");
  const next = document.createElement("button");
  next.type = "button";
  next.textContent = "Next rows";
  nav.append(previous, status, next);
  (table.closest(".table-wrap") || table).after(nav);
  previous.addEventListener("click", () => go(current() - 1));
  next.addEventListener("click", () => go(current() + 1));
  return {
    update(page, total) {
      const first = page * PAGE_SIZE + 1;
      const last = Math.min(total, first + PAGE_SIZE - 1);
      status.textContent = `Rows ${first}–${last} of ${total}`;
      previous.disabled = page === 0;
      next.disabled = last >= total;
    },
  };
}
