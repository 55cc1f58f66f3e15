"""An album's photos arrive as separate updates within a moment: answer the album once, after its last
part, instead of once per photo."""

from __future__ import annotations

import asyncio
from html import escape

from bot.domain.draft import Draft
from bot.domain.steps import Step
from bot.textlimits import split_html
from handlers.intake.prompts import prompt_content
from handlers.turn import Turn

ALBUM_SETTLE_SECONDS = 1.0
AlbumKey = tuple[int, str]  # (chat id, media group id)


def album_acks(turn: Turn) -> AlbumAcks:
    return turn.context.bot_data.setdefault("album_acks", AlbumAcks())


class AlbumAcks:
    """The pending acknowledgement of each album, and the files of it that were refused."""

    def __init__(self) -> None:
        self._pending: dict[AlbumKey, asyncio.Task] = {}
        self._rejections: dict[AlbumKey, list[str]] = {}

    def reject(self, chat_id: int, album: str, reason: str) -> None:
        reasons = self._rejections.setdefault((chat_id, album), [])
        if reason not in reasons:
            reasons.append(reason)

    def schedule(self, turn: Turn, step: Step, draft: Draft, note: str | None) -> None:
        """Answer the album ``ALBUM_SETTLE_SECONDS`` after its latest part, unless another part comes."""
        key = (turn.chat_id, turn.message.media_group_id)
        previous = self._pending.get(key)
        if previous:
            previous.cancel()

        async def acknowledge() -> None:
            await asyncio.sleep(ALBUM_SETTLE_SECONDS)
            self._pending.pop(key, None)
            reasons = self._rejections.pop(key, [])
            preface = "\n".join([note or "", *("⚠️ " + escape(reason) for reason in reasons)]).strip() or None
            text, markup = prompt_content(turn._, step, draft, preface)
            *first, last = split_html(text)
            for part in first:
                await turn.context.bot.send_message(turn.chat_id, part)
            await turn.context.bot.send_message(turn.chat_id, last, reply_markup=markup)

        # Scheduled once the transaction has committed, so the acknowledgement never runs ahead of it.
        turn.after(lambda: _start(self._pending, key, acknowledge))


async def _start(pending: dict[AlbumKey, asyncio.Task], key: AlbumKey, acknowledge) -> None:
    pending[key] = asyncio.get_running_loop().create_task(acknowledge())
