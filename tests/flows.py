"""Shared steps of the citizen's conversation, and test files."""

from __future__ import annotations

import re
import struct
import zlib

from tests.kit.client import Citizen

PADANG = (-0.9492, 100.3543)  # Kota Padang, Sumatera Barat
TENGGARONG = (-0.4231, 116.9853)  # Kutai Kartanegara, Kalimantan Timur
SINGAPORE = (1.3521, 103.8198)
TOKYO = (35.68, 139.69)
DESCRIPTION = "Jalan berlubang besar di depan pasar, sudah dua minggu dan membahayakan pengendara motor."
TRACKING_ID = re.compile(r"(?:<code>|```)([0-9A-Z]{5}-[0-9A-Z]{5})(?:</code>|```)")  # HTML; WhatsApp monospace


def png(seed: int, width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG; each seed gives different bytes (so a different file_unique_id)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(((seed * 31 + x * 7 + y) % 256 for x in range(width * 3))) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def photos(count: int, first_seed: int = 1) -> list[tuple[bytes, str, str]]:
    return [(png(seed), f"foto{seed}.png", "image/png") for seed in range(first_seed, first_seed + count)]


async def start_report(citizen: Citizen, report_type: str = "Pengaduan", category: str = "Jalan") -> None:
    await citizen.send("/start")
    await citizen.tap("Buat laporan")
    await citizen.tap(report_type)
    await citizen.tap(category)


async def through_to_summary(
    citizen: Citizen,
    *,
    report_type: str = "Pengaduan",
    category: str = "Jalan",
    description: str = DESCRIPTION,
    point: tuple[float, float] | None = PADANG,
    address: str | None = None,
    album: int = 0,
    anonymous: bool = False,
    confidential: bool = False,
    road: str = "Jl. By Pass",
) -> list[dict]:
    await start_report(citizen, report_type, category)
    await citizen.send(description)
    if point:
        await share_pin(citizen, point, road)
    else:
        await citizen.send(address)
        await answer_road_question(citizen, road)
        await file_own_if_asked(citizen)
    if album:
        await citizen.send_files(photos(album), settle=1.5)
    return await finish_to_summary(citizen, "Lanjut" if album else "Lewati", anonymous, confidential)


ROAD_QUESTION = "Jalan apa?"


async def answer_road_question(citizen: Citizen, road: str = "Jl. By Pass") -> list[dict]:
    """A road complaint whose road the bot did not recognise is asked about; name it."""
    if ROAD_QUESTION in citizen.last_text:
        return await citizen.send(road)
    return []


async def share_pin(citizen: Citizen, point: tuple[float, float], road: str = "Jl. By Pass") -> list[dict]:
    """Share a location pin, name the road if asked, and file one's own where reports like it are offered for
    support; returns the bot's last answer."""
    replies = await citizen.share_location(*point)
    replies = await answer_road_question(citizen, road) or replies
    return await file_own_if_asked(citizen) or replies


SIMILAR_QUESTION, FILE_OWN = "hal serupa di dekat sini", "Laporan saya berbeda"


async def file_own_if_asked(citizen: Citizen) -> list[dict]:
    """Reports like the citizen's nearby are offered for support; they file their own."""
    if SIMILAR_QUESTION in citizen.last_text:
        return await citizen.tap(FILE_OWN)
    return []


async def finish_to_summary(
    citizen: Citizen, files_button: str = "Lanjut", anonymous: bool = False, confidential: bool = False
) -> list[dict]:
    """From the files question to the summary; returns the bot's answer to the last tap."""
    await citizen.tap(files_button)
    await citizen.tap("Ya, anonim" if anonymous else "Tidak")
    return await citizen.tap("Ya, rahasia" if confidential else "Tidak")


async def file_report(citizen: Citizen, **choices) -> str:
    """Go through every step and send; returns the tracking ID the bot gave."""
    await through_to_summary(citizen, **choices)
    replies = await citizen.tap("Kirim laporan")
    match = TRACKING_ID.search(replies[-1]["text"])
    assert match, replies
    return match.group(1)
