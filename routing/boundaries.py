"""Offline point-in-polygon lookups over administrative boundaries (GeoJSON with Kemendagri codes).

Reading the shipped districts from GeoJSON (parsing, validating, repairing) takes over a second of CPU, in every
process that starts. The polygons read are kept compiled (as WKB, beside their areas) under the source file's
hash (``routing.compiled``): a later process reads them in a few hundredths of that.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from shapely import STRtree
from shapely.geometry import Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import make_valid

from routing.compiled import keep, read_kept

DATA_DIR = Path(__file__).resolve().parent / "data"
KM_PER_DEGREE = 111.32  # at the equator; Indonesia lies within 11 degrees of it, so within 2 %
# The shipped coastlines are simplified by up to a few km (SOURCE.md), and a report may come from a
# pier or a boat. Wider would take in Singapore, 20 km from Batam.
COAST_TOLERANCE_KM = 5.0
COMPILED_FORMAT = 1  # raise when what is kept changes
_HEADER_LENGTH = struct.Struct("<I")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str


class BoundaryIndex:
    """Polygons of one administrative level, searchable by point (or, for the gazetteer, one
    reference point per area: ``parts`` may be any geometry).

    Each polygon part is indexed on its own: smaller bounding boxes make queries faster, and a
    valid part is all a point-in-polygon test needs (parts of one area may touch or overlap).
    """

    def __init__(self, areas: list[Area], parts: list[BaseGeometry], part_area: list[int], invalid: int = 0, repaired: int = 0) -> None:
        self.areas = areas
        self.invalid = invalid  # features invalid as shipped
        self.repaired = repaired  # of those, features with a self-intersecting part that was remade
        self.part_areas = part_area
        self.parts = parts
        self._tree = STRtree(parts)
        shapely.prepare(parts)

    @classmethod
    def from_geojson(cls, path: Path) -> "BoundaryIndex":
        """The boundaries of a GeoJSON file (gzipped where it ends in .gz), compiled once per content."""
        source = path.read_bytes()
        kept = f"boundaries-{COMPILED_FORMAT}-{hashlib.sha256(source).hexdigest()[:32]}.wkb"
        try:
            return _from_compiled(read_kept(kept))
        except (OSError, ValueError, KeyError, struct.error, shapely.errors.GEOSException):
            pass
        collection = json.loads(gzip.decompress(source) if path.suffix == ".gz" else source)
        index = cls.from_features(collection["features"])
        keep(kept, _compiled(index), family="boundaries-*.wkb")
        return index

    @classmethod
    def from_features(cls, features: list[dict]) -> "BoundaryIndex":
        areas, parts, part_area, invalid, repaired = [], [], [], 0, 0
        for feature in features:
            properties = feature["properties"]
            areas.append(Area(str(properties["code"]), properties["name"], properties.get("level", "")))
            geometry = shape(feature["geometry"])
            invalid += not geometry.is_valid  # most only have parts that overlap, harmless here
            valid_parts, was_repaired = repaired_parts(geometry)
            repaired += was_repaired
            parts.extend(valid_parts)
            part_area.extend([len(areas) - 1] * len(valid_parts))
        return cls(areas, parts, part_area, invalid, repaired)

    def locate(self, latitude: float, longitude: float) -> Area | None:
        """The area whose polygon holds the point, if any. Where simplified polygons overlap, the one the point
        lies deepest inside (farthest from its edge) wins, not whichever comes first (bench/routing.py)."""
        point = Point(longitude, latitude)
        hits = [int(hit) for hit in self._tree.query(point, predicate="intersects")]
        if len({self.part_areas[hit] for hit in hits}) > 1:
            hits.sort(key=lambda hit: -self.parts[hit].boundary.distance(point))
        return self.areas[self.part_areas[hits[0]]] if hits else None

    def nearest(self, latitude: float, longitude: float, max_km: float) -> tuple[Area, float] | None:
        """The closest area within max_km of the point, with its distance in km (0 when inside)."""
        point = Point(longitude, latitude)
        indices, distances = self._tree.query_nearest(point, max_distance=max_km / KM_PER_DEGREE, return_distance=True)
        if not len(indices):
            return None
        return self.areas[self.part_areas[int(indices[0])]], float(distances[0]) * KM_PER_DEGREE


    def nearest_many(self, latitude: float, longitude: float, count: int, max_km: float) -> list[tuple[Area, float]]:
        """Up to ``count`` different areas within max_km of the point, nearest first, with their
        distances in km."""
        point = Point(longitude, latitude)
        reach = max_km / KM_PER_DEGREE
        candidates = self._tree.query(box(longitude - reach, latitude - reach, longitude + reach, latitude + reach))
        ranked = sorted((self.parts[int(i)].distance(point), self.part_areas[int(i)]) for i in candidates)
        found: dict[int, float] = {}
        for distance, area_index in ranked:
            if distance > reach or len(found) == count:
                break
            found.setdefault(area_index, distance)
        return [(self.areas[index], distance * KM_PER_DEGREE) for index, distance in found.items()]


def _from_compiled(data: bytes) -> BoundaryIndex:
    (length,) = _HEADER_LENGTH.unpack_from(data)
    header = json.loads(data[_HEADER_LENGTH.size:_HEADER_LENGTH.size + length])
    parts = shapely.get_parts(shapely.from_wkb(data[_HEADER_LENGTH.size + length:]))
    if len(parts) != len(header["part_areas"]):
        raise ValueError(f"{len(parts)} polygons kept for {len(header['part_areas'])} part areas")
    return BoundaryIndex([Area(*area) for area in header["areas"]], list(parts), header["part_areas"],
                         header["invalid"], header["repaired"])


def _compiled(index: BoundaryIndex) -> bytes:
    header = json.dumps({"areas": [[area.code, area.name, area.level] for area in index.areas],
                         "part_areas": index.part_areas, "invalid": index.invalid, "repaired": index.repaired}).encode()
    return _HEADER_LENGTH.pack(len(header)) + header + shapely.to_wkb(shapely.GeometryCollection(index.parts))


def polygons_of(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    return [polygon for part in getattr(geometry, "geoms", []) for polygon in polygons_of(part)]


def repaired_parts(geometry: BaseGeometry) -> tuple[list[Polygon], bool]:
    """The simplified source polygons self-intersect in places (SOURCE.md): repair each bad part."""
    parts = polygons_of(geometry)
    if all(part.is_valid for part in parts):
        return parts, False
    fixed = []
    for part in parts:
        fixed.extend([part] if part.is_valid else polygons_of(_make_valid(part)))
    return fixed, True


def _make_valid(polygon: Polygon) -> BaseGeometry:
    try:
        return make_valid(polygon)
    except shapely.errors.GEOSException:
        return polygon.buffer(0)


@lru_cache(maxsize=None)
def packaged_index(level: str) -> BoundaryIndex:
    """The boundaries shipped with lapor-bot: level is 'provinces', 'regencies' or 'districts'."""
    return BoundaryIndex.from_geojson(DATA_DIR / f"{level}.geojson.gz")


def in_indonesia(latitude: float, longitude: float) -> bool:
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return False
    return packaged_index("provinces").nearest(latitude, longitude, COAST_TOLERANCE_KM) is not None
