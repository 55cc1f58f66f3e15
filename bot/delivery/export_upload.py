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
from bot.domain.reach import Hub, Reach
from bot.services import export_files
from bot.services.export_files import Format
from bot.services.exports import ExportRequest
from bot.services.periods import Period

@dataclass(frozen=True)
class Export:
    reach: Reach  # whose reports, as the reader's roles gave it when asked
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
        return ExportRequest(self.reach, period, ZoneInfo(self.time_zone), self.language)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Export":
        fields = dict(data)
        if "reach" in fields:
            fields["reach"] = Reach.from_json(fields["reach"])
        else:  # queued before the reach was recorded: one area, one agency, or all of Indonesia
            area, agency = fields.pop("area_code", None), fields.pop("agency_code", None)
            fields["reach"] = Reach(hubs=(Hub(None, area),)) if area else Reach(agencies=(agency,)) if agency \
                else Reach(everything=True)
        return cls(**fields)


@asynccontextmanager
async def written(export: Export, reads: async_sessionmaker) -> AsyncIterator[Path]:
    """The export's file, in a temporary directory that goes when the block ends."""
    with tempfile.TemporaryDirectory(prefix="lapor-export-") as directory:
        path = Path(directory) / export.file_name
        async with reads() as session:
            await export_files.write(session, export.request(), Format(export.format), path, utcnow())
        yield path
