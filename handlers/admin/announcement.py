"""What a subscriber receives: the announcement, in their language, always with the way out."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup

from bot.db.models import Broadcast
from bot.delivery.messages import Media, Outgoing, Text, markup_json
from bot.i18n import Translator
from handlers import keyboards

WAY_OUT = "—\n/berhenti: {stop}"


def renderer(translator: Callable[[str | None], Translator]) -> Callable[[Broadcast], Callable[[str], Outgoing]]:
    """For the broadcast job: a broadcast -> (a recipient's locale -> their copy)."""

    def for_broadcast(broadcast: Broadcast) -> Callable[[str], Outgoing]:
        def copy(locale: str) -> Outgoing:
            _ = translator(locale)
            text = broadcast.text + "\n\n" + WAY_OUT.format(stop=_("no more announcements"))
            markup = markup_json(InlineKeyboardMarkup([[keyboards.button(_("🔕 Unsubscribe"), keyboards.SUBSCRIBE, "stop")]]))
            if broadcast.media_kind and broadcast.media_file_id:
                return Media(broadcast.media_kind, broadcast.media_file_id, caption=text, markup=markup)
            return Text(text, markup)

        return copy

    return for_broadcast
