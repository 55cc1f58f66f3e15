"""Typed place -> area: "jl sudirman, kel. padang pasir, kota padang" -> the village, its road part.

The text is cut into phrases at commas, at the words people use for each level (kel., desa, kec., kab.,
kota, prov., jl.) and at landmarks (depan, pasar, masjid ...). A keyword's name may run on into the next
area unmarked ("kec cilaku cianjur"), so a labelled phrase is read by its prefixes, and its other words are
looked up unlabelled too. Every area the text may name is collected at every level: exact names first (the
longest wins over a name inside its words), then typos through rapidfuzz in the words no exact name explains,
also inside the areas named exactly. The answer is the area best supported by the larger areas around it
that the text names in other words; close rivals are asked about, larger areas before villages of the same
name, and a typed "kota"/"kab" settles which of two same-named ones is meant. A weak fuzzy match never
decides alone.
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
# A fuzzy match decides alone only this close ("tengarong" is Tenggarong: 95); a weaker one ("perumahan" ~
# "Pemahan", "seberang" ~ "Serang") needs a larger area the text also names around it.
SURE_ALONE = 92
MAX_ANCHORS = 3  # the areas best named, inside which a misspelt smaller one is looked for
LABELS = {
    "provinsi": PROVINCE, "kabupaten": REGENCY, "kota": REGENCY, "kecamatan": DISTRICT, "distrik": DISTRICT,
    "kelurahan": VILLAGE, "desa": VILLAGE, "jalan": 0, "gang": 0,
}
NOISE = {
    "no", "nomor", "rt", "rw", "km", "di", "arah", "dusun", "raya",
    "kampung", "administrasi", "daerah", "khusus", "istimewa", "ibukota",
}
LANDMARKS = {
    "depan", "dekat", "samping", "belakang", "seberang", "sebelah", "simpang", "pertigaan", "perempatan", "pasar",
    "masjid", "mesjid", "musholla", "gereja", "terminal", "stasiun", "puskesmas", "rumah", "sakit", "rs", "kantor",
    "camat", "lurah", "bupati", "sekolah", "sd", "sdn", "smp", "smpn", "sma", "sman", "smk", "kampus", "jembatan",
    "perumahan", "perum", "komplek", "kompleks", "blok", "lapangan", "alun", "bundaran",
}
_SEGMENTS = re.compile(r"[,;/\n]+")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    level: int | None  # None: not labelled; 0: a road
    kind: str | None = None  # "kota" or "kabupaten" when labelled so


@dataclass(frozen=True)
class Hit:
    score: float
    words: frozenset[tuple[int, int]]  # (phrase, word) positions the name was read from


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
        """Every area the text may name, at every level; then the one best supported by the others it lies in
        ("sukamaju ... cilaku ... cianjur": the Sukamaju in Cilaku in Cianjur beats every other Sukamaju)."""
        phrases = parse(text)
        road = next((" ".join(p.words) for p in phrases if p.level == 0 and p.words), None)
        result = PlaceMatch(region=None, road_name=core_road_name(road) if road else None)
        named = self._named(phrases)
        if not named:
            return result
        support = {region: self._support(region, named) for region in named}
        best = max(support.values())
        close = _rivals(sorted((r for r, s in support.items() if best - s <= CLOSE),
                               key=lambda r: (-support[r], -r.level, r.code)), phrases)
        common = self._common(close)
        if len(close) == 1 and (named[close[0]].score >= SURE_ALONE or support[close[0]] > named[close[0]].score):
            result.region, result.score = close[0], best
        elif len(close) > 1 and common is not None and common.level >= REGENCY:
            result.region, result.score = common, best  # rivals in one regency: the agency is known, no question
        elif len(close) <= MAX_ALTERNATIVES:
            result.region, result.alternatives = common, close  # a lone fuzzy guess is asked about
        else:  # too many equally good places (every "Sukamaju"): asking would not help; stay general
            result.region = common
        return result

    def _named(self, phrases: list[Phrase]) -> dict[Region, Hit]:
        """Every area the phrases may name, at every level, with its best hit: exact names first (they claim
        their words), then typos in the words no exact name explains, then typos inside areas named exactly."""
        named: dict[Region, Hit] = {}
        for level in (PROVINCE, REGENCY, DISTRICT, VILLAGE):
            _keep_best(named, self._candidates(phrases, level, None, exact_only=True))
        named = _without_inner_matches(named)
        claimed = {hit.words for hit in named.values()}
        for level in (PROVINCE, REGENCY, DISTRICT, VILLAGE):
            _keep_best(named, self._candidates(phrases, level, None, claimed))
        named = _without_inner_matches(named)
        anchors = sorted((r for r, hit in named.items() if r.level < VILLAGE and hit.score == 100.0), key=lambda r: -r.level)
        for anchor in anchors[:MAX_ANCHORS]:
            for level in range(anchor.level + 1, VILLAGE + 1):
                _keep_best(named, self._candidates(phrases, level, anchor.code, claimed))
        return _without_inner_matches(named)

    def _support(self, region: Region, named: dict[Region, Hit]) -> float:
        """Its own score and those of the larger areas it lies in that the text also names in other words (a name
        shared by a village, its district and its regency does not vouch for itself)."""
        own = named[region]
        return own.score + sum(named[a].score for code in _ancestor_codes(region)
                               if (a := self.hierarchy.by_code[code]) in named and not named[a].words & own.words)

    def _common(self, regions: list[Region]) -> Region | None:
        """The smallest area holding them all (a regency when rivals share one), or None."""
        codes = [region.code.split(".") for region in regions]
        shared = []
        for parts in zip(*codes):
            if len(set(parts)) > 1:
                break
            shared.append(parts[0])
        common = self.hierarchy.by_code.get(".".join(shared)) if shared else None
        return common if common not in regions else None

    def _candidates(self, phrases: list[Phrase], level: int, scope: str | None,
                    claimed: set[frozenset] = frozenset(), exact_only: bool = False) -> dict[Region, Hit]:
        """Areas of ``level`` the phrases may name, each with its best hit. ``claimed``: the words of exact names
        (sets of (phrase, index)); words one of them covers are looked up again only as part of a longer name."""
        hits: dict[Region, Hit] = {}
        for number, phrase in enumerate(phrases):
            if phrase.level not in (None, level):
                continue
            spans = _prefixes(len(phrase.words)) if phrase.level else _windows(len(phrase.words))
            for start, end in spans:
                words = {(number, index) for index in range(start, end)}
                if any(words <= name for name in claimed):
                    continue
                query = " ".join(phrase.words[start:end])
                fuzzy = not exact_only and (phrase.level == level or scope is not None or level < VILLAGE)
                for region, score in self._lookup(query, level, scope, fuzzy):
                    if phrase.kind and region.kind != phrase.kind:
                        continue
                    if region not in hits or score > hits[region].score:
                        hits[region] = Hit(score, frozenset(words))
        return hits

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


def _rivals(close: list[Region], phrases: list[Phrase]) -> list[Region]:
    """Of the close candidates, those worth naming: a city rather than its province of the same name, the larger
    of two where one lies in the other, larger areas rather than villages called the same, and the kind
    ("kota"/"kab") the citizen typed."""
    if any(region.level >= REGENCY for region in close):  # "Yogyakarta" is the city, not its province
        close = [region for region in close if region.level >= REGENCY]
    close = _outermost(close)
    largest = min(region.level for region in close)  # people name cities more than villages called the same
    close = [region for region in close if region.level == largest]
    typed = {phrase.kind for phrase in phrases if phrase.kind}  # "kota banjar": the city, not the regency
    if typed and any(region.kind in typed for region in close):
        close = [region for region in close if region.level != REGENCY or region.kind in typed]
    return close


def _keep_best(named: dict[Region, Hit], found: dict[Region, Hit]) -> None:
    for region, hit in found.items():
        if region not in named or hit.score > named[region].score:
            named[region] = hit


def _without_inner_matches(named: dict[Region, Hit]) -> dict[Region, Hit]:
    """The longest name read surely wins over any match inside its words ("konawe selatan" is not "konawe",
    "padang pasr" is Padang Pasir rather than a village called Padang)."""
    sure = [hit.words for hit in named.values() if hit.score >= SURE_ALONE]
    return {region: hit for region, hit in named.items() if not any(hit.words < words for words in sure)}


def _ancestor_codes(region: Region) -> list[str]:
    parts = region.code.split(".")
    return [".".join(parts[:size]) for size in range(1, len(parts))]


def _outermost(regions: list[Region]) -> list[Region]:
    """Rivals without those inside another rival: "Cianjur" the regency and the district inside it are one."""
    codes = {region.code for region in regions}
    return [r for r in regions if not any(r.code.startswith(code + ".") for code in codes)]


def _inside(region: Region, scope: str | None) -> bool:
    return scope is None or region.code.startswith(scope + ".")


def _prefixes(size: int):
    """A labelled name may run on into the next part unmarked ("kec cilaku cianjur"): its longest prefix first."""
    for end in range(size, 0, -1):
        yield 0, end


def _windows(size: int):
    for length in range(min(MAX_WINDOW, size), 0, -1):
        for start in range(size - length + 1):
            yield start, start + length


def parse(text: str) -> list[Phrase]:
    """Phrases of a typed address, each with the level its keyword names (if any)."""
    phrases: list[Phrase] = []
    for segment in _SEGMENTS.split(text):
        level: int | None = None
        kind: str | None = None
        words: list[str] = []
        for word in fold(segment).split():
            if word in LANDMARKS:  # "depan pasar cipanas": what follows may be a place, the landmark is not
                if words or level is not None:
                    phrases.append(Phrase(tuple(words), level, kind))
                level, kind, words = None, None, []
            elif word in LABELS:
                if words or level is not None:
                    phrases.append(Phrase(tuple(words), level, kind))
                level, kind, words = LABELS[word], word if word in ("kota", "kabupaten") else None, []
            elif word not in NOISE and not word.isdigit():
                words.append(word)
        if words:
            phrases.append(Phrase(tuple(words), level, kind))
    # What follows a keyword's name without a comma is often the next, larger area ("jln sudirman no 12
    # pekanbaru", "kec cilaku cianjur"): the words after a labelled phrase's first are looked up unlabelled too.
    return phrases + [Phrase(p.words[1:], None) for p in phrases if p.level is not None and len(p.words) > 1]
