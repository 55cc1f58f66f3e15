"""The road registry: which road has which status (nasional, provinsi, kabupaten, kota).

File formats (see README, "Road registry"):

- CSV with the columns ``name, aliases, status, region_code, source`` and optionally ``geometry``
  (WKT ``LINESTRING``/``MULTILINESTRING`` in longitude latitude). ``aliases`` are separated by ``;``.
- GeoJSON FeatureCollection of LineString/MultiLineString features whose properties carry the
  same fields (``aliases`` a list or a ``;``-separated string). A feature may have no geometry.

``region_code`` is the Kemendagri code of the regency/city (or the province, for a road listed
province-wide) the segment lies in. A road's status must fit its region: a ``kota`` road lies in a
city, a ``kabupaten`` road in a regency.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from rapidfuzz import fuzz, process
from shapely import STRtree, wkt
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from routing.boundaries import KM_PER_DEGREE
from routing.normalise import core_road_name
from routing.regions import PROVINCE, REGENCY, Hierarchy

NATIONAL, PROVINCIAL, REGENCY_ROAD, CITY_ROAD = "nasional", "provinsi", "kabupaten", "kota"
STATUSES = (NATIONAL, PROVINCIAL, REGENCY_ROAD, CITY_ROAD)
NAME_CUTOFF = 85
NEAR_ROAD_METRES = 40.0  # a pin this close to a road's line is taken to be on it
FIELDS = ("name", "aliases", "status", "region_code", "source")


@dataclass(frozen=True)
class Road:
    name: str
    aliases: tuple[str, ...]
    status: str
    region_code: str
    source: str
    geometry: BaseGeometry | None = field(default=None, compare=False, hash=False)

    def lies_in(self, code: str | None) -> bool:
        """On a road of this region: the region's own code, one of its parents', or one below it."""
        if code is None:
            return True
        return code == self.region_code or code.startswith(self.region_code + ".") or self.region_code.startswith(code + ".")


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (CSV) or feature index + 1 (GeoJSON)
    reason: str


class RoadRegistry:
    def __init__(self, roads: list[Road]) -> None:
        self.roads = roads
        self._names: list[str] = []
        self._name_road: list[Road] = []
        for road in roads:
            for name in (road.name, *road.aliases):
                self._names.append(core_road_name(name))
                self._name_road.append(road)
        drawn = [road for road in roads if road.geometry is not None]
        self._drawn = drawn
        self._tree = STRtree([road.geometry for road in drawn]) if drawn else None

    def __len__(self) -> int:
        return len(self.roads)

    def by_name(self, typed: str, area_code: str | None) -> list[tuple[Road, float]]:
        """Roads whose name or alias matches ``typed`` ("jln sudirman"), inside the area, best first."""
        query = core_road_name(typed)
        if not query:
            return []
        # Plain ratio over the folded names: titles ("Jenderal") are already gone, and aliases carry
        # the names people use. Set-based scorers would take "Jl. Padang" for "By Pass Padang".
        hits = process.extract(query, self._names, scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF, limit=20)
        best: dict[Road, float] = {}
        for _name, score, index in hits:
            road = self._name_road[index]
            if road.lies_in(area_code):
                best[road] = max(score, best.get(road, 0))
        return sorted(best.items(), key=lambda item: -item[1])

    def near(self, latitude: float, longitude: float, metres: float = NEAR_ROAD_METRES) -> tuple[Road, float] | None:
        """The road whose line passes closest to the point, within ``metres``."""
        if self._tree is None:
            return None
        point = Point(longitude, latitude)
        index, distance = self._tree.query_nearest(point, max_distance=metres / 1000 / KM_PER_DEGREE, return_distance=True)
        if not len(index):
            return None
        return self._drawn[int(index[0])], float(distance[0]) * KM_PER_DEGREE * 1000


def load_roads(path: Path, hierarchy: Hierarchy) -> tuple[list[Road], list[RowError]]:
    """Read and check a registry file; good rows and a reason for each bad one."""
    if path.suffix.lower() in (".geojson", ".json"):
        records = _geojson_records(path)
    else:
        records = _csv_records(path)
    roads, errors = [], []
    for row, record in records:
        try:
            roads.append(_road(record, hierarchy))
        except ValueError as problem:
            errors.append(RowError(row, str(problem)))
    return roads, errors


def _csv_records(path: Path):
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(line for line in file if not line.startswith("#"))
        missing = set(FIELDS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        for number, record in enumerate(reader, start=1):
            yield number, record


def _geojson_records(path: Path):
    collection = json.loads(path.read_text(encoding="utf-8"))
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path.name}: not a GeoJSON FeatureCollection")
    for number, feature in enumerate(collection.get("features", []), start=1):
        yield number, {**(feature.get("properties") or {}), "_geometry": feature.get("geometry")}


def _road(record: dict[str, Any], hierarchy: Hierarchy) -> Road:
    name = (record.get("name") or "").strip()
    if not name:
        raise ValueError("name is empty")
    status = (record.get("status") or "").strip().lower()
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    code = (record.get("region_code") or "").strip()
    region = hierarchy.get(code)
    if region is None or region.level > REGENCY:
        raise ValueError(f"region_code {code!r} is not a Kemendagri province or regency/city code")
    if status in (REGENCY_ROAD, CITY_ROAD) and (region.level != REGENCY or region.kind != status):
        raise ValueError(f"a {status} road must lie in a {status}, not in {region.name}")
    if status == PROVINCIAL and region.level not in (PROVINCE, REGENCY):
        raise ValueError("a provincial road lies in a province or one of its regencies")
    source = (record.get("source") or "").strip()
    if not source:
        raise ValueError("source is empty: say where the status comes from (an SK number, a document)")
    aliases = record.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [alias.strip() for alias in aliases.split(";")]
    return Road(name, tuple(alias for alias in aliases if alias), status, code, source, _geometry(record))


def _geometry(record: dict[str, Any]) -> BaseGeometry | None:
    raw = record.get("_geometry") or (record.get("geometry") or "").strip() or None
    if raw is None:
        return None
    try:
        geometry = shape(raw) if isinstance(raw, dict) else wkt.loads(raw)
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError) as error:
        raise ValueError(f"geometry cannot be read: {error}") from None
    if geometry.geom_type not in ("LineString", "MultiLineString") or geometry.is_empty:
        raise ValueError(f"geometry must be a LineString or MultiLineString, not {geometry.geom_type}")
    return geometry
