"""What the editor tests share: the bundle's presence (a skip only where Node.js is missing) and typing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "api" / "static" / "editor.js"


def require_bundle() -> None:
    """Skip without Node.js (no way to build the editor); fail when Node.js is here but nobody built it."""
    if BUNDLE.is_file():
        return
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip(
            "Node.js and npm are not installed, so the SPARQL editor bundle (api/static/editor.js) was not built"
        )
    pytest.fail(f"{BUNDLE} is missing though Node.js is installed: build it with `make editor`")


def editor_text(page: Page) -> str:
    """The query as the editor shows it, line by line."""
    return "\n".join(page.locator(".cm-content .cm-line").all_inner_texts())


def replace_query(page: Page, text: str) -> None:
    """Select everything in the editor and paste `text` over it from the clipboard, as a person would
    (typing it would bring completions and closing brackets along)."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("ControlOrMeta+v" if text else "Delete")


def accept_completion(page: Page, option: Locator) -> None:
    """Choose the selected completion with Enter, once `option` shows. CodeMirror ignores Enter for 75 ms
    after the list opens (so fast typing is not taken for a choice): wait that out as a person would."""
    expect(option).to_be_visible()
    expect(option).to_have_attribute("aria-selected", "true")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")


def set_query(page: Page, text: str) -> None:
    """Put a query on /sparql: into the editor where it was built, else into the plain form's textarea."""
    if page.locator(".cm-content").count():
        replace_query(page, text)
    else:
        page.locator("textarea#query").fill(text)
