"""An export asked for in the chat, written when it is sent (from a read-only session, into a temporary file)
and uploaded as a document by the channel. A crash before the upload only means it is written again."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db.models import utcnow
from bot.services import export_files
from bot.services.export_files import Format
from bot.services.exports import ExportRequest
from bot.services.scopes import Period, Scope

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
    too_large: str  # said instead when the file passes the channel's upload limit, in the reader's language
    language: str = "id"  # of the headers and values (exports queued before it was recorded: the default)

    def request(self) -> ExportRequest:
        period = Period(date.fromisoformat(self.first), date.fromisoformat(self.last))
        return ExportRequest(Scope(self.area_code, self.agency_code), period, ZoneInfo(self.time_zone), self.language)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Export":
        return cls(**data)


@asynccontextmanager
async def written(export: Export, reads: async_sessionmaker) -> AsyncIterator[Path]:
    """The export's file, in a temporary directory that goes when the block ends."""
    with tempfile.TemporaryDirectory(prefix="lapor-export-") as directory:
        path = Path(directory) / export.file_name
        async with reads() as session:
            await export_files.write(session, export.request(), Format(export.format), path, utcnow())
        yield path
