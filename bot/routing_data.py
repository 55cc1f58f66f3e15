"""Operator imports of routing data: check a file, report its bad rows, keep its good ones.

What is imported lands in ``ROUTING_DIR`` (boundaries/, roads/, agencies/) and takes precedence
over the data shipped in ``routing/data`` the next time the bot starts.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from routing.agencies import AGENCY_FIELDS, RULE_FIELDS, load_directory_file
from routing.boundaries import BoundaryIndex
from routing.engine import BOUNDARY_LEVELS
from routing.gps import gazetteer_csv
from routing.regions import DISTRICT, PROVINCE, REGENCY, Hierarchy
from routing.roads import FIELDS as ROAD_FIELDS, load_roads

LEVELS = {"province": ("provinces", PROVINCE), "regency": ("regencies", REGENCY), "district": ("districts", DISTRICT)}


@dataclass
class ImportReport:
    kept: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: Path | None = None

    def lines(self) -> list[str]:
        summary = f"{self.kept} kept, {len(self.problems)} rejected" + (f"; written to {self.written}" if self.written else "")
        return [summary, *self.notes, *(f"  rejected: {problem}" for problem in self.problems)]


def import_boundaries(source: Path, level: str, hierarchy: Hierarchy, routing_dir: Path) -> ImportReport:
    """A GeoJSON FeatureCollection whose features carry a Kemendagri ``code`` of the given level."""
    folder, wanted = LEVELS[level]
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as file:
        collection = json.load(file)
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{source.name} is not a GeoJSON FeatureCollection")
    report, kept = ImportReport(), []
    for number, feature in enumerate(collection.get("features", []), start=1):
        code = str((feature.get("properties") or {}).get("code", "")).strip()
        region = hierarchy.get(code)
        if region is None or region.level != wanted:
            report.problems.append(f"feature {number}: code {code!r} is not a {level} code")
        elif not feature.get("geometry") or feature["geometry"].get("type") not in ("Polygon", "MultiPolygon"):
            report.problems.append(f"feature {number} ({code}): no Polygon or MultiPolygon geometry")
        else:
            kept.append({**feature, "properties": {**feature["properties"], "code": code, "name": region.name, "level": level}})
    index = BoundaryIndex.from_features(kept)  # proves every kept geometry loads, and repairs
    report.kept = len(kept)
    report.notes.append(f"{index.invalid} invalid as given (repaired when loaded: {index.repaired} with self-intersecting parts)")
    missing = len(hierarchy.levels[wanted]) - len({feature["properties"]["code"] for feature in kept})
    report.notes.append(f"{missing} {level} codes of the hierarchy have no boundary in this file")
    target = routing_dir / "boundaries" / f"{folder}.geojson.gz"
    _write(target, gzip.compress(json.dumps({"type": "FeatureCollection", "features": kept}).encode(), mtime=0))
    report.written = target
    if folder != BOUNDARY_LEVELS[0]:
        report.notes.append("GPS lookups use the finest level imported; districts are the finest")
    return report


def build_gazetteer(districts: BoundaryIndex, target: Path) -> ImportReport:
    _write(target, gazetteer_csv(districts))
    return ImportReport(kept=len(districts.areas), written=target)


def import_roads(source: Path, hierarchy: Hierarchy, routing_dir: Path) -> ImportReport:
    roads, errors = load_roads(source, hierarchy)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([*ROAD_FIELDS, "geometry"])
    for road in roads:
        writer.writerow([road.name, ";".join(road.aliases), road.status, road.region_code, road.source, road.geometry.wkt if road.geometry else ""])
    target = routing_dir / "roads" / f"{source.stem}.csv"
    _write(target, text.getvalue().encode())
    return ImportReport(len(roads), [f"row {e.row}: {e.reason}" for e in errors], written=target)


def import_directory(source: Path, hierarchy: Hierarchy, routing_dir: Path) -> ImportReport:
    agencies, rules, errors = load_directory_file(source, hierarchy)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    if agencies:
        writer.writerow(AGENCY_FIELDS)
        for agency in agencies:
            writer.writerow([agency.code, agency.name, agency.level, agency.area_code or "", ";".join(sorted(agency.categories))])
    else:
        writer.writerow(RULE_FIELDS)
        for rule in rules:
            writer.writerow([rule.category, rule.road_status, rule.area_code, rule.agency])
    target = routing_dir / "agencies" / f"{source.stem}.csv"
    _write(target, text.getvalue().encode())
    return ImportReport(len(agencies) + len(rules), [f"row {row}: {reason}" for row, reason in errors], written=target)


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
