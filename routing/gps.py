"""GPS point -> district, regency and province, offline.

Two modes. With boundary polygons (shipped in ``routing/data``, or imported by the operator) the
district whose polygon holds the point; near a coast or border, the nearest district within a few
km, marked uncertain. Without polygons, the nearest district from a packaged gazetteer of one
reference point per district: always uncertain, so the citizen confirms it.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

from shapely import STRtree
from shapely.geometry import Point, box as box_of

from routing.boundaries import COAST_TOLERANCE_KM, KM_PER_DEGREE, BoundaryIndex
from routing.regions import DISTRICT, PROVINCE, REGENCY, Hierarchy, Region

POLYGON, GAZETTEER = "polygon", "gazetteer"
NEIGHBOURS = 3  # districts offered when the citizen must confirm
NEIGHBOUR_KM = 15.0
GAZETTEER_RADII_KM = (20.0, 60.0, 150.0)  # districts in remote Papua are large: their points lie far apart


@dataclass(frozen=True)
class PointMatch:
    district: Region | None
    regency: Region | None
    province: Region | None
    mode: str
    certain: bool
    distance_km: float = 0.0
    alternatives: list[Region] = field(default_factory=list)  # districts to choose from when not certain

    @property
    def deepest(self) -> Region | None:
        return self.district or self.regency or self.province


class PolygonLocator:
    mode = POLYGON

    def __init__(self, hierarchy: Hierarchy, districts: BoundaryIndex) -> None:
        self.hierarchy = hierarchy
        self.districts = districts

    def locate(self, latitude: float, longitude: float) -> PointMatch | None:
        inside = self.districts.locate(latitude, longitude)
        if inside is not None:
            return _match(self.hierarchy, inside.code, POLYGON, certain=True)
        nearest = self.districts.nearest(latitude, longitude, COAST_TOLERANCE_KM)
        if nearest is None:
            return None
        area, distance = nearest
        neighbours = self.districts.nearest_many(latitude, longitude, NEIGHBOURS, NEIGHBOUR_KM)
        alternatives = [self.hierarchy.by_code[a.code] for a in neighbours if a.code in self.hierarchy.by_code]
        return _match(self.hierarchy, area.code, POLYGON, certain=False, distance=distance, alternatives=alternatives)


class GazetteerLocator:
    mode = GAZETTEER

    def __init__(self, hierarchy: Hierarchy, points: list[tuple[str, float, float]]) -> None:
        self.hierarchy = hierarchy
        self.codes = [code for code, _lat, _lng in points if code in hierarchy.by_code]
        self._points = [Point(lng, lat) for code, lat, lng in points if code in hierarchy.by_code]
        self._tree = STRtree(self._points)

    @classmethod
    def from_csv(cls, hierarchy: Hierarchy, path: Path) -> "GazetteerLocator":
        with gzip.open(path, "rt", encoding="utf-8") as file:
            rows = [(row["code"], float(row["latitude"]), float(row["longitude"])) for row in csv.DictReader(file)]
        return cls(hierarchy, rows)

    def locate(self, latitude: float, longitude: float) -> PointMatch | None:
        point = Point(longitude, latitude)
        order: list[tuple[float, int]] = []
        for reach_km in GAZETTEER_RADII_KM:  # most points have three districts close by: look near first
            reach = reach_km / KM_PER_DEGREE
            box = (longitude - reach, latitude - reach, longitude + reach, latitude + reach)
            indices = self._tree.query(box_of(*box))
            order = sorted((self._points[int(i)].distance(point), int(i)) for i in indices)
            order = [(distance, index) for distance, index in order if distance <= reach][:NEIGHBOURS]
            if len(order) == NEIGHBOURS:
                break
        if not order:
            return None
        nearest = [self.hierarchy.by_code[self.codes[index]] for _distance, index in order]
        distance = order[0][0] * KM_PER_DEGREE
        return _match(self.hierarchy, nearest[0].code, GAZETTEER, certain=False, distance=distance, alternatives=nearest)


def _match(hierarchy: Hierarchy, code: str, mode: str, *, certain: bool, distance: float = 0.0, alternatives=()) -> PointMatch:
    """The point's areas, from the code of the finest polygon found (a district, or coarser when
    the operator imported only regency or province boundaries)."""
    region = hierarchy.by_code.get(code)
    levels = [hierarchy.get(region.ancestor_code(level)) if region else None for level in (DISTRICT, REGENCY, PROVINCE)]
    return PointMatch(*levels, mode, certain, distance, list(alternatives))


def gazetteer_csv(districts: BoundaryIndex) -> bytes:
    """One reference point per district (inside its largest polygon part), gzip-compressed CSV."""
    largest: dict[str, tuple[float, object]] = {}
    for area_index, part in zip(districts.part_areas, districts.parts):
        code = districts.areas[area_index].code
        if code not in largest or part.area > largest[code][0]:
            largest[code] = (part.area, part)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["code", "latitude", "longitude"])
    for code, (_size, part) in sorted(largest.items()):
        point = part.representative_point()
        writer.writerow([code, f"{point.y:.5f}", f"{point.x:.5f}"])
    return gzip.compress(text.getvalue().encode(), mtime=0)
