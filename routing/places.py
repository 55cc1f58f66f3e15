"""Typed place -> area: "jl sudirman, kel. padang pasir, kota padang" -> the village, its road part.

The text is cut into phrases at commas and at the words people use for each level (kel., desa,
kec., kab., kota, prov., jl.). Levels are matched top-down: a province or regency that was named
scopes the search below it. Exact names are dictionary hits; typos ("tengarong") go to rapidfuzz.
When the best matches at a level are close, they are returned as alternatives to ask about.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from routing.normalise import core_place_name, core_road_name, fold
from routing.regions import DISTRICT, PROVINCE, REGENCY, VILLAGE, Hierarchy, Region

MATCH_CUTOFF = 85  # rapidfuzz ratio: "tengarong" ~ "tenggarong" scores 95
FUZZY_MIN_CHARS = 5  # shorter words match too much by accident ("baru" ~ "barru")
CLOSE = 4  # points between rivals that make a question worth asking
MAX_ALTERNATIVES = 4
MAX_WINDOW = 3  # words in an unlabelled phrase tried as a name
LABELS = {
    "provinsi": PROVINCE, "kabupaten": REGENCY, "kota": REGENCY, "kecamatan": DISTRICT, "distrik": DISTRICT,
    "kelurahan": VILLAGE, "desa": VILLAGE, "jalan": 0, "gang": 0,
}
NOISE = {
    "no", "nomor", "rt", "rw", "blok", "km", "dekat", "depan", "samping", "belakang", "di", "sebelah", "arah", "dusun",
    "kampung", "administrasi", "daerah", "khusus", "istimewa", "ibukota",
}
_SEGMENTS = re.compile(r"[,;/\n]+")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    level: int | None  # None: not labelled; 0: a road
    kind: str | None = None  # "kota" or "kabupaten" when labelled so


@dataclass
class PlaceMatch:
    region: Region | None  # the deepest area matched without doubt
    alternatives: list[Region] = field(default_factory=list)  # close rivals one level deeper: ask
    road_name: str | None = None  # what the citizen called the road, if anything
    score: float = 0.0

    @property
    def ambiguous(self) -> bool:
        return len(self.alternatives) > 1


class PlaceMatcher:
    def __init__(self, hierarchy: Hierarchy) -> None:
        self.hierarchy = hierarchy
        self._exact: dict[int, dict[str, list[Region]]] = {}
        # (level, scope code or None) -> the folded names and regions of that level inside the scope
        self._scoped: dict[tuple, tuple[list[str], list[Region]]] = defaultdict(lambda: ([], []))
        for level in (PROVINCE, REGENCY, DISTRICT, VILLAGE):
            exact: dict[str, list[Region]] = defaultdict(list)
            for region in hierarchy.levels[level]:
                # "Kota Padang" is typed "padang"; a district or village keeps its whole name ("Dumai Kota").
                name = core_place_name(region.name) if level <= REGENCY else fold(region.name)
                exact[name].append(region)
                scopes = [(level, None), (level, None, name[:1])]
                scopes += [(level, region.ancestor_code(up)) for up in range(PROVINCE, level)]
                for key in scopes:
                    names, regions = self._scoped[key]
                    names.append(name)
                    regions.append(region)
            self._exact[level] = dict(exact)

    def match(self, text: str) -> PlaceMatch:
        phrases = parse(text)
        road = next((" ".join(p.words) for p in phrases if p.level == 0 and p.words), None)
        result = PlaceMatch(region=None, road_name=core_road_name(road) if road else None)
        for level in (PROVINCE, REGENCY, DISTRICT, VILLAGE):
            scope = result.region.code if result.region else None
            scored = self._candidates(phrases, level, scope)
            if not scored:
                continue
            best_score = max(scored.values())
            close = sorted((r for r, s in scored.items() if best_score - s <= CLOSE), key=lambda r: (-scored[r], r.code))
            if len(close) == 1:
                result.region, result.score, result.alternatives = close[0], best_score, []
            elif len(close) <= MAX_ALTERNATIVES:
                result.alternatives = close
                break
            # Too many equally good places (every "Sukamaju"): asking would not help; stay general.
        return result

    def _candidates(self, phrases: list[Phrase], level: int, scope: str | None) -> dict[Region, float]:
        scored: dict[Region, float] = {}
        for phrase in phrases:
            if phrase.level not in (None, level):
                continue
            queries = [" ".join(phrase.words)] if phrase.level else list(_windows(phrase.words))
            for query in queries:
                fuzzy = phrase.level == level or scope is not None or level < VILLAGE
                for region, score in self._lookup(query, level, scope, fuzzy):
                    if phrase.kind and region.kind != phrase.kind:
                        continue
                    scored[region] = max(score, scored.get(region, 0))
        return scored

    def _lookup(self, query: str, level: int, scope: str | None, fuzzy: bool) -> list[tuple[Region, float]]:
        exact = [r for r in self._exact[level].get(query, []) if _inside(r, scope)]
        if exact or not fuzzy or len(query) < FUZZY_MIN_CHARS:
            return [(region, 100.0) for region in exact]
        # Across all 83,762 villages, look first among names with the same initial (typos rarely
        # hit the first letter): a few thousand names instead of all.
        key = (level, scope, query[0]) if (level, scope, query[0]) in self._scoped else (level, scope)
        hits = self._fuzzy(query, key) or (self._fuzzy(query, (level, scope)) if len(key) == 3 else [])
        return hits

    def _fuzzy(self, query: str, key: tuple) -> list[tuple[Region, float]]:
        names, regions = self._scoped[key]
        hits = process.extract(query, names, scorer=fuzz.ratio, score_cutoff=MATCH_CUTOFF, limit=8)
        return [(regions[index], score) for _name, score, index in hits]


def _inside(region: Region, scope: str | None) -> bool:
    return scope is None or region.code.startswith(scope + ".")


def _windows(words: tuple[str, ...]):
    for size in range(min(MAX_WINDOW, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            yield " ".join(words[start : start + size])


def parse(text: str) -> list[Phrase]:
    """Phrases of a typed address, each with the level its keyword names (if any)."""
    phrases: list[Phrase] = []
    for segment in _SEGMENTS.split(text):
        level: int | None = None
        kind: str | None = None
        words: list[str] = []
        for word in fold(segment).split():
            if word in LABELS:
                if words or level is not None:
                    phrases.append(Phrase(tuple(words), level, kind))
                level, kind, words = LABELS[word], word if word in ("kota", "kabupaten") else None, []
            elif word not in NOISE and not word.isdigit():
                words.append(word)
        if words:
            phrases.append(Phrase(tuple(words), level, kind))
    return phrases
