"""Deterministic large graphs: the real ontology plus clearly synthetic clinics, prices and anatomy.

`python -m bench.generate --triples 100000 --out bench/out/graph-1e5.ttl [--seed 42]` writes Turtle: the
real `ontology/needling.ttl` as it is, then synthetic data under
`https://needling-kg.example.org/kg/synthetic/`, every preferred label starting with "Synthetic":

- clinics (schema:MedicalClinic) that make offers (schema:Offer -> schema:UnitPriceSpecification in USD
  per session) of the real modalities, linked by schema:itemOffered / schema:offeredBy only, so the
  price the article gives stays each modality's own price (schema:offers is not extended);
- practitioners (schema:Person) with schema:hasOccupation one of the real practitioner types that
  fits what their clinic offers, and schema:worksFor the clinic;
- conditions (schema:MedicalCondition, one per ~2,000 triples) that the real modalities may treat
  (schema:possibleTreatment), each with a claim node citing a synthetic article, so the claim joins grow;
- muscles (schema:Muscle) and acupuncture points (schema:AnatomicalStructure, skos:broader
  nkg:acupuncture-points) that conditions and points refer to.

The same seed and size give the same bytes: only `random.Random(seed).random()` draws are used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench import ONTOLOGY, OUT

GENERATOR_VERSION = 1
SYNTHETIC = "https://needling-kg.example.org/kg/synthetic/"
TRIPLES_PER_CONDITION = 2_000
MUSCLE_SHARE = 0.05
POINT_SHARE = 0.07
# modality -> (practitioner types that may perform it, lowest minimum price, spread of the minimum)
MODALITIES = {
    "dry-needling": (("physical-therapist", "chiropractor", "licensed-healthcare-professional"), 40, 50),
    "acupuncture": (("acupuncturist",), 55, 45),
}
_FLUSH_EVERY = 4_000


class TurtleWriter:
    """Writes one subject block at a time and counts the triples; buffered, so memory stays flat."""

    def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
        self.handle = handle
        self.triples = 0
        self._blocks: list[str] = []

    def subject(self, name: str, pairs: Sequence[tuple[str, str]]) -> None:
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        self._blocks.append(f"{name} {body} .\n")
        self.triples += len(pairs)
        if len(self._blocks) >= _FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self._blocks))
        self._blocks.clear()


def _en(text: str) -> str:
    return f'"{text}"@en'


class Synthesizer:
    """Emits the synthetic entities in a fixed order driven by one seeded random stream."""

    def __init__(self, out: TurtleWriter, seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.counts = {"clinic": 0, "offer": 0, "practitioner": 0, "condition": 0, "muscle": 0, "point": 0}
        self.share = {"muscle": 0, "point": 0}

    def pick(self, n: int) -> int:
        return min(n - 1, int(self.rng.random() * n))

    def next_id(self, kind: str) -> int:
        self.counts[kind] += 1
        return self.counts[kind]

    def source(self) -> None:
        self.out.subject("syn:article", [
            ("a", "schema:Article"),
            ("a", "prov:Entity"),
            ("skos:prefLabel", _en("Synthetic benchmark data")),
            ("dcterms:title", _en("Synthetic benchmark data")),
            ("skos:scopeNote", _en("Made-up data that grows the graph for benchmarks; not from any source.")),
        ])  # fmt: skip
        self.out.subject("syn:section", [
            ("a", "nkg:Section"),
            ("skos:prefLabel", _en("Synthetic section")),
            ("dcterms:title", _en("Synthetic section")),
            ("dcterms:isPartOf", "syn:article"),
            ("schema:position", "1"),
        ])  # fmt: skip

    def clinic(self) -> None:
        n = self.next_id("clinic")
        roll = self.rng.random()
        offered = ["dry-needling"] if roll < 0.45 else ["acupuncture"] if roll < 0.75 else list(MODALITIES)
        offers = []
        for modality in offered:
            o = self.next_id("offer")
            offers.append(f"syn:offer-{o}")
            kinds, low, spread = MODALITIES[modality]
            minimum = low + 5 * self.pick(spread // 5 + 1)
            maximum = minimum + 10 + 5 * self.pick(19)
            self.out.subject(f"syn:offer-{o}", [
                ("a", "schema:Offer"),
                ("skos:prefLabel", _en(f"Synthetic offer {o}")),
                ("schema:itemOffered", f"nkg:{modality}"),
                ("schema:offeredBy", f"syn:clinic-{n}"),
                ("schema:priceSpecification", f"syn:price-{o}"),
            ])  # fmt: skip
            self.out.subject(f"syn:price-{o}", [
                ("a", "schema:UnitPriceSpecification"),
                ("skos:prefLabel", _en(f"Synthetic price {o}")),
                ("schema:minPrice", str(minimum)),
                ("schema:maxPrice", str(maximum)),
                ("schema:priceCurrency", '"USD"'),
                ("schema:referenceQuantity", "nkg:one-session"),
            ])  # fmt: skip
            for _ in range(1 + self.pick(2)):
                p = self.next_id("practitioner")
                self.out.subject(f"syn:practitioner-{p}", [
                    ("a", "schema:Person"),
                    ("skos:prefLabel", _en(f"Synthetic practitioner {p}")),
                    ("schema:hasOccupation", f"nkg:{kinds[self.pick(len(kinds))]}"),
                    ("schema:worksFor", f"syn:clinic-{n}"),
                ])  # fmt: skip
        self.out.subject(f"syn:clinic-{n}", [
            ("a", "schema:MedicalClinic"),
            ("skos:prefLabel", _en(f"Synthetic clinic {n}")),
            ("schema:areaServed", _en(f"Synthetic town {1 + self.pick(500)}")),
            *(("schema:makesOffer", offer) for offer in offers),
        ])  # fmt: skip

    def muscle(self) -> None:
        n = self.next_id("muscle")
        before = self.out.triples
        self.out.subject(f"syn:muscle-{n}", [
            ("a", "schema:Muscle"),
            ("skos:prefLabel", _en(f"Synthetic muscle {n}")),
            ("skos:altLabel", _en(f"musculus syntheticus {n}")),
            ("skos:scopeNote", _en("A made-up muscle for benchmarks.")),
            ("schema:bodyLocation", _en(f"Synthetic region {1 + self.pick(40)}")),
        ])  # fmt: skip
        self.share["muscle"] += self.out.triples - before

    def point(self) -> None:
        n = self.next_id("point")
        before = self.out.triples
        pairs = [
            ("a", "schema:AnatomicalStructure"),
            ("skos:prefLabel", _en(f"Synthetic acupuncture point {n}")),
            ("skos:notation", f'"SYN-{n}"'),
            ("skos:broader", "nkg:acupuncture-points"),
        ]
        if self.counts["muscle"]:
            pairs.append(("schema:relatedStructure", f"syn:muscle-{1 + self.pick(self.counts['muscle'])}"))
        self.out.subject(f"syn:point-{n}", pairs)
        self.share["point"] += self.out.triples - before

    def condition(self) -> None:
        n = self.next_id("condition")
        roll = self.rng.random()
        treated = ["dry-needling"] if roll < 0.4 else ["acupuncture"] if roll < 0.7 else list(MODALITIES)
        pairs = [
            ("a", "schema:MedicalCondition"),
            ("skos:prefLabel", _en(f"Synthetic condition {n}")),
            ("skos:altLabel", _en(f"synthetic disorder {n}")),
            ("skos:scopeNote", _en("A made-up condition for benchmarks; not a real disorder.")),
            *(("schema:possibleTreatment", f"nkg:{m}") for m in treated),
        ]
        if self.counts["muscle"]:
            pairs.append(("nkg:commonlyInvolves", f"syn:muscle-{1 + self.pick(self.counts['muscle'])}"))
        self.out.subject(f"syn:condition-{n}", pairs)
        for modality in treated:
            claim = [
                ("a", "nkg:Claim"),
                ("nkg:fact", '"F00"'),
                ("rdf:subject", f"syn:condition-{n}"),
                ("rdf:predicate", "schema:possibleTreatment"),
                ("rdf:object", f"nkg:{modality}"),
                ("dcterms:source", "syn:section"),
                ("prov:wasDerivedFrom", "syn:article"),
            ]
            if self.rng.random() < 0.5:
                claim.append(("nkg:hedge", '"may"'))
            self.out.subject(f"syn:claim-{n}-{modality}", claim)

    def fill(self, target: int) -> None:
        """Clinic units, with conditions, muscles and points mixed in at fixed shares, up to `target` triples."""
        self.source()
        while self.out.triples < target:
            self.clinic()
            while self.counts["condition"] < self.out.triples // TRIPLES_PER_CONDITION:
                self.condition()
            while self.share["muscle"] < MUSCLE_SHARE * self.out.triples:
                self.muscle()
            while self.share["point"] < POINT_SHARE * self.out.triples:
                self.point()


def count_triples(path: Path) -> int:
    import pyoxigraph as ox

    with path.open("rb") as handle:
        return sum(1 for _ in ox.parse(handle, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))


def generate(out: Path, triples: int, seed: int = 42, ontology: Path = ONTOLOGY) -> dict[str, object]:
    """Write the real ontology plus synthetic data, about `triples` triples in all; what was written."""
    start = time.perf_counter()
    real = count_triples(ontology)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", buffering=1 << 20) as handle:
        handle.write(ontology.read_text(encoding="utf-8"))
        handle.write(
            "\n# ---------------------------------------------------------------------------------------------\n"
            f"# Synthetic benchmark data from bench/generate.py (version {GENERATOR_VERSION}, seed {seed}).\n"
            "# None of it comes from the source article; every preferred label starts with 'Synthetic'.\n"
            "# ---------------------------------------------------------------------------------------------\n"
            f"@prefix syn: <{SYNTHETIC}> .\n\n"
        )
        writer = TurtleWriter(handle)
        synth = Synthesizer(writer, seed)
        synth.fill(max(0, triples - real))
        writer.flush()
    return {
        "path": str(out),
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "requested": triples,
        "triples": real + writer.triples,
        "real_triples": real,
        "synthetic_triples": writer.triples,
        "entities": dict(synth.counts),
        "bytes": out.stat().st_size,
        "seconds": round(time.perf_counter() - start, 2),
    }


def size_label(triples: int) -> str:
    """1e4, 1e5, 1e6 for powers of ten; the plain number otherwise."""
    exponent = len(str(triples)) - 1
    return f"1e{exponent}" if triples == 10**exponent else str(triples)


def cached_graph(triples: int, seed: int = 42, ontology: Path = ONTOLOGY) -> tuple[Path, dict[str, object]]:
    """bench/out/graph-<size>.ttl, made again when the seed, the generator or the real ontology changed."""
    path = OUT / f"graph-{size_label(triples)}.ttl"
    meta_path = path.with_suffix(".meta.json")
    key = {
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "requested": triples,
        "ontology_sha256": hashlib.sha256(ontology.read_bytes()).hexdigest(),
    }
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in key.items()):
            return path, meta
    print(f"bench: generating {path.name} ({triples:,} triples, seed {seed}) ...", file=sys.stderr)
    meta = {**generate(path, triples, seed, ontology), **key}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return path, meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=float, default=100_000, help="about how many triples (1e5 works)")
    parser.add_argument("--out", type=Path, required=True, help="the Turtle file to write")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    info = generate(args.out, int(args.triples), args.seed)
    print(
        f"wrote {info['triples']:,} triples ({info['real_triples']:,} real + {info['synthetic_triples']:,} "
        f"synthetic) to {args.out} in {info['seconds']} s; {info['bytes']:,} bytes; entities {info['entities']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
