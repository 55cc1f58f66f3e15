"""An export asked for in the chat, written when it is sent (from a read-only session, into a temporary file)
and uploaded as a document. A crash before the upload only means it is written again."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from telegram import Bot, TelegramObject

from bot.db.models import utcnow
from bot.services import export_files
from bot.services.export_files import Format
from bot.services.exports import ExportRequest
from bot.services.scopes import Period, Scope

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # what a bot may upload


@dataclass(frozen=True)
class Export:
    area_code: str | None
    agency_code: str | None
    first: str  # ISO dates, as JSON keeps them
    last: str
    format: str
    time_zone: str
    file_name: str
    caption: str
    too_large: str  # said instead when the file passes Telegram's upload limit, in the reader's language
    language: str = "id"  # of the headers and values (exports queued before it was recorded: the default)

    def request(self) -> ExportRequest:
        period = Period(date.fromisoformat(self.first), date.fromisoformat(self.last))
        return ExportRequest(Scope(self.area_code, self.agency_code), period, ZoneInfo(self.time_zone), self.language)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Export":
        return cls(**data)


async def send_export(bot: Bot, chat_id: int, export: Export, reads: async_sessionmaker) -> TelegramObject:
    with tempfile.TemporaryDirectory(prefix="lapor-export-") as directory:
        path = Path(directory) / export.file_name
        async with reads() as session:
            await export_files.write(session, export.request(), Format(export.format), path, utcnow())
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            return await bot.send_message(chat_id, export.too_large)
        with path.open("rb") as file:
            return await bot.send_document(chat_id, file, filename=export.file_name, caption=export.caption)
