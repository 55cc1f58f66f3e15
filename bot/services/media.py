"""Files that cross channels. A file is named everywhere by the reference it arrived with: a Telegram ``file_id``
as it is (every row written before a second channel existed has those), anything else prefixed by its channel
(``whatsapp:<media id>``). A channel that must send a file it has no reference of its own for gets the content
(kept here, or fetched once from the channel it came from), uploads it, and remembers its own reference, so that
each file is uploaded to each channel once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db import Transactions
from bot.db.models import MediaCopy, MediaFile

TELEGRAM = "telegram"


@dataclass(frozen=True)
class KeptFile:
    kind: str  # photo, video, audio, voice, document
    content: bytes
    mime_type: str | None = None
    file_name: str | None = None


# The content of a file by its channel's own reference (a download through that channel's API).
Fetch = Callable[[str, str], Awaitable[KeptFile]]  # (reference, kind)


def channel_of(file_id: str) -> tuple[str, str]:
    """The channel a file came from, and that channel's reference."""
    channel, colon, reference = file_id.partition(":")
    if colon and channel.isalpha() and channel.islower() and channel != TELEGRAM:
        return channel, reference
    return TELEGRAM, file_id


def named(channel: str, reference: str) -> str:
    """The name of a file that arrived on ``channel`` as ``reference``."""
    return reference if channel == TELEGRAM else f"{channel}:{reference}"


class MediaBridge:
    def __init__(self, transactions: Transactions, fetchers: dict[str, Fetch] | None = None) -> None:
        self._transactions = transactions
        self.fetchers: dict[str, Fetch] = dict(fetchers or {})

    async def copy_on(self, file_id: str, channel: str) -> str | None:
        """``channel``'s own reference to the file: the one it arrived with, or the copy uploaded there before."""
        origin, reference = channel_of(file_id)
        if origin == channel:
            return reference
        async with self._transactions.sessions() as session:
            return await session.scalar(select(MediaCopy.reference).join(MediaFile, MediaFile.id == MediaCopy.media_id)
                                        .where(MediaFile.source == file_id, MediaCopy.channel == channel))

    async def remember_copy(self, file_id: str, kind: str, channel: str, reference: str) -> None:
        async with self._transactions.begin() as session:
            media_id = await self._row(session, file_id, kind)
            await session.merge(MediaCopy(media_id=media_id, channel=channel, reference=reference))

    async def keep(self, file_id: str, kept: KeptFile, size: int | None = None) -> None:
        """Keep a file's content (a file that arrived on a channel whose references others cannot use)."""
        async with self._transactions.begin() as session:
            media_id = await self._row(session, file_id, kept.kind)
            row = await session.get(MediaFile, media_id)
            row.content, row.mime_type, row.file_name = kept.content, kept.mime_type, kept.file_name
            row.size = size if size is not None else len(kept.content)

    async def content(self, file_id: str, kind: str) -> KeptFile:
        """The file's content: kept here, or fetched from the channel it came from (and kept)."""
        async with self._transactions.sessions() as session:
            row = await session.scalar(select(MediaFile).where(MediaFile.source == file_id))
        if row is not None and row.content is not None:
            return KeptFile(row.kind, row.content, row.mime_type, row.file_name)
        origin, reference = channel_of(file_id)
        fetch = self.fetchers.get(origin)
        if fetch is None:
            raise LookupError(f"no way to fetch a file from {origin}")
        kept = await fetch(reference, kind)
        await self.keep(file_id, kept)
        return kept

    @staticmethod
    async def _row(session, file_id: str, kind: str) -> int:
        media_id = await session.scalar(select(MediaFile.id).where(MediaFile.source == file_id))
        if media_id is not None:
            return media_id
        try:
            async with session.begin_nested():
                row = MediaFile(source=file_id, kind=kind)
                session.add(row)
                await session.flush()
                return row.id
        except IntegrityError:  # another process kept it at the same instant
            return await session.scalar(select(MediaFile.id).where(MediaFile.source == file_id))
