"""A second corpus of typed places (issue 28), built apart from the first and never tuned on: the parser is tuned
on ``place_corpus`` and reported on this one as well.

Its names come from another source than the one the parser indexes: the postal-code register of the ``areaid``
package (github.com/harigro/areaid, MIT), whose spellings, old names ("Toba Samosir", "Mamuju Utara"), names in
brackets ("Surakarta (Solo)", "Sidenreng Rappang (Sidrap)") and spacing ("Banjar Baru Utara") differ from
Kemendagri's. Each of its areas is tied to its Kemendagri code by name inside the parent already tied (the same
name, the same without spaces, a bracketed alternative, or a clear fuzzy match), so that the right answer is
known; areas that cannot be tied are left out, and counted.

Typos are one edit as a thumb makes it on a phone keyboard: a neighbouring key, a dropped or doubled letter, a
swapped pair, a vowel changed (e/i, o/u, a/e). The forms are those citizens write, with and without keywords and
commas, and the classes the first corpus missed: a district name that is the only clue, "kecamatan <name>
<regency>" with no comma, names holding "kota" or "kabupaten" as a word of their own.
Usage: python bench/place_corpus_unseen.py [count]   (prints the texts, tab-separated with their codes)
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from areaid import buka_data, buka_nama  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from bench.place_corpus import Sample  # noqa: E402
from routing.normalise import core_place_name, fold  # noqa: E402
from routing.regions import DISTRICT, REGENCY, VILLAGE, Hierarchy, Region  # noqa: E402

SEED = 20261206  # not the first corpus's
HANDWRITTEN = Path(__file__).with_name("places_handwritten_unseen.tsv")
TIE_CUTOFF, TIE_MARGIN = 85, 10  # a fuzzy tie: this close, and this far ahead of the next name in the parent
# Regencies renamed since the register was written (old name -> Kemendagri's, without "Kabupaten"/"Kota").
RENAMED = {"toba samosir": "toba", "mamuju utara": "pasangkayu", "sawah lunto sijunjung": "sijunjung"}
ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
VOWEL_SLIPS = {"e": "i", "i": "e", "o": "u", "u": "o", "a": "e"}
STREETS = ["Sisingamangaraja", "Antasari", "Juanda", "Kapten Tendean", "Panglima Polim", "Cut Nyak Dien", "Sam Ratulangi",
           "Yos Sudarso", "Urip Sumoharjo", "Dewi Sartika", "Hayam Wuruk", "Wolter Monginsidi", "RA Kartini", "Basuki Rahmat"]
# Before an area's name: what stands there (not "balai desa X" or "gang X", which name a village and an alley X).
LANDMARKS = ["depan pasar", "dekat masjid", "depan SD inpres", "dekat pos ronda", "samping kantor camat",
             "seberang indomaret", "dekat lapangan bola", "belakang puskesmas", "depan gereja", "di ujung kampung"]


@dataclass(frozen=True)
class Place:
    """A village of the register: its names as the register writes them, its Kemendagri codes."""

    village: str
    district: str
    regency: str  # "Kabupaten Sidenreng Rappang (Sidrap)"
    code: str  # the village's Kemendagri code
    district_code: str
    regency_code: str


def neighbours() -> dict[str, str]:
    """Each letter's neighbouring keys on a QWERTY phone keyboard (rows offset as they are on the screen)."""
    offsets = (0.0, 0.25, 0.75)
    spots = {key: (row, column + offsets[row]) for row, keys in enumerate(ROWS) for column, key in enumerate(keys)}
    return {key: "".join(other for other, (r, c) in spots.items() if other != key and abs(r - row) <= 1
                         and abs(c - column) <= (1.0 if r == row else 0.8))
            for key, (row, column) in spots.items()}


NEIGHBOURS = neighbours()
TYPOS = ("neighbour key", "dropped", "doubled", "swapped", "vowel")


def thumb_slip(word: str, rng: random.Random, kind: str | None = None) -> tuple[str, str]:
    """One edit of a word of 5 letters or more, never its first letter; the edited word and the kind of slip."""
    kind = kind or rng.choice(TYPOS)
    at = rng.randrange(1, len(word) - 1)
    if kind == "vowel":
        vowels = [index for index in range(1, len(word)) if word[index].lower() in VOWEL_SLIPS]
        if not vowels:
            return thumb_slip(word, rng, "neighbour key")
        at = rng.choice(vowels)
        return word[:at] + VOWEL_SLIPS[word[at].lower()] + word[at + 1:], kind
    if kind == "neighbour key" and word[at].lower() in NEIGHBOURS:
        return word[:at] + rng.choice(NEIGHBOURS[word[at].lower()]) + word[at + 1:], kind
    if kind == "dropped":
        return word[:at] + word[at + 1:], kind
    if kind == "swapped" and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:], kind
    return word[:at] + word[at] + word[at:], "doubled"


def slip_in(name: str, rng: random.Random) -> tuple[str, str | None]:
    """A typo in the longest word of a name (5 letters or more), or none where no word is long enough."""
    words = name.split()
    longest = max(range(len(words)), key=lambda index: len(words[index]))
    if len(words[longest]) < 5 or not words[longest].isalpha():
        return name, None
    words[longest], kind = thumb_slip(words[longest], rng)
    return " ".join(words), kind


