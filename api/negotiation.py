"""Content negotiation: pick a representation from the Accept header (with q-values) or a format override."""

from __future__ import annotations

from dataclasses import dataclass

SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
ALIASES = {
    "application/json": "json",
    "text/xml": "xml",
    "application/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
    "application/json+ld": "jsonld",
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "srj": "json",
    "srx": "xml",
}
MAX_ACCEPT_ITEMS = 40


class NotAcceptable(ValueError):
    """None of the media types the client accepts is one we can produce."""


@dataclass(frozen=True)
class Preference:
    media_type: str
    q: float
    order: int


def parse_accept(header: str | None) -> list[Preference]:
    """Accept items by preference: q-value first, then specificity, then the client's own order."""
    if not header or not header.strip():
        return [Preference("*/*", 1.0, 0)]
    items = []
    for order, part in enumerate(header.split(",")[:MAX_ACCEPT_ITEMS]):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in pieces[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        items.append(Preference(media, q, order))
    return sorted(items, key=lambda p: (-p.q, p.media_type.count("*"), p.order))


def choose(header: str | None, offers: dict[str, str], *, override: str | None = None) -> str:
    """Return the key of the best offer (offers map key -> media type); raise NotAcceptable if none fits."""
    if override:
        key = ALIASES.get(override.lower(), override.lower())
        by_media = {media: k for k, media in offers.items()}
        key = by_media.get(key, key)
        if key not in offers:
            raise NotAcceptable(
                f"format '{override}' is not available here; choose one of: {', '.join(offers)}"
            )
        return key
    for preference in parse_accept(header):
        if preference.q <= 0:
            continue
        matched = _match(preference.media_type, offers)
        if matched:
            return matched
    wanted = header or ""
    raise NotAcceptable(
        f"cannot produce any of the accepted media types ({wanted[:100]}); available: {', '.join(offers.values())}"
    )


def _match(media: str, offers: dict[str, str]) -> str | None:
    if media in ("*/*", "*"):
        return next(iter(offers))
    alias = ALIASES.get(media)
    for key, offered in offers.items():
        if media == offered or alias == key:
            return key
        if media.endswith("/*") and offered.startswith(media[:-1]):
            return key
    return None
