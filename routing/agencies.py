"""Agencies, the rules that say which one answers a report, and the chain that always ends with someone.

A default directory is generated from the hierarchy: for the nation an admin; for every province a
coordinating hub, its public-works office and the Ministry of Public Works' national-road office
(BPJN); for every regency/city a hub and the usual offices (public works, environment, transport,
health, education, civil registry, licensing, social affairs, drinking water). Their names are
generic: a deployment imports its real directory and rules (``lapor-bot agencies import``).

Rules map category x road status x area to an agency; the most specific rule that applies wins.
Agency codes in rules may use ``{province}`` and ``{regency}``. When the agency a rule names does
not exist, the report goes to the regency's hub, then the province's hub, then the national admin.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from routing.regions import PROVINCE, REGENCY, Hierarchy, Region
from routing.roads import CITY_ROAD, NATIONAL, PROVINCIAL, REGENCY_ROAD

NATIONAL_ADMIN = "ADMIN-NASIONAL"
ANY = "*"
ROAD_CATEGORIES = ("jalan", "jembatan")

# (code prefix, name pattern, categories) for the offices generated in every regency/city.
REGENCY_OFFICES = (
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang {name}", ("jalan", "jembatan", "drainase")),
    ("DLH", "Dinas Lingkungan Hidup {name}", ("sampah",)),
    ("DISHUB", "Dinas Perhubungan {name}", ("transportasi", "penerangan_jalan")),
    ("DINKES", "Dinas Kesehatan {name}", ("kesehatan",)),
    ("DISDIK", "Dinas Pendidikan {name}", ("pendidikan",)),
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil {name}", ("kependudukan",)),
    ("DPMPTSP", "Dinas Penanaman Modal dan PTSP {name}", ("perizinan",)),
    ("DINSOS", "Dinas Sosial {name}", ("bansos",)),
    ("PDAM", "Perumda Air Minum {name}", ("air_bersih",)),
)


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    level: str  # nasional, provinsi, kabupaten_kota
    area_code: str | None
    categories: frozenset[str] = frozenset()
    hub: bool = False


@dataclass(frozen=True)
class Rule:
    category: str
    road_status: str
    area_code: str  # a Kemendagri code prefix, or "*"
    agency: str  # an agency code, possibly with {province} / {regency}

    def applies(self, category: str, road_status: str | None, region: Region | None) -> bool:
        if self.category not in (ANY, category) or self.road_status not in (ANY, road_status or ""):
            return False
        if self.area_code == ANY:
            return True
        return region is not None and (region.code == self.area_code or region.code.startswith(self.area_code + "."))

    @property
    def specificity(self) -> tuple[int, int, int]:
        area = 0 if self.area_code == ANY else len(self.area_code.split("."))
        return area, self.road_status != ANY, self.category != ANY


DEFAULT_RULES = (
    *(Rule(category, NATIONAL, ANY, "BPJN-{province}") for category in ROAD_CATEGORIES),
    *(Rule(category, PROVINCIAL, ANY, "PU-{province}") for category in ROAD_CATEGORIES),
    *(Rule(category, status, ANY, "PUPR-{regency}") for category in ROAD_CATEGORIES for status in (REGENCY_ROAD, CITY_ROAD)),
    *(Rule(category, ANY, ANY, f"{prefix}-{{regency}}") for prefix, _name, categories in REGENCY_OFFICES for category in categories if category not in ROAD_CATEGORIES),
)


@dataclass(frozen=True)
class Assignment:
    agency: Agency
    rule: Rule | None  # None: no rule applied (or its agency is missing) and the chain fell back
    fell_back: bool


class Directory:
    def __init__(self, agencies: list[Agency], rules: list[Rule]) -> None:
        self.agencies = {agency.code: agency for agency in agencies}
        # Most specific first; among equals, the later (imported) rule first.
        self.rules = sorted(reversed(rules), key=lambda rule: rule.specificity, reverse=True)

    @classmethod
    def default(cls, hierarchy: Hierarchy) -> "Directory":
        return cls(default_agencies(hierarchy), list(DEFAULT_RULES))

    def extended(self, agencies: list[Agency], rules: list[Rule]) -> "Directory":
        """This directory with imported agencies (replacing those with the same code) and rules."""
        return Directory([*self.agencies.values(), *agencies], [*reversed(self.rules), *rules])

    def assign(self, category: str, road_status: str | None, region: Region | None) -> Assignment:
        """Who answers: the first applicable rule whose agency exists, else the fallback chain."""
        province, regency = _codes(region)
        for rule in self.rules:
            if not rule.applies(category, road_status, region):
                continue
            if "{province}" in rule.agency and province is None or "{regency}" in rule.agency and regency is None:
                continue
            agency = self.agencies.get(rule.agency.format(province=province, regency=regency))
            if agency is not None:
                return Assignment(agency, rule, fell_back=False)
        return Assignment(self.hub_for(region), None, fell_back=True)

    def hub_for(self, region: Region | None) -> Agency:
        """The regency's hub, else the province's, else the national admin: never nobody."""
        return self.hub_for_codes(*_codes(region))

    def hub_for_codes(self, province: str | None, regency: str | None) -> Agency:
        for code in (f"HUB-{regency}" if regency else None, f"HUB-{province}" if province else None):
            if code in self.agencies:
                return self.agencies[code]
        return self.agencies[NATIONAL_ADMIN]


def is_hub_code(code: str | None) -> bool:
    """Whether a code names a hub (``HUB-...``, or the national admin), as the directory's own ``Agency.hub`` says."""
    return code == NATIONAL_ADMIN or (code or "").startswith("HUB-")


