"""The source article, when it is at hand, split into the parts the graph cites.

The article itself never goes into the project: it is read from ../shared/domain/source-article.txt (or
the file NEEDLING_ARTICLE names), and the tests that need it skip when it is absent. Its parts follow
domain/facts.md: the opening paragraph; under the heading "Dry Needling", the paragraph on dry needling
and then the paragraph on acupuncture; the sections "Which is Better for Existing Conditions" and
"Plantar Fasciitis"; under "Back Pain", the paragraph on back pain and then the paragraphs on sciatica.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TITLE = "Dry Needling vs Acupuncture"
HEADINGS = ("Dry Needling", "Which is Better for Existing Conditions", "Plantar Fasciitis", "Back Pain")
# The graph's names for the parts (nkg:section-...), in the article's order.
ARTICLE_PARTS = (
    "opening",
    "dry-needling",
    "acupuncture-paragraph",
    "which-is-better",
    "plantar-fasciitis",
    "back-pain",
    "sciatica-paragraphs",
)


def article_path() -> Path | None:
    for candidate in (
        os.environ.get("NEEDLING_ARTICLE", ""),
        ROOT.parent / "shared" / "domain" / "source-article.txt",
    ):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def article_text() -> str | None:
    path = article_path()
    return path.read_text(encoding="utf-8") if path else None


def article_parts() -> dict[str, str] | None:
    """The text of each part, keyed as ARTICLE_PARTS; None when the article is not at hand."""
    text = article_text()
    if text is None:
        return None
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    start = paragraphs.index(TITLE) + 1
    heads = [paragraphs.index(h) for h in HEADINGS]
    under = [paragraphs[a + 1 : b] for a, b in zip(heads, [*heads[1:], len(paragraphs)], strict=True)]
    dry_needling, which, plantar, back = under
    return {
        "opening": " ".join(paragraphs[start : heads[0]]),
        "dry-needling": dry_needling[0],
        "acupuncture-paragraph": " ".join(dry_needling[1:]),
        "which-is-better": " ".join(which),
        "plantar-fasciitis": " ".join(plantar),
        "back-pain": back[0],
        "sciatica-paragraphs": " ".join(back[1:]),
    }
