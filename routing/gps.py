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

from shapely.geometry import Point

from routing.boundaries import COAST_TOLERANCE_KM, Area, BoundaryIndex, packaged_index
from routing.regions import DISTRICT, PROVINCE, REGENCY, Hierarchy, Region

POLYGON, GAZETTEER = "polygon", "gazetteer"
NEIGHBOURS = 3  # districts offered when the citizen must confirm
NEIGHBOUR_KM = 15.0
FAR_DISTRICT_KM = 60.0  # a point in a province but outside every district: its districts this near are offered
PHONE_ACCURACY_KM = 0.05  # a pin this close outside a district's (simplified) edge is taken as inside it
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

    def __init__(self, hierarchy: Hierarchy, districts: BoundaryIndex, provinces: BoundaryIndex | None = None) -> None:
        self.hierarchy = hierarchy
        self.districts = districts
        self._provinces = provinces

    @property
    def provinces(self) -> BoundaryIndex:
        return self._provinces or packaged_index("provinces")

    def locate(self, latitude: float, longitude: float) -> PointMatch | None:
        inside = self.districts.locate(latitude, longitude)
        if inside is not None:
            return _match(self.hierarchy, inside.code, POLYGON, certain=True)
        # Off a coast or a border: the nearest district if close enough, with its neighbours to choose from.
        neighbours = self.districts.nearest_many(latitude, longitude, NEIGHBOURS, NEIGHBOUR_KM)
        if not neighbours or neighbours[0][1] > COAST_TOLERANCE_KM:
            return self._in_province_only(latitude, longitude)
        if neighbours[0][1] <= PHONE_ACCURACY_KM:  # a phone's own error, or a simplified edge: no question
            return _match(self.hierarchy, neighbours[0][0].code, POLYGON, certain=True, distance=neighbours[0][1])
        return _uncertain(self.hierarchy, neighbours, POLYGON)

    def _in_province_only(self, latitude: float, longitude: float) -> PointMatch | None:
        """Inside a province's polygon but far from every district's: the province (its hub answers), with the
        nearest districts of that province to choose from."""
        province = self.provinces.locate(latitude, longitude)
        region = self.hierarchy.by_code.get(province.code) if province else None
        if region is None:
            return None
        nearby = [(area, km) for area, km in self.districts.nearest_many(latitude, longitude, 10, FAR_DISTRICT_KM)
                  if area.code.startswith(region.code + ".")][:NEIGHBOURS]
        alternatives = [self.hierarchy.by_code[area.code] for area, _km in nearby if area.code in self.hierarchy.by_code]
        return PointMatch(None, None, region, POLYGON, False, nearby[0][1] if nearby else 0.0, alternatives)


class GazetteerLocator:
    mode = GAZETTEER

    def __init__(self, hierarchy: Hierarchy, points: list[tuple[str, float, float]]) -> None:
        self.hierarchy = hierarchy
        known = [(hierarchy.by_code[code], Point(lng, lat)) for code, lat, lng in points if code in hierarchy.by_code]
        areas = [Area(region.code, region.name, "district") for region, _point in known]
        self.points = BoundaryIndex(areas, [point for _region, point in known], list(range(len(known))))

    @classmethod
    def from_csv(cls, hierarchy: Hierarchy, path: Path) -> "GazetteerLocator":
        with gzip.open(path, "rt", encoding="utf-8") as file:
            rows = [(row["code"], float(row["latitude"]), float(row["longitude"])) for row in csv.DictReader(file)]
        return cls(hierarchy, rows)

    def locate(self, latitude: float, longitude: float) -> PointMatch | None:
        nearest: list[tuple[Area, float]] = []
        for reach_km in GAZETTEER_RADII_KM:  # most points have three districts close by: look near first
            nearest = self.points.nearest_many(latitude, longitude, NEIGHBOURS, reach_km)
            if len(nearest) == NEIGHBOURS:
                break
        return _uncertain(self.hierarchy, nearest, GAZETTEER) if nearest else None


def _uncertain(hierarchy: Hierarchy, nearest: list[tuple[Area, float]], mode: str) -> PointMatch:
    """The nearest area, not certain: the citizen picks among it and its neighbours."""
    alternatives = [hierarchy.by_code[area.code] for area, _km in nearest if area.code in hierarchy.by_code]
    area, distance = nearest[0]
    return _match(hierarchy, area.code, mode, certain=False, distance=distance, alternatives=alternatives)


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