def plain(name: str, rng: random.Random) -> str:
    """A register name as typed: one of its bracketed alternatives at random ("Surakarta (Solo)" -> "Solo")."""
    main, *others = [part.strip() for part in re.split(r"[()]", name) if part.strip()]
    return rng.choice([main, main, *others]) if others else main


def regency_words(regency: str, rng: random.Random, keyword: bool | None = None) -> str:
    name = plain(regency.replace("Adm. ", ""), rng)
    is_city = name.startswith("Kota ")
    bare = name.removeprefix("Kabupaten ").removeprefix("Kota ")
    if keyword is False:
        return bare
    options = ["kota " + bare, "Kota " + bare] if is_city else ["kab " + bare, "Kab. " + bare, "kabupaten " + bare]
    return rng.choice(options if keyword else options + [bare])


def _tie(name: str, candidates: list[Region], known: Callable[[str], str] = fold) -> Region | None:
    """The Kemendagri area among ``candidates`` that a register name means, or None where that is not clear.
    ``known`` folds a Kemendagri name the way the register's is compared."""
    names = [known(candidate.name) for candidate in candidates]
    squeezed = [name.replace(" ", "") for name in names]
    variants = [fold(part) for part in re.split(r"[()/]", name) if part.strip()]
    for variant in (RENAMED.get(variant, variant) for variant in variants):
        if variant in names or variant.replace(" ", "") in squeezed:
            return candidates[squeezed.index(variant.replace(" ", ""))]
    best = process.extract(variants[0], names, scorer=fuzz.ratio, limit=2) if variants else []
    if best and best[0][1] >= TIE_CUTOFF and (len(best) < 2 or best[0][1] - best[1][1] >= TIE_MARGIN):
        return candidates[best[0][2]]
    return None


def places(hierarchy: Hierarchy, tally: Counter | None = None) -> list[Place]:
    """Every village of the register tied to its Kemendagri code (``tally`` counts what was tied and not)."""
    tally = tally if tally is not None else Counter()
    children: dict[str, list[Region]] = defaultdict(list)
    for region in hierarchy.by_code.values():
        if region.level > REGENCY:
            children[region.parent_code].append(region)
    regencies: dict[str, list[Region]] = defaultdict(list)
    for region in hierarchy.levels[REGENCY]:
        regencies[region.kind].append(region)
    found = []
    for province in buka_nama()["himpunan"]:
        for regency in (regency for data in buka_data(province.lower()) for regency in data["kabupaten"]):
            kind = "kota" if regency["kab_kota"].startswith("Kota") else "kabupaten"
            bare = regency["kab_kota"].replace("Adm. ", "").removeprefix("Kabupaten ").removeprefix("Kota ")
            tied = _tie(bare, regencies[kind], core_place_name)
            tally["regency tied" if tied else "regency left out"] += 1
            if tied:
                found += _villages(regency, tied, children, tally)
    return found


def _villages(regency: dict, tied: Region, children: dict[str, list[Region]], tally: Counter) -> Iterator[Place]:
    for district in regency["kecamatan"]:
        kecamatan = _tie(district["kec"], children[tied.code])
        tally["district tied" if kecamatan else "district left out"] += 1
        for village in district["kelurahan"] if kecamatan else []:
            desa = _tie(village["kelu"], children[kecamatan.code])
            tally["village tied" if desa else "village left out"] += 1
            if desa:
                yield Place(village["kelu"], district["kec"], regency["kab_kota"], desa.code, kecamatan.code, tied.code)


@dataclass(frozen=True)
class Names:
    """A place's names as one citizen writes them this time (one of them perhaps with a typo)."""

    village: str
    district: str
    regency: str  # with its keyword or without, as chosen for the form
    bare_regency: str  # without a keyword


def _street(rng: random.Random) -> str:
    return rng.choice(STREETS)


# form -> (text from the names, level of the deepest area it names)
FORMS: dict[str, tuple[Callable[[random.Random, Names], str], int]] = {
    "district alone": (lambda r, n: r.choice([n.district, f"kec {n.district}", f"kecamatan {n.district}"]), DISTRICT),
    "landmark district": (lambda r, n: f"{r.choice(LANDMARKS)} {n.district}", DISTRICT),
    "kecamatan district regency, no comma": (lambda r, n: f"kecamatan {n.district} {n.bare_regency}", DISTRICT),
    "kec district, regency": (lambda r, n: f"kec {n.district}, {n.regency}", DISTRICT),
    "district regency": (lambda r, n: f"{n.district} {n.regency}".lower(), DISTRICT),
    "village, district, regency": (lambda r, n: f"{n.village}, {n.district}, {n.regency}", VILLAGE),
    "desa kec kab, no commas": (lambda r, n: f"desa {n.village} kec {n.district} {n.regency}".lower(), VILLAGE),
    "street rt rw village district": (lambda r, n: f"jl {_street(r)} rt {r.randrange(1, 12):02d} rw {r.randrange(1, 9):02d} "
                                                   f"{n.village} {n.district}", VILLAGE),
    "landmark village regency": (lambda r, n: f"{r.choice(LANDMARKS)} {n.village} {n.regency}", VILLAGE),
    "english": (lambda r, n: r.choice([
        f"pothole near the market in {n.village}, {n.district} district, {n.bare_regency}",
        f"{_street(r)} street, {n.village}, {n.district} sub-district, {n.regency}",
        f"broken street light in front of the mosque, {n.village} village, {n.bare_regency}"]), VILLAGE),
}
ONLY_CLUE = ("district alone", "landmark district")  # the district's name is the text's one clue
TYPO_SHARE = 0.5


