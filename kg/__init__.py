"""needling-kg: a sourced knowledge graph about dry needling and acupuncture."""

import sys
from pathlib import Path


def _data_root() -> Path:
    """Where the graph and the named queries are: the checkout around this package, or, in an installed
    wheel, <prefix>/share/needling-kg (pyproject.toml's data-files)."""
    checkout = Path(__file__).resolve().parent.parent
    installed = Path(sys.prefix) / "share" / "needling-kg"
    if not (checkout / "ontology" / "needling.ttl").exists() and (installed / "ontology").is_dir():
        return installed
    return checkout


PROJECT_ROOT = _data_root()
DEFAULT_ONTOLOGY = PROJECT_ROOT / "ontology" / "needling.ttl"
DEFAULT_SHAPES = PROJECT_ROOT / "ontology" / "shapes.ttl"
DEFAULT_QUERIES = PROJECT_ROOT / "queries"
