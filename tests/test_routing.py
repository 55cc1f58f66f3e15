"""routing/: the hierarchy, typed places, GPS points (both modes), roads, agencies and the chain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import routing_data
from bot.services.jurisdiction import load_router
from routing import engine
from routing.agencies import NATIONAL_ADMIN, Agency, Directory, Rule
from routing.gps import GazetteerLocator
from routing.normalise import core_road_name
from routing.regions import DISTRICT, REGENCY, VILLAGE
from routing.roads import RoadRegistry, load_roads

SHARED_BOUNDARIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "boundaries"
OFF_PADANG = (-0.95, 100.33)  # in the sea, 2.4 km off Kota Padang's simplified coastline
# Landmarks and the district they stand in (Kemendagri names).
LANDMARKS = {
    "Monas": ((-6.1754, 106.8272), "Gambir", "Kota Administrasi Jakarta Pusat"),
    "Jam Gadang": ((-0.3051, 100.3694), "Guguak Panjang", "Kota Bukittinggi"),
    "Bandara Minangkabau": ((-0.7869, 100.2806), "Batang Anai", "Kabupaten Padang Pariaman"),
    "Tenggarong": ((-0.4231, 116.9853), "Tenggarong", "Kabupaten Kutai Kartanegara"),
    "Pantai Losari": ((-5.1434, 119.4075), "Ujung Pandang", "Kota Makassar"),
    "Bandara Ngurah Rai": ((-8.7467, 115.1668), "Kuta", "Kabupaten Badung"),
    "Gedung Sate": ((-6.9025, 107.6188), "Bandung Wetan", "Kota Bandung"),
    "Istana Maimun": ((3.5752, 98.6837), "Medan Maimun", "Kota Medan"),
    "Candi Borobudur": ((-7.6079, 110.2038), "Borobudur", "Kabupaten Magelang"),
    "Tugu Pahlawan": ((-7.2458, 112.7378), "Bubutan", "Kota Surabaya"),
}


@pytest.fixture(scope="module")
def router():
    return load_router(None)


@pytest.fixture(scope="module")
def gazetteer_router():
    return load_router(None, polygons=False)


def test_routing_imports_neither_telegram_nor_sqlalchemy():
    code = "import sys, routing.engine, routing.places, routing.gps; print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'sqlalchemy', 'bot', 'handlers')))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_the_full_hierarchy_with_kemendagri_codes(router):
    levels = router.hierarchy.levels
    assert [len(levels[level]) for level in (1, 2, 3, 4)] == [38, 514, 7285, 83762]
    assert router.hierarchy.describe(router.hierarchy.by_code["64.02"]) == "Kabupaten Kutai Kartanegara, Kalimantan Timur"


@pytest.mark.parametrize(
    ("typed", "code", "level"),
    [
        ("tengarong", "64.02.", DISTRICT),  # the misspelling people make
        ("Kec. Tengarong, Kab. Kukar", "64.02.", DISTRICT),
        ("Jl. Sudirman No. 5, Kel. Padang Pasir, Kota Padang", "13.71.", VILLAGE),
        ("padang pasir, padang barat, sumbar", "13.71.", VILLAGE),
        ("kota adm. jakarta pusat", "31.71", REGENCY),
        ("Kelurahan Dangin Puri Kangin, Denpasar", "51.71.", VILLAGE),
        ("baturaja timur, OKU", "16.01.", DISTRICT),
        ("Kota Dumai", "14.72", REGENCY),
    ],
)
def test_typed_places(router, typed, code, level):
    match = router.places.match(typed)
    assert match.region is not None and match.region.code.startswith(code) and match.region.level == level, match


def test_a_named_regency_scopes_the_search_below_it(router):
    # "Padang Pasir" is a village in Kota Padang and in Gayo Lues: naming the city decides.
    assert router.places.match("padang pasir, kota padang").region.code.startswith("13.71.")
    ambiguous = router.places.match("kel. padang pasr")
    assert ambiguous.region is None and {region.code[:5] for region in ambiguous.alternatives} == {"13.71", "11.13"}


def test_too_many_equal_places_do_not_become_a_question(router):
    match = router.places.match("Desa Sukamaju")  # hundreds of villages
    assert match.region is None and match.alternatives == []


def test_road_names_fold_the_way_people_type_them():
    assert core_road_name("jln sudirman") == core_road_name("Jalan Jenderal Sudirman") == "sudirman"
    assert core_road_name("Jl. Jend. Sudirman") == "sudirman"


@pytest.mark.parametrize("name", list(LANDMARKS))
def test_gps_with_polygons_finds_the_district(router, name):
    point, district, regency = LANDMARKS[name]
    match = router.locator.locate(*point)
    assert (match.district.name, match.regency.name, match.certain) == (district, regency, True)


def test_gps_near_the_coast_is_uncertain_and_offers_districts(router):
    match = router.locator.locate(*OFF_PADANG)
    assert not match.certain and 0 < match.distance_km < 5
    assert match.regency.name == "Kota Padang" and len(match.alternatives) == 3


def test_gps_far_out_at_sea_finds_nothing(router):
    assert router.locator.locate(-3.0, 98.0) is None


def test_gps_without_polygons_uses_the_gazetteer_and_always_asks(gazetteer_router):
    assert isinstance(gazetteer_router.locator, GazetteerLocator)
    right = 0
    for point, _district, regency in LANDMARKS.values():
        match = gazetteer_router.locator.locate(*point)
        assert not match.certain and len(match.alternatives) == 3
        right += match.regency.name == regency
    assert right >= 8, "the nearest district point is in the right regency for most landmarks"


def test_the_sample_road_registry_is_valid_and_labelled(router):
    text = engine.SAMPLE_ROADS.read_text()
    assert text.startswith("# SAMPLE DATA")
    roads, errors = load_roads(engine.SAMPLE_ROADS, router.hierarchy)
    assert errors == [] and len(roads) == 14
    assert all(road.source.startswith("Sample.") for road in roads)
    assert {road.region_code for road in roads} == {"13.71", "64.02", "51.71", "16.01", "14.72"}


def test_bad_road_rows_are_reported_with_their_reason(router, tmp_path):
    registry = tmp_path / "roads.csv"
    registry.write_text(
        "name,aliases,status,region_code,source,geometry\n"
        "Jalan Baik,,nasional,13.71,SK 1,\n"
        ",,nasional,13.71,SK 2,\n"
        "Jalan Status Salah,,tol,13.71,SK 3,\n"
        "Jalan Kota Di Kabupaten,,kota,64.02,SK 4,\n"
        "Jalan Tanpa Sumber,,provinsi,13,,\n"
        "Jalan Kode Salah,,provinsi,99.99,SK 6,\n"
        'Jalan Garis Rusak,,provinsi,13,SK 7,"POINT (1 2)"\n'
    )
    roads, errors = load_roads(registry, router.hierarchy)
    assert [road.name for road in roads] == ["Jalan Baik"]
    assert [(error.row, error.reason.split()[0]) for error in errors] == [
        (2, "name"), (3, "status"), (4, "a"), (5, "source"), (6, "region_code"), (7, "geometry"),
    ]


def test_roads_match_by_name_within_the_area_and_by_distance(router, tmp_path):
    # TEST DATA: an invented straight segment in Padang, to test the distance matching.
    registry = tmp_path / "roads.geojson"
    registry.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[100.350, -0.950], [100.360, -0.940]]},
        "properties": {"name": "Jalan Uji Garis", "aliases": ["Jalan Garis"], "status": "provinsi", "region_code": "13.71", "source": "test data"},
    }]}))
    roads, errors = load_roads(registry, router.hierarchy)
    assert errors == []
    registry_with_line = RoadRegistry(roads + router.roads.roads)
    on_line = registry_with_line.near(-0.9450, 100.3552)  # about 25 m from the segment
    assert on_line and on_line[0].name == "Jalan Uji Garis" and on_line[1] < 40
    assert registry_with_line.near(-0.9400, 100.3500) is None  # some 700 m away
    assert registry_with_line.by_name("jln by pass", "13.71")[0][0].name == "Jalan By Pass Padang"
    assert registry_with_line.by_name("jln by pass", "51.71") == [], "no By Pass Padang in Denpasar"
    assert registry_with_line.by_name("jalan padang", "13.71") == [], "a city's name is no road's name"


def test_every_level_of_the_chain(router):
    hierarchy, directory = router.hierarchy, router.directory
    padang, kukar = hierarchy.by_code["13.71"], hierarchy.by_code["64.02"]
    assert directory.assign("jalan", "nasional", padang).agency.code == "BPJN-13"
    assert directory.assign("jembatan", "provinsi", kukar).agency.code == "PU-64"
    assert directory.assign("jalan", "kabupaten", kukar).agency.code == "PUPR-64.02"
    assert directory.assign("jalan", "kota", padang).agency.code == "PUPR-13.71"
    assert directory.assign("sampah", None, kukar).agency.code == "DLH-64.02"
    unknown_road = directory.assign("jalan", None, padang)
    assert unknown_road.agency.code == "HUB-13.71" and unknown_road.fell_back
    assert directory.assign("permintaan_imbalan", None, padang).agency.code == "HUB-13.71"
    assert directory.assign("sampah", None, hierarchy.by_code["13"]).agency.code == "HUB-13"
    assert directory.assign("sampah", None, None).agency.code == NATIONAL_ADMIN


def test_imported_rules_win_and_a_missing_agency_falls_back(router):
    padang = router.hierarchy.by_code["13.71"]
    directory = router.directory.extended(
        [Agency("DKP-13.71", "Dinas Kebersihan dan Pertamanan Kota Padang", "kabupaten_kota", "13.71", frozenset({"sampah"}))],
        [Rule("sampah", "*", "13.71", "DKP-13.71"), Rule("drainase", "*", "13.71", "TIDAK-ADA")],
    )
    assert directory.assign("sampah", None, padang).agency.code == "DKP-13.71"
    assert directory.assign("sampah", None, router.hierarchy.by_code["64.02"]).agency.code == "DLH-64.02"
    assert directory.assign("drainase", None, padang).agency.code == "PUPR-13.71", "skips a rule whose agency is missing"
    bare = Directory([Agency(NATIONAL_ADMIN, "Admin Nasional", "nasional", None, hub=True)], [Rule("*", "*", "*", "PU-{province}")])
    assert bare.assign("jalan", "nasional", padang).agency.code == NATIONAL_ADMIN, "never nobody"


def test_router_explains_its_answer(router):
    by_road = router.route("jalan", True, address="Jl. By Pass, Kota Padang")
    assert (by_road.reason, by_road.road.status, by_road.agency.code, by_road.sample_road) == ("road", "nasional", "BPJN-13", True)
    asks_road = router.route("jalan", True, point=(-0.9492, 100.3543))
    assert asks_road.needs_road and asks_road.reason == engine.ROAD_UNKNOWN and asks_road.agency.code == "HUB-13.71"
    told_road = router.route("jalan", True, point=(-0.4231, 116.9853), road_text="poros samarinda tenggarong")
    assert (told_road.road_status, told_road.agency.code, told_road.confidence) == ("provinsi", "PU-64", "high")
    area = router.route("sampah", False, point=(-0.4231, 116.9853))
    assert (area.reason, area.agency.code, area.district.name) == ("area", "DLH-64.02", "Tenggarong")
    unknown = router.route("sampah", False, address="entah di mana")
    assert (unknown.reason, unknown.agency.code, unknown.confidence) == ("no_area", NATIONAL_ADMIN, "low")
    chosen = router.route("sampah", False, chosen_code=router.places.match("kel. padang pasr").alternatives[1].code)
    assert chosen.agency.code in ("DLH-13.71", "DLH-11.13")


@pytest.mark.skipif(not SHARED_BOUNDARIES.exists(), reason="../shared/data/boundaries is not beside this checkout")
def test_import_boundaries_from_the_shared_files(router, tmp_path):
    report = routing_data.import_boundaries(SHARED_BOUNDARIES / "provinces.geojson", "province", router.hierarchy, tmp_path)
    assert report.kept == 38 and report.problems == []
    assert "34 invalid as given" in report.notes[0]
    imported = engine.gps_boundaries(tmp_path)
    assert imported.locate(-0.9492, 100.3543).code == "13"
    with pytest.raises(ValueError):
        routing_data.import_boundaries(engine.SAMPLE_ROADS, "regency", router.hierarchy, tmp_path)


def _square(code: str, west: float, south: float, size: float) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Feature", "properties": {"code": code, "name": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_where_simplified_polygons_overlap_the_one_the_point_is_deepest_in_wins():
    from routing.boundaries import BoundaryIndex

    index = BoundaryIndex.from_features([_square("A", 0.0, 0.0, 1.0), _square("B", 0.9, 0.0, 1.0)])  # overlap 0.9-1.0
    assert index.locate(0.5, 0.92).code == "A"  # 0.08 inside A's edge, 0.02 inside B's
    assert index.locate(0.5, 0.98).code == "B"
    index = BoundaryIndex.from_features([_square("B", 0.9, 0.0, 1.0), _square("A", 0.0, 0.0, 1.0)])
    assert index.locate(0.5, 0.92).code == "A", "whichever comes first"


def test_a_pin_just_outside_an_inland_edge_is_taken_without_a_question(router):
    """A gap between two simplified district polygons, a few metres wide: a phone's pin there is no question."""
    from shapely.geometry import Point

    districts = router.locator.districts
    found = 0
    for part in districts.parts[:400]:
        ring = getattr(part, "exterior", None)
        if ring is None:
            continue
        centre = part.centroid
        for x, y in list(ring.coords)[::25]:
            dx, dy = x - centre.x, y - centre.y
            length = (dx * dx + dy * dy) ** 0.5 or 1.0
            outside = Point(x + dx / length * 0.0002, y + dy / length * 0.0002)  # about 20 m further out
            if districts.locate(outside.y, outside.x) is not None:
                continue
            near = districts.nearest_many(outside.y, outside.x, 2, 1.0)
            if len(near) < 2 or near[1][1] > 0.5:  # a coast, not a border between districts
                continue
            match = router.locator.locate(outside.y, outside.x)
            assert match.certain and not match.alternatives and match.distance_km <= 0.05, match
            found += 1
            if found >= 3:
                return
    pytest.fail("no gap between inland district polygons found to try")


