"""Content negotiation: pick a representation from the Accept header (with q-values) or a format override."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.adhoc.formats import ALIASES
from kg.errors import NeedlingError

# RFC 9110 12.4.2: "0" to "1" with up to three decimals (more digits are tolerated). Anything else, NaN,
# "inf", "1e-1" or "2", is not a weight the client can have meant, and counts as 0 (not acceptable).
_QVALUE = re.compile(r"0(?:\.[0-9]*)?|1(?:\.0*)?")


class NotAcceptable(NeedlingError, ValueError):
    """None of the media types the client accepts is one we can produce."""

    code = "not_acceptable"


@dataclass(frozen=True)
class Preference:
    media_type: str
    q: float
    order: int


def parse_accept(header: str | None) -> tuple[Preference, ...]:
    """Accept items by preference: q-value first, then specificity, then the client's own order.

    Every item counts, however many: dropping some would drop the client's real preference. The server's
    limit on one header line (8 KiB) bounds the work: about 2 ms for 2,000 items. Headers of everyday
    length are parsed once (clients send the same few again and again), long ones each time."""
    if header is not None and len(header) <= _REMEMBERED_UP_TO:
        return _remembered(header)
    return _parse(header)


_REMEMBERED_UP_TO = 256
"""Longer headers are not kept: 512 of them at 8 KiB, 2,000 items each, would hold about 100 MB."""


@functools.lru_cache(maxsize=512)
def _remembered(header: str) -> tuple[Preference, ...]:
    return _parse(header)


def _parse(header: str | None) -> tuple[Preference, ...]:
    if not header or not header.strip():
        return (Preference("*/*", 1.0, 0),)
    items = []
    for order, part in enumerate(header.split(",")):
        media, _, parameters = part.partition(";")
        media = media.strip().lower()
        if media:
            items.append(Preference(media, _weight(parameters) if parameters else 1.0, order))
    return tuple(sorted(items, key=lambda p: (-p.q, p.media_type.count("*"), p.order)))


def _weight(parameters: str) -> float:
    """The q parameter among an item's parameters: 1 when absent, 0 when it is not a valid qvalue."""
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.fullmatch(value) else 0.0
    return 1.0


def choose(
    header: str | None, offers: dict[str, str], *, override: str | None = None, aliases: bool = True
) -> str:
    """Return the key of the best offer (offers map key -> media type); raise NotAcceptable if none fits.
    With `aliases=False`, Accept matches the offers' own media types only (not `application/xml` for
    `application/sparql-results+xml`, say); `override` still takes any name of ALIASES."""
    if override:
        key = ALIASES.get(override.lower(), override.lower())
        by_media = {media: k for k, media in offers.items()}
        key = by_media.get(key, key)
        if key not in offers:
            raise NotAcceptable(
                f"format '{override}' is not available here; choose one of: {', '.join(offers)}"
            )
        return key
    lookup = _lookup(offers) if aliases else {media: key for key, media in offers.items()}
    for preference in parse_accept(header):
        if preference.q <= 0:
            continue
        matched = _match(preference.media_type, offers, lookup)
        if matched:
            return matched
    wanted = header or ""
    raise NotAcceptable(
        f"cannot produce any of the accepted media types ({wanted[:100]}); available: {', '.join(offers.values())}"
    )


def _lookup(offers: dict[str, str]) -> dict[str, str]:
    """Media type (or alias) -> offer key, so that each Accept item costs one look-up, however many."""
    lookup = {media: key for key, media in offers.items()}
    for alias, key in ALIASES.items():
        if key in offers:
            lookup.setdefault(alias, key)
    return lookup


def _match(media: str, offers: dict[str, str], lookup: dict[str, str]) -> str | None:
    if media in ("*/*", "*"):
        return next(iter(offers))
    if media.endswith("/*"):
        return next((key for key, offered in offers.items() if offered.startswith(media[:-1])), None)
    return lookup.get(media)


def named_in_accept(header: str | None, offers: dict[str, str]) -> str | None:
    """The offer whose own media type the client names (no wildcard, q above 0), by its preference."""
    lookup = {media: key for key, media in offers.items()}
    for preference in parse_accept(header):
        if preference.q > 0 and preference.media_type in lookup:
            return lookup[preference.media_type]
    return None