def _codes(region: Region | None) -> tuple[str | None, str | None]:
    if region is None:
        return None, None
    return region.ancestor_code(PROVINCE), region.ancestor_code(REGENCY)


def default_agencies(hierarchy: Hierarchy) -> list[Agency]:
    agencies = [Agency(NATIONAL_ADMIN, "Admin Nasional SP4N-LAPOR! (Kementerian PANRB)", "nasional", None, hub=True)]
    for province in hierarchy.levels[PROVINCE]:
        code, name = province.code, province.name
        agencies += [
            Agency(f"HUB-{code}", f"Admin Koordinator SP4N-LAPOR! Provinsi {name}", "provinsi", code, hub=True),
            Agency(f"PU-{code}", f"Dinas Pekerjaan Umum Provinsi {name}", "provinsi", code, frozenset(ROAD_CATEGORIES)),
            Agency(f"BPJN-{code}", f"Balai Pelaksanaan Jalan Nasional wilayah {name} (Kementerian PU)", "nasional", code, frozenset(ROAD_CATEGORIES)),
        ]
    for regency in hierarchy.levels[REGENCY]:
        code, name = regency.code, regency.name
        agencies.append(Agency(f"HUB-{code}", f"Admin SP4N-LAPOR! {name}", "kabupaten_kota", code, hub=True))
        for prefix, pattern, categories in REGENCY_OFFICES:
            agencies.append(Agency(f"{prefix}-{code}", pattern.format(name=name), "kabupaten_kota", code, frozenset(categories)))
    return agencies


AGENCY_FIELDS = ("code", "name", "level", "area_code", "categories")
RULE_FIELDS = ("category", "road_status", "area_code", "agency")


def load_directory_file(path: Path, hierarchy: Hierarchy) -> tuple[list[Agency], list[Rule], list[tuple[int, str]]]:
    """An agencies CSV (code, name, level, area_code, categories) or a rules CSV (category,
    road_status, area_code, agency): the good rows and the reason for each bad one."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(line for line in file if not line.startswith("#"))
        columns = set(reader.fieldnames or ())
        rows = list(enumerate(reader, start=1))
    if set(AGENCY_FIELDS) <= columns:
        agencies, errors = _agencies(rows, hierarchy)
        return agencies, [], errors
    if set(RULE_FIELDS) <= columns:
        rules, errors = _rules(rows, hierarchy)
        return [], rules, errors
    raise ValueError(f"{path.name}: columns must be {', '.join(AGENCY_FIELDS)} or {', '.join(RULE_FIELDS)}")


def _agencies(rows, hierarchy: Hierarchy) -> tuple[list[Agency], list[tuple[int, str]]]:
    agencies, errors = [], []
    for number, row in rows:
        code, name, level, area = (row[key].strip() for key in ("code", "name", "level", "area_code"))
        if not code or not name:
            errors.append((number, "code and name are required"))
        elif level not in ("nasional", "provinsi", "kabupaten_kota"):
            errors.append((number, f"level {level!r} is not nasional, provinsi or kabupaten_kota"))
        elif area and hierarchy.get(area) is None:
            errors.append((number, f"area_code {area!r} is not a Kemendagri code"))
        else:
            categories = frozenset(c.strip() for c in row["categories"].split(";") if c.strip())
            agencies.append(Agency(code, name, level, area or None, categories, hub=is_hub_code(code)))
    return agencies, errors


def _rules(rows, hierarchy: Hierarchy) -> tuple[list[Rule], list[tuple[int, str]]]:
    rules, errors = [], []
    for number, row in rows:
        category, status, area, agency = (row[key].strip() or ANY for key in RULE_FIELDS)
        if status not in (ANY, NATIONAL, PROVINCIAL, REGENCY_ROAD, CITY_ROAD):
            errors.append((number, f"road_status {status!r} is not a road status or *"))
        elif area != ANY and hierarchy.get(area) is None:
            errors.append((number, f"area_code {area!r} is not a Kemendagri code"))
        elif agency == ANY:
            errors.append((number, "agency is required"))
        else:
            rules.append(Rule(category, status, area, agency))
    return rules, errors
