"""HTML rendering: one Jinja2 environment with autoescaping on for every template, and its filters."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from kg.qa.wording import price
from kg.terms import NKG, PREFIXES

TEMPLATES = Path(__file__).resolve().parent / "templates"
RESOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def href(iri: object) -> str | None:
    """Where a link to this IRI goes: our resource page, the IRI itself if http(s), otherwise nowhere
    (a `javascript:` or `data:` IRI in the data is shown as text, never as a link)."""
    text = str(iri)
    if text.startswith(NKG) and RESOURCE_NAME.fullmatch(text[len(NKG) :]):
        return "/resource/" + quote(text[len(NKG) :], safe="")
    if text.lower().startswith(("http://", "https://")):
        return text
    return None


def short(iri: object) -> str:
    """An IRI as a prefixed name where a known prefix fits: nkg:sciatica, schema:MedicalCondition."""
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def money(cost: dict | None) -> str:
    """A price as the answers word it: “averages around” $70–150 per session."""
    return price(cost) if cost else ""


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
