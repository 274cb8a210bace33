"""The query editor's bundle: whether it was built, and the URL the page loads it from.

The bundle (api/static/editor.js) is made from web/editor/ by `make editor` with Node.js, and is not in git.
Without it /sparql is the plain form, which works as it is; the page then names no script at all, so a
browser never asks for a file that is not there. Decided once, when the app is made.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

log = logging.getLogger("needling.api")
BUNDLE_NAME = "editor.js"


def editor_script(static: Path) -> str | None:
    """`/static/editor.js?v=<content hash>` when the bundle is there (the hash lets browsers keep it until it
    changes), else None, said once in the log with how to build it."""
    bundle = static / BUNDLE_NAME
    try:
        content = bundle.read_bytes()
    except OSError:
        log.warning(
            "the SPARQL editor is not built (%s is missing): /sparql serves the plain query form. "
            "Build it with `make editor` (needs Node.js and npm).",
            bundle,
        )
        return None
    return f"/static/{BUNDLE_NAME}?v={hashlib.sha256(content).hexdigest()[:12]}"
