"""Typed place -> area: "jl sudirman, kel. padang pasir, kota padang" -> the village, its road part.

The text is cut into phrases (``place_phrases``). A keyword's name may run on into the next area unmarked ("kec
cilaku cianjur"), so a labelled phrase is read by its prefixes, and its other words are looked up unlabelled too.
Every area the text may name is collected at every level: exact names first (the longest wins over a name inside
its words), then typos in the words no exact name explains (rapidfuzz: alike by ratio, or one slip of the thumb
away), also inside the areas named surely. The answer is the area best supported by the larger areas around it
that the text names in other words; close rivals are asked about, larger areas before villages of the same name,
and a typed "kota"/"kab" settles which of two same-named ones is meant. A weak fuzzy match never decides alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from routing.normalise import core_place_name, core_road_name, fold
from routing.place_phrases import WEAK, Phrase, parse
from routing.regions import DISTRICT, PROVINCE, REGENCY, VILLAGE, Hierarchy, Region

MATCH_CUTOFF = 85  # rapidfuzz ratio: "tengarong" ~ "tenggarong" scores 95
FUZZY_MIN_CHARS = 5  # shorter words match too much by accident ("baru" ~ "barru")
CLOSE = 4  # points between rivals that make a question worth asking
MAX_ALTERNATIVES = 4
MAX_WINDOW = 4  # words in an unlabelled phrase tried as a name ("Sitelu Tali Urang Jehe")
# A fuzzy match decides alone only this close ("tengarong" is Tenggarong: 95); a weaker one ("perumahan" ~
# "Pemahan", "seberang" ~ "Serang") needs a larger area the text also names around it.
SURE_ALONE = 92
OTHER_KIND = SURE_ALONE  # a regency of the other kind than typed, where none of that kind has the name
ONE_SLIP = 94  # the score of a name one edit away (optimal string alignment) from the words typed
COMMON_WORD = 30  # names a word must be part of to count as common
SLIP_RATIO = 79  # the least ratio of a name of 5 letters or more one edit away (a key: 1 - 1/5)
# Regencies renamed by government regulation, still called by their former names (the list has the new ones).
FORMER_NAMES = {
    "Kabupaten Pasangkayu": ("mamuju utara",),
    "Kabupaten Toba": ("toba samosir",),
    "Kabupaten Sijunjung": ("sawahlunto sijunjung", "sawah lunto sijunjung"),
    "Kabupaten Kepulauan Yapen": ("yapen waropen",),
    "Kabupaten Kepulauan Tanimbar": ("maluku tenggara barat",),
    "Kabupaten Kepulauan Selayar": ("selayar",),
}
MAX_ANCHORS = 3  # the areas best named, inside which a misspelt smaller one is looked for


@dataclass(frozen=True)
class Hit:
    score: float
    words: frozenset[int]  # the positions of the words the name was read from


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
                within = [(level, code) for code in region.ancestor_codes()]
                for name in _names_of(region):
                    exact[name].append(region)
                    for key in ((level, None, name[:1]), *within):  # across Indonesia, by initial
                        names, regions = self._scoped[key]
                        names.append(name)
                        regions.append(region)
            self._exact[level] = dict(exact)
        # Words in many names ("selatan", "jaya", "baru") are typed as themselves, not as a slip of another name.
        words = Counter(word for names in self._exact.values() for name in names for word in name.split())
        self._common_words = frozenset(word for word, count in words.items() if count >= COMMON_WORD)

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
        for phrase in phrases:  # "kota agung barat": no city called so, so the district of that name
            if phrase.kind and not any(r.level == REGENCY and hit.words & phrase.positions for r, hit in named.items()):
                named_as = Phrase((phrase.kind, *phrase.words), None, None, phrase.start - 1, keyword_led=True)
                for level in (DISTRICT, VILLAGE):
                    _keep_best(named, self._candidates([named_as], level, None, claimed))
        named = _without_inner_matches(named)
        anchors = sorted((r for r, hit in named.items() if r.level < VILLAGE and hit.score >= SURE_ALONE),
                         key=lambda r: (-named[r].score, -r.level))
        for anchor in anchors[:MAX_ANCHORS]:
            for level in range(anchor.level + 1, VILLAGE + 1):
                _keep_best(named, self._candidates(phrases, level, anchor.code))  # claimed words too
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
        (sets of positions); words one of them covers are looked up again only as part of a longer name."""
        hits: dict[Region, Hit] = {}
        for phrase in phrases:
            if phrase.level not in (None, level):
                continue
            spans = _prefixes(len(phrase.words)) if phrase.level or phrase.keyword_led else _windows(len(phrase.words))
            for start, end in spans:
                if phrase.keyword_led and end < 2:
                    continue  # the keyword alone is no name
                words = {phrase.start + index for index in range(start, end)}
                if all(word in WEAK for word in phrase.words[start:end]) or any(words <= name for name in claimed):
                    continue
                query = " ".join(phrase.words[start:end])
                fuzzy = not exact_only and (phrase.level == level or scope is not None or
                                            level < VILLAGE and not WEAK.intersection(phrase.words[start:end]))
                for region, score in _of_kind(self._lookup(query, level, scope, fuzzy), phrase.kind):
                    if region not in hits or score > hits[region].score:
                        hits[region] = Hit(score, frozenset(words))
        return hits

    def _lookup(self, query: str, level: int, scope: str | None, fuzzy: bool) -> list[tuple[Region, float]]:
        exact = [r for r in self._exact[level].get(query, []) if _inside(r, scope)]
        if exact or not fuzzy or len(query) < FUZZY_MIN_CHARS:
            return [(region, 100.0) for region in exact]
        # Typos rarely hit the first letter: across Indonesia (83,762 villages) only names of the same initial, a
        # few thousand, are compared ("andung" is not read as Bandung); inside a known area, all of its names.
        key = (level, scope) if scope is not None else (level, None, query[0])
        return self._fuzzy(query, key) if key in self._scoped else []

    def _fuzzy(self, query: str, key: tuple) -> list[tuple[Region, float]]:
        """Names alike by ratio, and names one slip of the thumb away (a key, a letter dropped, doubled or two
        swapped: ratio underrates these in short names, "weru"/"wetu" 75), which count as nearly sure."""
        names, regions = self._scoped[key]
        hits = []
        for name, score, index in process.extract(query, names, scorer=fuzz.ratio, score_cutoff=SLIP_RATIO, limit=16):
            if query not in self._common_words and OSA.distance(query, name, score_cutoff=1) <= 1:
                hits.append((regions[index], max(score, ONE_SLIP)))
            elif score >= MATCH_CUTOFF:
                hits.append((regions[index], score))
        return hits


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


def _names_of(region: Region) -> list[str]:
    """The names people type for an area: "Kota Padang" is typed "padang", a district or village keeps its whole
    name ("Dumai Kota"); a regency renamed is still called by its former name."""
    if region.level > REGENCY:
        return [fold(region.name)]
    return [core_place_name(region.name), *FORMER_NAMES.get(region.name, ())]


def _of_kind(found: list[tuple[Region, float]], kind: str | None) -> list[tuple[Region, float]]:
    """Those of the kind typed ("kota bogor": the city, not the regency), where there is one: "kota" is also said
    loosely of a regency's town ("kota muaro jambi" is Kabupaten Muaro Jambi: there is no such city)."""
    if not kind:
        return found
    typed = [(region, score) for region, score in found if region.kind == kind]
    return typed or [(region, min(score, OTHER_KIND)) for region, score in found]


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
