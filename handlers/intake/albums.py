"""An album's photos arrive as separate updates within a moment: answer the album once, after its last
part, instead of once per photo.

Each part writes the answer to the outbox, due a moment later and replacing the answer an earlier part
wrote; so the citizen reads one answer, written by the last part, with every refused file named. It is
kept in the database (the draft and the outbox), so it works the same with several bot processes.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot.delivery.messages import Text
from bot.domain.draft import Draft
from bot.domain.steps import Step
from bot.textlimits import split_html
from handlers.intake.prompts import prompt_content
from handlers.turn import Turn

ALBUM_SETTLE = timedelta(seconds=1)


def note_part(draft: Draft, album: str, refusal: str | None = None) -> None:
    """Remember which album is arriving, and why one of its files was refused."""
    if draft.album_id != album:
        draft.album_id, draft.album_refusals = album, []
    if refusal and refusal not in draft.album_refusals:
        draft.album_refusals.append(refusal)


def acknowledge(turn: Turn, step: Step, draft: Draft, note: str | None) -> None:
    """Answer the album ``ALBUM_SETTLE`` after its latest part, replacing what an earlier part said."""
    refusals = ("⚠️ " + escape(reason) for reason in draft.album_refusals)
    preface = "\n".join([note or "", *refusals]).strip() or None
    text, markup = prompt_content(turn._, step, draft, preface)
    *first, last = split_html(text)
    parts = [(part, None) for part in first] + [(last, markup)]
    for index, (part, part_markup) in enumerate(parts):
        turn.send(Text(part, part_markup), delay=ALBUM_SETTLE, replace_key=f"album:{draft.album_id}:{index}")
