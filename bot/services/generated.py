"""Files made for someone: a turn orders one (an export, statistics charts) in its transaction; the file job
(bot.jobs.files) builds it outside any write transaction (the export's SQL on a read session, matplotlib in a
thread) and then, in one transaction, stores the files and queues the plain message that sends them. Delivery
only uploads what is stored. A crash while building only means it is built again."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import FileOrder, GeneratedFile, User, utcnow
from bot.delivery import files as stored_files, outbox
from bot.delivery.messages import Files, Text
from bot.services import export_files
from bot.domain.reach import Hub, Reach
from bot.services.charts import Chart, draw
from bot.services.export_files import Format
from bot.services.exports import ExportRequest
from bot.services.periods import Period

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # what a bot may upload
MAX_ATTEMPTS = 3  # an order that fails to build this often is given up (the reason kept)
PENDING, BUILT, FAILED = "pending", "built", "failed"


@dataclass(frozen=True)
class ExportRecipe:
    """A spreadsheet of the reports in a reach and period, with its texts in the reader's language."""

    reach: Reach  # whose reports, as the reader's roles gave it when asked
    first: str  # ISO dates, as JSON keeps them
    last: str
    format: str
    time_zone: str
    file_name: str
    caption: str
    too_large: str  # said instead when the file passes Telegram's upload limit, in the reader's language
    language: str = "id"  # of the headers and values

    def request(self) -> ExportRequest:
        period = Period(date.fromisoformat(self.first), date.fromisoformat(self.last))
        return ExportRequest(self.reach, period, ZoneInfo(self.time_zone), self.language)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportRecipe:
        fields = dict(data)
        if "reach" in fields:
            fields["reach"] = Reach.from_json(fields["reach"])
        else:  # ordered before the reach was recorded: one area, one agency, or all of Indonesia
            area, agency = fields.pop("area_code", None), fields.pop("agency_code", None)
            fields["reach"] = Reach(hubs=(Hub(None, area),)) if area else Reach(agencies=(agency,)) if agency \
                else Reach(everything=True)
        return cls(**fields)


@dataclass(frozen=True)
class ChartsRecipe:
    """1 to 10 charts, shown together, each captioned with its title."""

    charts: tuple[Chart, ...] = field(default_factory=tuple)


Recipe = ExportRecipe | ChartsRecipe
_TYPES: dict[str, type] = {"export": ExportRecipe, "charts": ChartsRecipe}


def recipe_json(recipe: Recipe) -> dict[str, Any]:
    """As the outbox kept these when they were drawn at sending (migration 0019 moved such rows here unchanged)."""
    name = next(name for name, kind in _TYPES.items() if isinstance(recipe, kind))
    return {"type": name, **asdict(recipe)}


def recipe_from_json(data: dict[str, Any]) -> Recipe:
    fields = dict(data)
    kind = _TYPES[fields.pop("type")]
    if kind is ChartsRecipe:
        return ChartsRecipe(tuple(Chart.from_json(chart) for chart in fields["charts"]))
    return ExportRecipe.from_json(fields)


@dataclass(frozen=True)
class Made:
    """What building an order made: files to send, or a text to say instead."""

    kind: Literal["document", "photo"] = "document"
    files: tuple[tuple[str, str | None, bytes], ...] = ()  # file name, caption, content
    instead: str | None = None


async def order(session: AsyncSession, chat_id: int, recipe: Recipe, user_id: int | None = None) -> FileOrder:
    """In the caller's transaction: the job builds it within seconds of the commit."""
    row = FileOrder(chat_id=chat_id, user_id=user_id, recipe=recipe_json(recipe), state=PENDING, attempts=0)
    session.add(row)
    return row


async def pending(session: AsyncSession, limit: int) -> list[tuple[int, Recipe]]:
    rows = await session.execute(select(FileOrder.id, FileOrder.recipe).where(FileOrder.state == PENDING)
                                 .order_by(FileOrder.id).limit(limit))
    return [(order_id, recipe_from_json(recipe)) for order_id, recipe in rows]


async def build(reads: async_sessionmaker, recipe: Recipe) -> Made:
    """Make the files (no write transaction is held: an export reads for seconds, charts draw in a thread)."""
    if isinstance(recipe, ChartsRecipe):
        images = await asyncio.to_thread(lambda: [draw(chart) for chart in recipe.charts])
        return Made("photo", tuple((f"chart-{index + 1}.png", chart.title, image)
                                   for index, (chart, image) in enumerate(zip(recipe.charts, images))))
    with tempfile.TemporaryDirectory(prefix="lapor-export-") as directory:
        path = Path(directory) / recipe.file_name
        async with reads() as session:
            await export_files.write(session, recipe.request(), Format(recipe.format), path, utcnow())
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            return Made(instead=recipe.too_large)
        return Made("document", ((recipe.file_name, recipe.caption, path.read_bytes()),))


async def deliver(session: AsyncSession, order_id: int, made: Made) -> bool:
    """Store what was made and queue its message; False when the order was settled meanwhile (built twice)."""
    row = await session.scalar(select(FileOrder).where(FileOrder.id == order_id).with_for_update())
    if row is None or row.state != PENDING:
        return False
    user = await session.get(User, row.user_id) if row.user_id is not None else None
    if made.instead is not None:
        message = Text(made.instead)
    else:
        ids = [await stored_files.store(session, order_id, position, name, caption, content)
               for position, (name, caption, content) in enumerate(made.files)]
        message = Files(made.kind, tuple(ids))
    await outbox.enqueue(session, row.chat_id, message, user=user, priority=outbox.Priority.INTERACTIVE)
    row.state, row.built_at = BUILT, utcnow()
    return True


async def failed(session: AsyncSession, order_id: int, reason: str) -> None:
    """A build failed: tried again next round, given up after ``MAX_ATTEMPTS``."""
    row = await session.get(FileOrder, order_id)
    if row is not None and row.state == PENDING:
        row.attempts += 1
        row.last_error = reason[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.state = FAILED


async def forget(session: AsyncSession, older_than: timedelta) -> int:
    """Settled orders and their files, once ``older_than`` has passed (the message that sent them long settled)."""
    cutoff = utcnow() - older_than
    old = select(FileOrder.id).where(FileOrder.state != PENDING, FileOrder.created_at < cutoff)
    await session.execute(delete(GeneratedFile).where(GeneratedFile.order_id.in_(old)))
    return (await session.execute(delete(FileOrder).where(FileOrder.id.in_(old)))).rowcount
