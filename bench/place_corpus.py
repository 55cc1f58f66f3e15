"""Citizen-style place texts for the typed-address bench (issue 12), each with the area it names.

Generated: texts built from the hierarchy (street, gang, RT/RW, perumahan, landmarks, desa/kelurahan,
kecamatan, kabupaten/kota, provinsi, written with and without commas and keywords, abbreviated or not), a
share of them with typos of several kinds in the place names. Hand-written: ``places_handwritten.tsv``, the
way people type on a phone, with the regency or city each one means.
Usage: python bench/place_corpus.py [count]   (prints the generated texts, tab-separated with their codes)
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.regions import DISTRICT, REGENCY, VILLAGE, Hierarchy, Region  # noqa: E402

HANDWRITTEN = Path(__file__).with_name("places_handwritten.tsv")
SEED = 20261124
STREETS = ["Sudirman", "Ahmad Yani", "Diponegoro", "Gatot Subroto", "Merdeka", "Pahlawan", "Imam Bonjol",
           "Veteran", "Hasanuddin", "Pemuda", "Cendrawasih", "Kartini", "Gajah Mada", "Teuku Umar", "Sisingamangaraja"]
LANDMARKS = ["depan pasar", "dekat masjid raya", "samping SDN 3", "simpang tiga", "belakang terminal",
             "depan kantor camat", "dekat jembatan", "seberang puskesmas"]
NEIGHBOURS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wqrtyuoiopsadgfhjklkxzvcnbm"))  # a key beside each
MISSPELLINGS = [("kabupaten", "kabupatn"), ("kecamatan", "kecamtan"), ("kelurahan", "kelurhan"), ("oe", "u"),
                ("dj", "j"), ("tj", "c"), ("y", "j"), ("u", "oe")]


@dataclass(frozen=True)
class Sample:
    text: str
    code: str  # the deepest area the text names (a village, district, or regency)
    form: str
    typo: str | None = None

    def regency_code(self) -> str:
        return ".".join(self.code.split(".")[:2])


def _regency_word(regency: Region, rng: random.Random) -> str:
    name = regency.name.removeprefix("Kabupaten ").removeprefix("Kota ")
    if regency.kind == "kota":
        return rng.choice([f"kota {name}", f"Kota {name}", name])
    return rng.choice([f"kab {name}", f"Kab. {name}", f"kabupaten {name}", name])


FORMS: dict[str, Callable[..., str]] = {
    "street, regency": lambda r, v, d, reg: f"jln {r.choice(STREETS).lower()} no {r.randrange(1, 200)} {reg}",
    "street, district, regency": lambda r, v, d, reg: f"Jl. {r.choice(STREETS)} No. {r.randrange(1, 99)}, {d.name}, {reg}",
    "desa kec regency": lambda r, v, d, reg: f"desa {v.name.lower()} kec {d.name.lower()} {reg}",
    "kel, kec, regency": lambda r, v, d, reg: f"Kel. {v.name}, Kec. {d.name}, {reg}",
    "kecamatan regency": lambda r, v, d, reg: f"kecamatan {d.name} {reg}",
    "landmark village regency": lambda r, v, d, reg: f"{r.choice(LANDMARKS)} {v.name} {reg}",
    "gang rt rw kel kec": lambda r, v, d, reg: f"gg {r.choice(STREETS).lower()} rt 0{r.randrange(1, 9)} rw 0{r.randrange(1, 9)} kel {v.name} kec {d.name} {reg}",
    "perumahan district regency": lambda r, v, d, reg: f"perumahan griya {r.choice(STREETS).lower()} blok {r.choice('ABCD')} no {r.randrange(1, 40)} {d.name} {reg}",
    "village, district, regency": lambda r, v, d, reg: f"{v.name}, {d.name}, {reg}",
    "district regency": lambda r, v, d, reg: f"{d.name.lower()} {reg.lower()}",
}
TARGET_LEVEL = {"street, regency": REGENCY, "street, district, regency": DISTRICT, "kecamatan regency": DISTRICT,
                "perumahan district regency": DISTRICT, "district regency": DISTRICT}


def typo(text: str, rng: random.Random) -> tuple[str, str | None]:
    """One slip of the thumb in a word of at least 5 letters (never the first letter): dropped, doubled, swapped,
    a neighbouring key, a space lost or added, or a common misspelling."""
    words = text.split(" ")
    long_words = [index for index, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not long_words:
        return text, None
    index = rng.choice(long_words)
    word, at = words[index], rng.randrange(1, len(words[index]) - 1)
    kind = rng.choice(["dropped", "doubled", "swapped", "neighbour", "space lost", "space added", "misspelling"])
    if kind == "dropped":
        words[index] = word[:at] + word[at + 1:]
    elif kind == "doubled":
        words[index] = word[:at] + word[at] + word[at:]
    elif kind == "swapped":
        words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    elif kind == "neighbour":
        words[index] = word[:at] + NEIGHBOURS.get(word[at].lower(), word[at]) + word[at + 1:]
    elif kind == "space added":
        words[index] = word[:at] + " " + word[at:]
    elif kind == "space lost" and index + 1 < len(words):
        words[index:index + 2] = [word + words[index + 1]]
    else:
        wrong = [(right, slip) for right, slip in MISSPELLINGS if right in word.lower()]
        if not wrong:
            return typo(text, rng)
        right, slip = rng.choice(wrong)
        words[index] = word.lower().replace(right, slip, 1)
    return " ".join(words), kind


def generated(hierarchy: Hierarchy, count: int = 2400, typo_share: float = 0.35) -> list[Sample]:
    rng = random.Random(SEED)
    villages = rng.sample(hierarchy.levels[VILLAGE], count)
    samples = []
    for number, village in enumerate(villages):
        district = hierarchy.by_code[village.parent_code]
        regency = hierarchy.by_code[district.parent_code]
        form = list(FORMS)[number % len(FORMS)]
        text = FORMS[form](rng, village, district, _regency_word(regency, rng))
        target = {REGENCY: regency, DISTRICT: district}.get(TARGET_LEVEL.get(form, VILLAGE), village)
        slip = None
        if rng.random() < typo_share:
            text, slip = typo(text, rng)
        samples.append(Sample(text, target.code, form, slip))
    return samples


def handwritten(hierarchy: Hierarchy, path: Path = HANDWRITTEN) -> list[Sample]:
    """The hand-written texts; each line names the regency or city it means, exactly as the hierarchy does."""
    regencies = {region.name: region.code for region in hierarchy.levels[REGENCY]}
    samples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, regency = line.split("\t")
        samples.append(Sample(text, regencies[regency.strip()], "hand-written"))
    return samples


if __name__ == "__main__":
    for sample in generated(Hierarchy.from_lokal(), int(sys.argv[1]) if len(sys.argv) > 1 else 2400):
        print(f"{sample.text}\t{sample.code}\t{sample.form}\t{sample.typo or ''}")
