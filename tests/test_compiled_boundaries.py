"""Boundaries read from GeoJSON once are kept compiled (bot processes start without parsing them again); what is
kept is the same index, and a damaged or unwritable cache is passed by, never a failure."""

from __future__ import annotations

import gzip
import json
import os

from routing import compiled
from routing.boundaries import BoundaryIndex
from tests.test_routing import _square

SOURCE = {"type": "FeatureCollection", "features": [
    _square("13.71.01", 100.0, -1.0, 0.5),
    {**_square("13.71.02", 100.5, -1.0, 0.5), "properties": {"code": "13.71.02", "name": "Kedua", "level": "district"}},
    # a bow tie: invalid as shipped, repaired into its two triangles
    {"type": "Feature", "properties": {"code": "13.71.03", "name": "Ketiga"},
     "geometry": {"type": "Polygon", "coordinates": [[[101, -1], [101.5, -0.5], [101.5, -1], [101, -0.5], [101, -1]]]}},
]}


def _source(folder, collection=SOURCE):
    path = folder / "districts.geojson.gz"
    path.write_bytes(gzip.compress(json.dumps(collection).encode()))
    return path


def _same(first: BoundaryIndex, second: BoundaryIndex) -> None:
    assert first.areas == second.areas
    assert first.part_areas == second.part_areas
    assert (first.invalid, first.repaired) == (second.invalid, second.repaired) == (1, 1)
    assert all(one.equals_exact(other, 0) for one, other in zip(first.parts, second.parts, strict=True))


def test_boundaries_read_once_are_read_again_compiled_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    source = _source(tmp_path)
    read = BoundaryIndex.from_geojson(source)
    [kept] = list((tmp_path / "cache").glob("boundaries-*.wkb"))
    monkeypatch.setattr(BoundaryIndex, "from_features", _never)  # from now on, not read from GeoJSON
    again = BoundaryIndex.from_geojson(source)
    _same(read, again)
    assert again.locate(-0.75, 100.25).name == "13.71.01" and again.locate(-0.75, 101.1).name == "Ketiga"
    assert list((tmp_path / "cache").glob("boundaries-*.wkb")) == [kept]


def test_a_changed_source_is_read_anew_and_old_unread_ones_go(tmp_path, monkeypatch):
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    source = _source(tmp_path)
    BoundaryIndex.from_geojson(source)
    [first] = list((tmp_path / "cache").glob("boundaries-*.wkb"))
    changed = {**SOURCE, "features": SOURCE["features"][1:]}
    assert [area.code for area in BoundaryIndex.from_geojson(_source(tmp_path, changed)).areas] == ["13.71.02", "13.71.03"]
    assert len(list((tmp_path / "cache").glob("boundaries-*.wkb"))) == 2, "both sources are in use"
    month_ago = first.stat().st_mtime - compiled.KEPT_SECONDS - 60
    os.utime(first, (month_ago, month_ago))
    BoundaryIndex.from_geojson(_source(tmp_path, {**SOURCE, "features": SOURCE["features"][:2]}))
    assert not first.exists(), "unread for a month: removed"


def test_a_damaged_or_unwritable_cache_is_passed_by(tmp_path, monkeypatch):
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    source = _source(tmp_path)
    read = BoundaryIndex.from_geojson(source)
    [kept] = list((tmp_path / "cache").glob("boundaries-*.wkb"))
    for cut in (200, 2, 0):  # cut short, as by a full disk: mid-way, within the header's length, nothing
        kept.write_bytes(kept.read_bytes()[:cut])
        _same(read, BoundaryIndex.from_geojson(source))
        assert kept.stat().st_size > 200, "written again whole"
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "file" / "cache"))
    _same(read, BoundaryIndex.from_geojson(source))


def _never(*_args, **_kwargs):
    raise AssertionError("read from GeoJSON again")
