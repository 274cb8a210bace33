"""The HTTP-stack ceiling: a FastAPI hello-world, run on uvicorn with httptools and uvloop by the bench."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/")
async def hello() -> dict[str, str]:
    return {"message": "Hello World"}