def generated(hierarchy: Hierarchy, count: int = 1500, forms: tuple[str, ...] = tuple(FORMS),
              typo_share: float = TYPO_SHARE, kota_share: float = 0.05, seed: int = SEED) -> list[Sample]:
    """``count`` texts, the ``forms`` in turn; ``typo_share`` of them with one slip, in the district's name where
    the form names one (the class the first corpus hid), else in another name of the text; ``kota_share`` of
    places whose own name holds "kota" or "kabupaten"."""
    rng = random.Random(seed)
    everything = _places_of(hierarchy)
    # The only clue must mean one place to any reader: a name no other district, nor a regency or city, has.
    names = Counter(fold(region.name) for region in hierarchy.levels[DISTRICT])
    names.update(core_place_name(region.name) for region in hierarchy.levels[REGENCY])
    villages = Counter(fold(region.name) for region in hierarchy.levels[VILLAGE])
    unique = [place for place in everything if _names_one(place, hierarchy, names, villages)]
    with_kota = [place for place in everything if _holds_kota(place)]
    samples = []
    for number in range(count):
        form = forms[number % len(forms)]
        place = rng.choice(unique if form in ONLY_CLUE else with_kota if rng.random() < kota_share else everything)
        names, slip = _names(place, form, rng, typo_share)
        text, level = FORMS[form][0](rng, names), FORMS[form][1]
        code = {VILLAGE: place.code, DISTRICT: place.district_code}[level]
        label = form + (" (name holds 'kota')" if _holds_kota(place) else "")
        samples.append(Sample(text, code, label, slip))
    return samples


_TIED: dict[int, list[Place]] = {}


def _places_of(hierarchy: Hierarchy) -> list[Place]:
    """The register's villages tied to the hierarchy, once per hierarchy (tying takes seconds)."""
    if id(hierarchy) not in _TIED:
        _TIED[id(hierarchy)] = places(hierarchy)
    return _TIED[id(hierarchy)]


def _names(place: Place, form: str, rng: random.Random, typo_share: float) -> tuple[Names, str | None]:
    village, district = plain(place.village, rng), plain(place.district, rng)
    regency, bare = regency_words(place.regency, rng), regency_words(place.regency, rng, keyword=False)
    slip = None
    if rng.random() < typo_share:
        target = "district" if "district" in form or rng.random() < 0.5 else "village"
        if target == "district":
            district, slip = slip_in(district, rng)
        else:
            village, slip = slip_in(village, rng)
    return Names(village, district, regency, bare), slip


def _names_one(place: Place, hierarchy: Hierarchy, names: Counter, villages: Counter) -> bool:
    """Whether the district's name, in the register's spelling too, means this district alone ("Jaya Loka", the
    register's Jayaloka, is another district's exact name: no reader could tell)."""
    known, written = fold(hierarchy.by_code[place.district_code].name), fold(place.district)
    return names[known] == 1 and (written == known or names[written] + villages[written] == 0)


def _holds_kota(place: Place) -> bool:
    return any(word in ("kota", "kabupaten") for name in (place.village, place.district) for word in fold(name).split())


def classes(hierarchy: Hierarchy) -> dict[str, list[Sample]]:
    """Texts of each class our own corpus hid (issue 28), from this generator: what tests and the bench measure."""
    exact = {fold(region.name) for level in (REGENCY, DISTRICT) for region in hierarchy.levels[level]}
    part_named = [sample for sample in generated(hierarchy, 3000, ("district alone", "kec district, regency"),
                                                 typo_share=1.0, seed=SEED + 1)
                  if any(word in exact for word in fold(hierarchy.by_code[sample.code].name).split()[1:])]
    return {
        "a unique district, one typo, the only clue": generated(hierarchy, 400, ONLY_CLUE, typo_share=1.0),
        "a whole name with a typo, an exact name inside it": part_named,
        "'kota' or 'kabupaten' inside an area's own name": [
            sample for sample in generated(hierarchy, 400, kota_share=1.0) if "holds 'kota'" in sample.form],
        "kecamatan <name> <regency>, no comma": generated(hierarchy, 300, ("kecamatan district regency, no comma",),
                                                          typo_share=0.5),
    }


if __name__ == "__main__":
    for sample in generated(Hierarchy.from_lokal(), int(sys.argv[1]) if len(sys.argv) > 1 else 1500):
        print(f"{sample.text}\t{sample.code}\t{sample.form}\t{sample.typo or ''}")
