"""Media in Telegram's shapes (photo sizes, documents, videos, stickers, voice notes) and the upload limits."""

from __future__ import annotations

import hashlib
import secrets
import struct
from pathlib import Path
from typing import Any

from bot.sandbox.model import ApiError, StoredFile

MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
STICKER_SIZE = 512  # regular stickers are 512 px on their longer side


def check_upload(kind: str, data: bytes) -> None:
    """Telegram's limits for a file uploaded by the bot (a file_id sent again is not checked)."""
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, "Request Entity Too Large")
    if kind == "photo" and len(data) > MAX_PHOTO_UPLOAD:
        raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")


def media_json(kind: str, stored: StoredFile, **extra: Any) -> dict[str, Any]:
    """The message field for a file of this kind, e.g. ``{"photo": [size]}`` or ``{"voice": {...}}``."""
    base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data)}
    if kind == "photo":
        width, height = image_size(stored.data)
        return {"photo": [{**base, "width": width, "height": height}]}
    if kind in ("video", "animation"):
        return {kind: {**base, "width": 0, "height": 0, "duration": 1, "mime_type": stored.mime_type}}
    if kind == "sticker":
        sticker = {**base, "type": "regular", "width": STICKER_SIZE, "height": STICKER_SIZE, "is_animated": False, "is_video": False}
        return {"sticker": {**sticker, **({"emoji": extra["emoji"]} if extra.get("emoji") else {})}}
    if kind == "voice":
        return {"voice": {**base, "duration": int(extra.get("duration", 1)), "mime_type": "audio/ogg"}}
    if kind == "audio":
        return {"audio": {**base, "duration": int(extra.get("duration", 1)), "mime_type": stored.mime_type}}
    return {"document": {**base, "file_name": file_name(stored), "mime_type": stored.mime_type}}


def file_name(stored: StoredFile) -> str:
    return stored.file_name or Path(stored.file_path).name.split("_", 1)[-1]


def sticker_bytes(emoji: str) -> bytes:
    """A stand-in for a sticker's WEBP: a RIFF/WEBP header and a label, the same bytes for the same emoji
    (so that one sticker keeps one file_unique_id, as in Telegram). Not a drawable image."""
    label = f"lapor-bot sandbox sticker {emoji}".encode()
    return b"RIFF" + struct.pack("<I", 4 + len(label)) + b"WEBP" + label


def voice_bytes(duration: int) -> bytes:
    """A stand-in for a voice note: an Ogg capture pattern, a label and random bytes (every voice note
    differs). Not playable audio."""
    label = f"lapor-bot sandbox voice note, {duration} s".encode()
    return b"OggS\x00\x02" + label + secrets.token_bytes(16)


def unique_id(data: bytes) -> str:
    return "AQAD" + hashlib.sha256(data).hexdigest()[:16]


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, as Telegram reports them; 0 when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    index = 2
    while data[:2] == b"\xff\xd8" and index + 9 < len(data):
        marker, length = data[index + 1], int.from_bytes(data[index + 2 : index + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[index + 7 : index + 9], "big"), int.from_bytes(data[index + 5 : index + 7], "big")
        index += 2 + length
    return 0, 0
