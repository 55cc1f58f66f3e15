"""Finding the agency a report should go to by a typed name (the staff's agency picker), and labels that tell
the agencies found apart.

Offered: the bodies that serve the report's area (its regency's, its province's and the national ones
responsible there: BPJN of the province, the national admin), and another area's only when that area is typed
too ("dinas kesehatan kota sorong") or its code is; the best matches first, and on equal matches a typed area's
before the report's own. Pure: no database, no messenger.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from routing.agencies import Agency, Directory
from routing.regions import PROVINCE, REGENCY, Hierarchy, Region

# Words of an area's name that do not tell it from others; "kota" and "kabupaten" typed still choose a kind.
GENERIC_AREA_WORDS = frozenset({"kota", "kabupaten", "kab", "provinsi", "prov", "administrasi", "adm", "daerah",
                                "khusus", "ibukota", "istimewa"})
KIND_WORDS = {"kota": "kota", "kabupaten": "kabupaten", "kab": "kabupaten"}
# The long, common heads of generated names, shortened first when a label is too long (the tail names the area).
ABBREVIATIONS = (
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR"),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("Dinas Penanaman Modal dan PTSP", "DPMPTSP"),
    ("Balai Pelaksanaan Jalan Nasional", "BPJN"),
    ("Dinas Pekerjaan Umum", "Dinas PU"),
    ("Admin Koordinator SP4N-LAPOR!", "Admin Koordinator"),
    ("Admin SP4N-LAPOR!", "Admin"),
    ("Kabupaten", "Kab."),
)
ELLIPSIS = "…"


@dataclass(frozen=True)
class ReportArea:
    """The province and regency (Kemendagri codes) of the report an agency is sought for; None where unknown."""

    province: str | None = None
    regency: str | None = None

    def served_by(self, agency: Agency) -> bool:
        """National bodies serve everywhere; others their own province or regency (or a part of the regency)."""
        code = agency.area_code
        if code is None:
            return True
        return code in (self.province, self.regency) or bool(self.regency and code.startswith(self.regency + "."))


def _words(text: str) -> list[str]:
    return utils.default_process(text).split()


def named_areas(typed: str, hierarchy: Hierarchy) -> set[str]:
    """The provinces and regencies whose distinguishing words are all typed ("kota padang": Kota Padang, not
    Kota Padang Panjang); a typed "kota" or "kabupaten" keeps to that kind."""
    typed_words = set(_words(typed))
    kinds = {KIND_WORDS[word] for word in typed_words if word in KIND_WORDS}
    named = set()
    for region in (*hierarchy.levels[PROVINCE], *hierarchy.levels[REGENCY]):
        words = set(_words(region.name)) - GENERIC_AREA_WORDS
        if words and words <= typed_words and (region.level != REGENCY or not kinds or region.kind in kinds):
            named.add(region.code)
    return named


def _in_named(agency: Agency, named: set[str], typed_codes: set[str]) -> bool:
    if agency.code.upper() in typed_codes:
        return True
    code = agency.area_code
    return code is not None and any(code == area or code.startswith(area + ".") for area in named)


def search(directory: Directory, hierarchy: Hierarchy, typed: str, area: ReportArea, *, hubs_too: bool,
           limit: int) -> list[str]:
    """The codes of the agencies that best match ``typed`` among those serving the report's area and those of an
    area (or a code) typed; on equal matches, a typed area's first, then the report's area's."""
    if not typed.strip():
        return []
    named = named_areas(typed, hierarchy)
    typed_codes = {word.upper() for word in typed.split()}
    ranked = []
    for code, agency in directory.agencies.items():
        if agency.hub and not hubs_too:
            continue
        typed_here, local = _in_named(agency, named, typed_codes), area.served_by(agency)
        if not (typed_here or local):
            continue
        # Name and code, compared word by word: "PUPR Kota Padang", "dlh padang" and "PUPR-13.71" all find theirs.
        score = fuzz.token_set_ratio(typed, f"{agency.name} {code}", processor=utils.default_process)
        ranked.append((-score, not typed_here, not local, code))
    return [code for *_key, code in sorted(ranked)[:limit]]


def labels(agencies: list[Agency], hierarchy: Hierarchy, limit: int) -> list[str]:
    """One label per agency, at most ``limit`` characters, that names its area and differs from the others:
    a long common head is shortened, never the tail that tells two apart."""
    shown = [_label(agency, hierarchy.get(agency.area_code), limit) for agency in agencies]
    repeated = {label for label in shown if shown.count(label) > 1}
    return [f"{label} ({agency.code})" if label in repeated else label for label, agency in zip(shown, agencies)]


def _abbreviated(text: str) -> str:
    for long, short in ABBREVIATIONS:
        text = text.replace(long, short)
    return text


def _label(agency: Agency, region: Region | None, limit: int) -> str:
    text = agency.name
    if region is not None and region.name.lower() not in text.lower():
        text = f"{text} · {region.name}"
    for long, short in ABBREVIATIONS:
        if len(text) <= limit:
            break
        text = text.replace(long, short)
    if len(text) <= limit:
        return text
    tail = text[-(limit // 2):]
    for area_name in (_abbreviated(region.name), region.name) if region is not None else ():
        if area_name.lower() in text.lower():
            tail = text[text.lower().rfind(area_name.lower()):][-(limit // 2):]
            break
    head = text[: limit - len(tail) - len(ELLIPSIS) - 1].rstrip()
    return f"{head}{ELLIPSIS} {tail}"
