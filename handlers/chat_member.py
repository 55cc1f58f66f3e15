"""The bot's own membership of a chat: a user blocking or unblocking it, a group adding or removing it."""

from __future__ import annotations

from bot.delivery import outbox
from bot.services import subscriptions
from bot.services.conversations import mark_reachable
from handlers.turn import Turn


async def on_bot_status(turn: Turn) -> None:
    """Blocked: hold what is unsent. Unblocked: send what was held, in order. Nothing is said either way."""
    change = turn.incoming.content
    if not change.active:
        await subscriptions.chat_blocked(turn.session, turn.chat_id, f"the bot is {change.status}")
    elif turn.chat_id == turn.user.id:
        await mark_reachable(turn.session, turn.user)
    else:
        await outbox.release_chat(turn.session, turn.chat_id)

