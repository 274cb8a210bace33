"""Benchmarks: this service side by side with peer servers, and scale runs on generated graphs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ONTOLOGY = ROOT / "ontology" / "needling.ttl"
QUERIES = ROOT / "queries"
