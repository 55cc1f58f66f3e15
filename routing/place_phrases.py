"""The phrases of a typed address: cut at commas, at the words people use for each level (kel., desa, kec., kab.,
kota, prov., jl.) and at landmarks (depan, pasar, masjid ...), each phrase with the level its keyword names.

A keyword is one only where a name follows it ("kecamatan kota besi": "kota" is the district's); a road's name
ends at its number or "rt"; landmark and common words stay in the phrase (they may be part of a name, "Pasar
Kliwon"), but are never read as a name alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from routing.normalise import fold
from routing.regions import DISTRICT, PROVINCE, REGENCY, VILLAGE

LABELS = {
    "provinsi": PROVINCE, "kabupaten": REGENCY, "kota": REGENCY, "kecamatan": DISTRICT, "distrik": DISTRICT,
    "kelurahan": VILLAGE, "desa": VILLAGE, "jalan": 0, "gang": 0,
}
ROAD_ENDS = {"no", "nomor", "rt", "rw", "km"}  # after a road's name: what follows is no longer the road
NOISE = {"no", "nomor", "rt", "rw", "km", "di", "arah", "yg", "yang", "dkt", "dpn", "near", "in", "at", "the", "of"}
# Words that are part of some names ("Nagan Raya", "Pasar Kliwon", "Balai", "Dumai Kota") but mostly not: kept in
# the phrase, so that a whole name holding them is found, but never read as a name alone.
COMMON = {"dusun", "raya", "kampung", "administrasi", "daerah", "khusus", "istimewa", "ibukota", "kota", "kabupaten"}
LANDMARKS = {
    "depan", "dekat", "samping", "belakang", "seberang", "sebelah", "simpang", "pertigaan", "perempatan", "pasar",
    "masjid", "mesjid", "musholla", "gereja", "terminal", "stasiun", "puskesmas", "rumah", "sakit", "rs", "kantor",
    "camat", "lurah", "bupati", "sekolah", "sd", "sdn", "smp", "smpn", "sma", "sman", "smk", "kampus", "jembatan",
    "perumahan", "perum", "komplek", "kompleks", "blok", "lapangan", "alun", "bundaran", "balai", "bola", "pos",
    "ronda", "inpres", "indomaret", "alfamart", "ujung", "pinggir", "toko", "warung", "spbu", "makam", "front",
    "mosque", "market", "street", "village", "district", "regency", "city", "sub",
}
WEAK = COMMON | LANDMARKS
_SEGMENTS = re.compile(r"[,;/\n]+")

@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    level: int | None  # None: not labelled; 0: a road
    kind: str | None = None  # "kota" or "kabupaten" when labelled so
    start: int = 0  # the position of its first word in the text (of the words phrases keep, and keywords)

    keyword_led: bool = False  # its first word is "kota" or "kabupaten", read as part of a name
    ended: bool = False  # a road's name that a number or "rt" ended: nothing of it runs on into an area

    @property
    def positions(self) -> frozenset[int]:
        return frozenset(range(self.start, self.start + len(self.words)))


def _stands_as_keyword(tokens: list[str], position: int, after_keyword: bool) -> bool:
    """A level's word is its keyword where a name follows it, and not right after another keyword: in "kecamatan
    kota besi" and "kec dumai kota" the word "kota" is part of the district's name, as "desa" is in "sanga desa,
    kab musi banyuasin". Before "kota", which begins many names ("kel kota padang"), it stays a keyword."""
    follows = tokens[position + 1:position + 2]
    if after_keyword or not follows or follows[0].isdigit():
        return False
    return follows[0] not in LABELS or follows[0] == "kota"


def parse(text: str) -> list[Phrase]:
    """Phrases of a typed address, each with the level its keyword names (if any)."""
    phrases: list[Phrase] = []
    placed = 0  # words in the phrases so far: each word's position in the text

    def close(words: list[str], level: int | None, kind: str | None, ended: bool = False) -> None:
        nonlocal placed
        if words or level is not None:
            phrases.append(Phrase(tuple(words), level, kind, placed, ended=ended))
            placed += len(words)

    for segment in _SEGMENTS.split(text):
        level: int | None = None
        kind: str | None = None
        words: list[str] = []
        tokens = fold(segment).split()
        for position, word in enumerate(tokens):
            if word in LABELS and not _stands_as_keyword(tokens, position, level is not None and not words):
                words.append(word)  # part of a name: "kecamatan kota besi", "dumai kota"
            elif word in LANDMARKS:  # "depan pasar cipanas": what follows may be a place, the landmark mostly not
                close(words, level, kind)
                level, kind, words = None, None, [word]  # kept: it may begin a name ("Pasar Kliwon")
            elif word in LABELS:
                close(words, level, kind)
                placed += 1  # the keyword's own position: "kota agung barat" may be a name after all
                level, kind, words = LABELS[word], word if word in ("kota", "kabupaten") else None, []
            elif level == 0 and (word in ROAD_ENDS or word.isdigit()):  # "jl sudirman no 12 pekanbaru"
                close(words, level, kind, ended=True)
                level, kind, words = None, None, []
            elif word not in NOISE and not word.isdigit():
                words.append(word)
        if words:
            close(words, level, kind)
    # What follows a keyword's name without a comma is often the next, larger area ("jln sudirman no 12
    # pekanbaru", "kec cilaku cianjur"): the words after a labelled phrase's first are looked up unlabelled too,
    # at the same positions (a name read from them lies inside a longer one read from the phrase).
    return phrases + [Phrase(p.words[1:], None, None, p.start + 1) for p in phrases
                      if p.level is not None and len(p.words) > 1 and not p.ended]
