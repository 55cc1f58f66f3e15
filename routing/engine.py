"""From a category and a place to the agency that must answer, and why ("No Wrong Door").

``Router.route`` takes what the citizen gave (a GPS point, a typed address, a region they chose
when asked, the road they named) and returns a ``Jurisdiction``: the areas, the road and its
status, the agency, how sure it is, and the reason, as data for the caller to put into words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from routing.agencies import Agency, Directory, load_directory_file
from routing.boundaries import DATA_DIR, BoundaryIndex, packaged_index
from routing.gps import GazetteerLocator, PointMatch, PolygonLocator
from routing.places import PlaceMatch, PlaceMatcher
from routing.regions import DISTRICT, PROVINCE, REGENCY, VILLAGE, Hierarchy, Region
from routing.roads import Road, RoadRegistry, load_roads

log = logging.getLogger(__name__)

SAMPLE_ROADS = DATA_DIR / "sample-roads.csv"
GAZETTEER = DATA_DIR / "district-points.csv.gz"
HIGH, MEDIUM, LOW = "high", "medium", "low"
# Why a report goes where it goes (the caller words it):
BY_ROAD = "road"  # the road's status decides
BY_AREA = "area"  # the category's office in the area
ROAD_UNKNOWN = "road_unknown"  # a road complaint whose road's status is unknown: the hub checks
NO_OFFICE = "no_office"  # no rule or office for this category here: the hub assigns
NO_AREA = "no_area"  # the place is not known well enough: the nearest hub that is known


@dataclass(frozen=True)
class Jurisdiction:
    province: Region | None
    regency: Region | None
    district: Region | None
    village: Region | None
    road: Road | None
    agency: Agency
    confidence: str
    reason: str
    alternatives: list[Region] = field(default_factory=list)  # ask the citizen: which of these?
    needs_road: bool = False  # a road complaint, and no road recognised: ask which road
    sample_road: bool = False  # the road came from the shipped sample registry

    @property
    def road_status(self) -> str | None:
        return self.road.status if self.road else None

    @property
    def area(self) -> Region | None:
        return self.village or self.district or self.regency or self.province


class Router:
    def __init__(
        self,
        hierarchy: Hierarchy,
        places: PlaceMatcher,
        locator: PolygonLocator | GazetteerLocator,
        roads: RoadRegistry,
        directory: Directory,
        sample_roads: bool = False,
    ) -> None:
        self.hierarchy, self.places, self.locator = hierarchy, places, locator
        self.roads, self.directory, self.sample_roads = roads, directory, sample_roads

    @classmethod
    def load(cls, data_dir: Path | None = None, polygons: bool = True) -> "Router":
        """The shipped data, with what the operator imported into ``data_dir`` taking precedence."""
        hierarchy = Hierarchy.from_lokal()
        locator = PolygonLocator(hierarchy, gps_boundaries(data_dir)) if polygons else GazetteerLocator.from_csv(hierarchy, GAZETTEER)
        imported = sorted((data_dir / "roads").glob("*")) if data_dir and (data_dir / "roads").is_dir() else []
        road_files = imported or [SAMPLE_ROADS]
        roads: list[Road] = []
        for path in road_files:
            good, bad = load_roads(path, hierarchy)
            roads += good
            if bad:
                log.warning("%s: %d bad rows skipped (run `lapor-bot roads import` to see them)", path, len(bad))
        directory = load_directory(hierarchy, data_dir)
        return cls(hierarchy, PlaceMatcher(hierarchy), locator, RoadRegistry(roads), directory, sample_roads=not imported)

    def route(
        self,
        category: str,
        is_road: bool,
        *,
        point: tuple[float, float] | None = None,
        address: str | None = None,
        chosen_code: str | None = None,
        road_text: str | None = None,
    ) -> Jurisdiction:
        region, alternatives, certain, typed_road, road = self._place(point, address, chosen_code)
        if is_road and road is None:
            for name in (road_text, typed_road):
                road = self._road_named(name, region) if name else None
                if road:
                    break
        road_status = road.status if road else None
        assignment = self.directory.assign(category, road_status if is_road else None, region)
        reason = _reason(is_road, road, region, assignment.fell_back)
        confidence = HIGH if certain and not assignment.fell_back else MEDIUM if region else LOW
        return Jurisdiction(
            *self._levels(region),
            road=road if is_road else None,
            agency=assignment.agency,
            confidence=confidence,
            reason=reason,
            alternatives=alternatives,
            # A road the address already named, even one not in the registry, is not asked about again.
            needs_road=is_road and road is None and road_text is None and typed_road is None,
            sample_road=bool(road) and self.sample_roads,
        )

    def _place(self, point, address, chosen_code):
        """The region, rivals to ask about, certainty, the road the address names, a road under the pin."""
        if chosen_code:
            return self.hierarchy.get(chosen_code), [], True, None, None
        if point:
            found: PointMatch | None = self.locator.locate(*point)
            near = self.roads.near(*point)
            region = found.deepest if found else None  # a province alone: its hub, with districts to choose
            alternatives = [] if (found is None or found.certain) else found.alternatives
            return region, alternatives if len(alternatives) > 1 else [], bool(found and found.certain), None, near[0] if near else None
        if address:
            matched: PlaceMatch = self.places.match(address)
            return matched.region, matched.alternatives, matched.region is not None and not matched.ambiguous, matched.road_name, None
        return None, [], False, None, None

    def _road_named(self, name: str, region: Region | None) -> Road | None:
        scope = region.ancestor_code(REGENCY) or region.ancestor_code(PROVINCE) if region else None
        hits = self.roads.by_name(name, scope)
        return hits[0][0] if hits else None

    def _levels(self, region: Region | None) -> tuple[Region | None, ...]:
        if region is None:
            return None, None, None, None
        return tuple(self.hierarchy.get(region.ancestor_code(level)) for level in (PROVINCE, REGENCY, DISTRICT, VILLAGE))


def _reason(is_road: bool, road: Road | None, region: Region | None, fell_back: bool) -> str:
    if region is None:
        return NO_AREA
    if is_road:
        return BY_ROAD if road and not fell_back else ROAD_UNKNOWN
    return NO_OFFICE if fell_back else BY_AREA


def load_directory(hierarchy: Hierarchy, data_dir: Path | None) -> Directory:
    """The default directory with what the operator imported into ``data_dir`` (the CLI needs it without a Router)."""
    directory = Directory.default(hierarchy)
    for path in sorted((data_dir / "agencies").glob("*.csv")) if data_dir and (data_dir / "agencies").is_dir() else []:
        agencies, rules, _errors = load_directory_file(path, hierarchy)
        directory = directory.extended(agencies, rules)
    return directory


BOUNDARY_LEVELS = ("districts", "regencies", "provinces")  # finest first


def gps_boundaries(data_dir: Path | None) -> BoundaryIndex:
    """The finest boundaries the operator imported, else the shipped district boundaries."""
    for level in BOUNDARY_LEVELS if data_dir else ():
        imported = data_dir / "boundaries" / f"{level}.geojson.gz"
        if imported.exists():
            return BoundaryIndex.from_geojson(imported)
    return packaged_index("districts")
