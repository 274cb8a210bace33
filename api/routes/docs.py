"""GET /docs: the OpenAPI UI (Swagger UI from the fastapi-offline package), served from here, no CDN."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.templating import render

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"

router = APIRouter(include_in_schema=False)
assets = StaticFiles(directory=ASSETS)


@router.get("/docs", response_class=HTMLResponse)
def docs() -> Response:
    return render("docs.html")
