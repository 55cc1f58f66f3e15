"""Routing speed, accuracy and memory. Prints:

- GPS -> area + agency: lookups per second and p50/p99, with polygons and with the gazetteer;
- typed place -> area over the full village list: p50/p99, and how often the right village is found;
- the accuracy of both GPS modes: on landmarks with a known district, and how often the gazetteer
  agrees with the polygons on random points inside districts;
- the process's RSS with all routing data loaded;
- where simplified district polygons overlap, how often the rule (the district the point lies deepest in)
  and the first polygon found agree with the regency polygons.

Usage: python bench/routing.py [samples]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shapely.geometry import Point  # noqa: E402

from routing.boundaries import packaged_index  # noqa: E402
from routing.engine import Router  # noqa: E402
from tests.test_routing import LANDMARKS  # noqa: E402

SEED = 20261123


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50, p99 = statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return f"p50 {p50 * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def random_points_in_districts(router: Router, count: int, rng: random.Random) -> list[tuple[tuple[float, float], str]]:
    """(point, district code) pairs, each point inside its district's polygon."""
    index = router.locator.districts
    parts = list(zip(index.parts, index.part_areas))
    chosen = []
    while len(chosen) < count:
        polygon, area = rng.choice(parts)
        west, south, east, north = polygon.bounds
        point = Point(rng.uniform(west, east), rng.uniform(south, north))
        if polygon.contains(point):
            chosen.append(((point.y, point.x), index.areas[area].code))
    return chosen


def bench_gps(name: str, router: Router, points: list[tuple[float, float]]) -> None:
    timings = []
    started = time.perf_counter()
    for latitude, longitude in points:
        begin = time.perf_counter()
        router.route("sampah", False, point=(latitude, longitude))
        timings.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    print(f"GPS -> area + agency, {name:9}: {len(points) / elapsed:8.0f} lookups/s, {percentiles(timings)}")


def bench_places(router: Router, count: int, rng: random.Random) -> None:
    hierarchy = router.hierarchy
    villages = rng.sample(hierarchy.levels[4], count)
    forms = {
        "desa, kec, kab/kota": lambda v, d, r: f"Desa {v.name}, Kec. {d.name}, {r.name}",
        "village with a typo, regency": lambda v, d, r: f"{typo(v.name, rng)}, {r.name}",
        "village alone": lambda v, d, r: f"Kel. {v.name}",
    }
    for label, form in forms.items():
        timings, right, asked = [], 0, 0
        for village in villages:
            district = hierarchy.by_code[village.parent_code]
            regency = hierarchy.by_code[district.parent_code]
            typed = form(village, district, regency)
            begin = time.perf_counter()
            match = router.places.match(typed)
            timings.append(time.perf_counter() - begin)
            right += match.region is not None and match.region.code == village.code
            asked += village in match.alternatives
        print(
            f"typed place, {label:29}: {percentiles(timings)}; right village {right / count:6.1%}, "
            f"offered among alternatives {asked / count:6.1%} ({count} villages)"
        )


def typo(name: str, rng: random.Random) -> str:
    """One letter dropped or doubled after the first, as thumbs on a phone do."""
    if len(name) < 6:
        return name
    at = rng.randrange(2, len(name) - 1)
    return name[:at] + name[at + 1 :] if rng.random() < 0.5 else name[:at] + name[at] + name[at:]


def accuracy(name: str, router: Router, samples: list[tuple[tuple[float, float], str]]) -> None:
    landmark_districts = landmark_regencies = 0
    for point, district, regency in LANDMARKS.values():
        match = router.locator.locate(*point)
        landmark_districts += bool(match and match.district and match.district.name == district)
        landmark_regencies += bool(match and match.regency and match.regency.name == regency)
    agree_district = agree_regency = 0
    for point, district_code in samples:
        match = router.locator.locate(*point)
        agree_district += bool(match and match.district and match.district.code == district_code)
        agree_regency += bool(match and match.regency and match.regency.code == district_code.rsplit(".", 1)[0])
    total = len(LANDMARKS)
    print(
        f"accuracy, {name:9}: landmarks {landmark_districts}/{total} districts, {landmark_regencies}/{total} regencies; "
        f"random points inside districts: {agree_district / len(samples):.1%} district, {agree_regency / len(samples):.1%} regency"
    )


def overlap_rule(rng: random.Random, count: int = 600) -> None:
    """Where two simplified district polygons of different regencies overlap, which district does each rule
    pick? The regency polygons, simplified on their own, are the referee (only where exactly one holds the
    point): how often each rule's district lies in that regency."""
    districts, regencies = packaged_index("districts"), packaged_index("regencies")
    parts = list(districts.parts)
    tried = first_agrees = deepest_agrees = 0
    while tried < count:
        ring = rng.choice(parts).exterior.coords
        x, y = ring[rng.randrange(len(ring))]
        point = Point(x + rng.uniform(-0.002, 0.002), y + rng.uniform(-0.002, 0.002))  # near an edge
        hits = [int(hit) for hit in districts._tree.query(point, predicate="intersects")]
        owners = {districts.areas[districts.part_areas[hit]].code.rsplit(".", 1)[0] for hit in hits}
        referee = {regencies.areas[regencies.part_areas[int(hit)]].code
                   for hit in regencies._tree.query(point, predicate="intersects")}
        if len(owners) < 2 or len(referee) != 1 or not referee <= owners:
            continue
        tried += 1
        regency = referee.pop()
        first = districts.areas[districts.part_areas[hits[0]]].code
        first_agrees += first.startswith(regency + ".")
        deepest_agrees += districts.locate(point.y, point.x).code.startswith(regency + ".")
    print(f"overlaps of districts of two regencies ({count} points): the regency polygons agree with the district "
          f"found first {first_agrees / count:.1%}, with the one the point lies deepest in (the rule) {deepest_agrees / count:.1%}")


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(SEED)
    before = rss_mb()
    started = time.perf_counter()
    polygons = Router.load()
    print(f"loaded polygon router in {time.perf_counter() - started:.1f} s")
    gazetteer = Router.load(polygons=False)
    print(f"RSS with all routing data loaded (both modes): {rss_mb():.0f} MB (interpreter and libraries before: {before:.0f} MB)")
    inside = random_points_in_districts(polygons, samples, rng)
    points = [point for point, _code in inside]
    bench_gps("polygons", polygons, points)
    bench_gps("gazetteer", gazetteer, points)
    accuracy("polygons", polygons, inside)
    accuracy("gazetteer", gazetteer, inside)
    bench_places(polygons, min(samples, 2000), rng)
    overlap_rule(rng)


if __name__ == "__main__":
    main()
