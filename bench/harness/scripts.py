"""What the generator's users do, one step at a time: an act, and the reply it waits for before the next.

A step waits for ``expect`` (a fragment of a reply's text, caption or button labels) rather than for the
first reply, because a turn may answer with several messages and the next act needs the last of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PADANG = (-0.9492, 100.3543)  # Kota Padang: a road there is asked about ("Jalan apa?")
DESCRIPTION = "Jalan berlubang besar di depan pasar, sudah dua minggu dan membahayakan pengendara motor."


@dataclass(frozen=True)
class Step:
    act: dict[str, Any] = field(default_factory=dict)  # text | tap (a label) | tap_data (a prefix) | location | photo
    expect: str | None = None  # None: the first reply will do


def citizen_report(user: int, round_: int) -> list[Step]:
    """A whole report, 11 turns, as bench/intake.py files it: a road in Padang by pin, one photo, sent."""
    return [
        Step({"text": "/lapor"}, "Pengaduan"),
        Step({"tap": "Pengaduan"}, "Jalan"),
        Step({"tap": "Jalan"}, "Apa yang terjadi"),
        Step({"text": DESCRIPTION}, "Di mana lokasinya"),
        Step({"location": PADANG}, "Jalan apa?"),
        Step({"text": "Jl. By Pass"}, "Lewati, tanpa foto"),
        Step({"photo": user * 1000 + round_}, "Lanjut"),
        Step({"tap": "Lanjut"}, "Ya, anonim"),
        Step({"tap": "Tidak"}, "Ya, rahasia"),
        Step({"tap": "Tidak"}, "Kirim laporan"),
        Step({"tap": "Kirim laporan"}, "Nomor pelacakan"),
    ]


def staff_inbox(user: int, round_: int) -> list[Step]:
    """A liaison works their inbox: the list, one report opened from its button, the list of all open ones."""
    return [
        Step({"text": "/kotakmasuk"}, "Kotak masuk"),
        Step({"tap_data": "sir:", "pick": user + round_}, "Jalan rusak"),
        Step({"tap_data": "sib:open:0"}, "Semua yang terbuka"),
    ]


def echo(user: int, round_: int) -> list[Step]:
    text = f"halo {user}-{round_}"
    return [Step({"text": text}, text)]


SCRIPTS: dict[str, Callable[[int, int], list[Step]]] = {"citizens": citizen_report, "staff": staff_inbox, "echo": echo}
