"""needling-kg: a sourced knowledge graph about dry needling and acupuncture."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ONTOLOGY = PROJECT_ROOT / "ontology" / "needling.ttl"
DEFAULT_SHAPES = PROJECT_ROOT / "ontology" / "shapes.ttl"
DEFAULT_QUERIES = PROJECT_ROOT / "queries"
