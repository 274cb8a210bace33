"""A remote SPARQL 1.1 endpoint reached over HTTP, with its credentials kept out of every message."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg.store.base import SelectRows, StoreError
from kg.store.credentials import Auth, CredentialsError, merge, redact, split_url
from kg.terms import Row, Term

_REMOTE_TIMEOUT_S = 30.0


class RemoteStore:
    """A SPARQL 1.1 endpoint reached over HTTP (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever...)."""

    static = False  # others may write to it: no index of ours could be trusted to stay true

    def __init__(self, url: str, *, auth: Auth | None = None, timeout_s: float = _REMOTE_TIMEOUT_S) -> None:
        clean, in_url = split_url(url)
        if not url.startswith(("http://", "https://")):
            raise StoreError(f"--store must be an http(s) URL of a SPARQL endpoint, got {clean!r}")
        try:
            self._auth = merge(in_url, auth)
        except CredentialsError as exc:
            raise StoreError(str(exc)) from None
        self.url = clean  # credentials never in the URL: not in /healthz, an error or httpx's log lines
        self.engine: ox.Store | None = None  # the endpoint runs ad-hoc queries itself
        self.location: Path | None = None
        self.description = f"remote SPARQL endpoint {clean}"
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False, auth=self._auth)
        self.triples = 0
        self.version = ""
        self.refresh()

    def refresh(self) -> None:
        """Count the triples again, and take a version from the count (others may have written)."""
        self.triples = self._count()
        self.version = hashlib.sha256(f"{self.url}|{self.triples}".encode()).hexdigest()[:16]

    def _post(self, sparql: str, accept: str) -> httpx.Response:
        try:
            response = self._client.post(
                self.url,
                content=sparql.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": accept},
            )
        except httpx.HTTPError as exc:
            raise StoreError(
                redact(f"cannot reach the SPARQL endpoint {self.url}: {exc}", self._auth)
            ) from None
        if response.status_code != 200:
            first_line = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
            message = f"the SPARQL endpoint answered {response.status_code}: {first_line}"
            raise StoreError(redact(message, self._auth))
        return response

    def raw(self, sparql: str, accept: str) -> tuple[bytes, str]:
        """Run any read query and hand back the endpoint's own bytes and media type."""
        response = self._post(sparql, accept)
        return response.content, response.headers.get("content-type", "application/octet-stream")

    def _count(self) -> int:
        rows = list(self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows)
        return int(str(rows[0]["n"].value)) if rows else 0

    def select(self, sparql: str) -> SelectRows:
        data = self._post(sparql, "application/sparql-results+json").json()
        names = tuple(data.get("head", {}).get("vars", []))
        bindings = data.get("results", {}).get("bindings", [])
        return SelectRows(names, iter([row_from_json(binding) for binding in bindings]))

    def ask(self, sparql: str) -> bool:
        return bool(self._post(sparql, "application/sparql-results+json").json().get("boolean"))

    def graph(self, sparql: str, media_type: str = "text/turtle") -> bytes:
        return self._post(sparql, media_type).content

    def close(self) -> None:
        self._client.close()


def row_from_json(binding: dict[str, dict[str, str]]) -> Row:
    """One binding of the SPARQL 1.1 Query Results JSON format as terms."""
    row: dict[str, Term] = {}
    for name, value in binding.items():
        kind = value.get("type")
        if kind == "uri":
            row[name] = Term("iri", value["value"])
        elif kind == "bnode":
            row[name] = Term("bnode", value["value"])
        else:
            row[name] = Term.literal(value["value"], value.get("datatype"), value.get("xml:lang"))
    return row
