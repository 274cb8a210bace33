"""HTML pages: a Jinja2 environment with autoescaping on for every template, whatever its name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from kg.params import KNOWN_PREFIXES

TEMPLATES = Path(__file__).resolve().parent / "templates"
NKG = KNOWN_PREFIXES["nkg"]
_SHORT = [(iri, f"{prefix}:") for prefix, iri in KNOWN_PREFIXES.items()]


def href(iri: object) -> str | None:
    """Where a link to this IRI goes: our resource page, the IRI itself if http(s), otherwise nowhere."""
    text = str(iri)
    if text.startswith(NKG):
        return "/resource/" + quote(text[len(NKG) :], safe="")
    if text.startswith(("http://", "https://")):
        return text
    return None


def short(iri: object) -> str:
    text = str(iri)
    for long, prefix in _SHORT:
        if text.startswith(long):
            return prefix + text[len(long) :]
    return text


def money(cost: dict | None) -> str:
    if not cost:
        return ""
    low, high = cost.get("min"), cost.get("max")
    return f"{cost.get('currency', '')} {low}–{high} per {cost.get('per', 'session')}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False)
    env.filters.update(href=href, short=short, money=money, urlencode=lambda d: urlencode(d, doseq=True))
    return env


def render(name: str, status: int = 200, **context: object) -> HTMLResponse:
    html = environment().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status)


def render_error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render("error.html", status=status, title=title, message=message, path=request.url.path)
