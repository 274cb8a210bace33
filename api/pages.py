"""HTML pages: a Jinja2 environment with autoescaping on for every template, whatever its name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False)


def render(name: str, status: int = 200, **context: object) -> HTMLResponse:
    html = environment().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status)


def render_error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render("error.html", status=status, title=title, message=message, path=request.url.path)
