"""Indonesian place and road names, folded so that the way people type them compares equal."""

from __future__ import annotations

import re
import unicodedata

# Abbreviations and common variants, to their full form.
ABBREVIATIONS = {
    "kab": "kabupaten", "kabupatan": "kabupaten", "kota": "kota", "kot": "kota", "kodya": "kota", "kotamadya": "kota",
    "kec": "kecamatan", "kcm": "kecamatan", "kel": "kelurahan", "kelurahaan": "kelurahan", "ds": "desa", "dsa": "desa",
    "prov": "provinsi", "propinsi": "provinsi", "provensi": "provinsi",
    "jl": "jalan", "jln": "jalan", "jaln": "jalan", "jlan": "jalan", "jalam": "jalan",
    "gg": "gang", "kp": "kampung", "kmp": "kampung", "dsn": "dusun",
    "sumbar": "sumatera barat", "sumut": "sumatera utara", "sumsel": "sumatera selatan", "kaltim": "kalimantan timur",
    "kalbar": "kalimantan barat", "kalsel": "kalimantan selatan", "kalteng": "kalimantan tengah", "kaltara": "kalimantan utara",
    "jaksel": "jakarta selatan", "jaktim": "jakarta timur", "jakbar": "jakarta barat", "jakut": "jakarta utara",
    "jakpus": "jakarta pusat", "tangsel": "tangerang selatan", "kukar": "kutai kartanegara", "sby": "surabaya",
    "jogya": "yogyakarta", "yogya": "yogyakarta",
    "jabar": "jawa barat", "jateng": "jawa tengah", "jatim": "jawa timur", "sulsel": "sulawesi selatan", "sulut": "sulawesi utara",
    "sulteng": "sulawesi tengah", "sultra": "sulawesi tenggara", "sulbar": "sulawesi barat", "ntb": "nusa tenggara barat",
    "ntt": "nusa tenggara timur", "diy": "daerah istimewa yogyakarta", "jogja": "yogyakarta", "jogjakarta": "yogyakarta",
    "dki": "dki", "kukar": "kutai kartanegara", "oku": "ogan komering ulu",
}
ADMINISTRATIVE_WORDS = {
    "kabupaten", "kota", "kecamatan", "kelurahan", "desa", "provinsi", "distrik", "administrasi", "daerah", "khusus",
    "ibukota", "istimewa",
}
# Ranks and titles in street names: "Jl. Jend. Sudirman" is "Sudirman" to a citizen.
ROAD_TITLES = {
    "jenderal", "jend", "jendral", "jen", "letjen", "mayjen", "brigjen", "kolonel", "kol", "letkol", "mayor", "kapten",
    "dr", "prof", "ir", "h", "hj", "kh", "raya", "utama", "pahlawan", "nasional", "haji", "st", "sultan",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no accents, punctuation to spaces, abbreviations written out."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _NOT_WORD.sub(" ", text.lower()).split()
    return " ".join([ABBREVIATIONS.get(word, word) for word in words])


def core_place_name(name: str) -> str:
    """'Kabupaten Kutai Kartanegara' -> 'kutai kartanegara': what people type, without the leading
    administrative words. Only leading ones: 'Dumai Kota' is a district's whole name."""
    words = fold(name).split()
    while len(words) > 1 and words[0] in ADMINISTRATIVE_WORDS:
        words.pop(0)
    return " ".join(words)


def core_road_name(name: str) -> str:
    """'Jalan Jenderal Sudirman' and 'jln sudirman' -> 'sudirman'."""
    return " ".join(word for word in fold(name).split() if word not in ROAD_TITLES and word != "jalan")