def test_a_point_in_a_province_far_from_every_district_goes_to_the_province_with_its_districts_offered(router):
    from routing.boundaries import BoundaryIndex
    from routing.gps import PolygonLocator

    provinces = BoundaryIndex.from_features([_square("13", 100.0, -1.0, 1.0)])  # Sumatera Barat, as a square
    districts = BoundaryIndex.from_features([_square("13.71.01", 100.5, -0.5, 0.05), _square("13.06.01", 100.6, -0.4, 0.05),
                                             _square("14.71.01", 101.2, -0.3, 0.05)])  # the last one in Riau
    match = PolygonLocator(router.hierarchy, districts, provinces).locate(-0.2, 100.2)  # 30 km from the nearest
    assert match.province.code == "13" and match.district is None and not match.certain
    assert [region.code for region in match.alternatives] == ["13.71.01", "13.06.01"], "its own districts only"
    assert match.deepest.code == "13"
    assert PolygonLocator(router.hierarchy, districts, provinces).locate(-0.2, 99.5) is None, "outside: nothing"
    locator = PolygonLocator(router.hierarchy, districts, provinces)
    routed = engine.Router(router.hierarchy, router.places, locator, router.roads, router.directory).route(
        "sampah", False, point=(-0.2, 100.2))
    assert routed.agency.code == "HUB-13" and len(routed.alternatives) == 2, "the province's hub, and a question"
