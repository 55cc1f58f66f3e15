"""The bot's own membership of a chat: a user blocking or unblocking it, a group adding or removing it."""

from __future__ import annotations

from telegram import ChatMember
from telegram.ext import Application, ChatMemberHandler

from bot.delivery import outbox
from bot.services import subscriptions
from bot.services.conversations import mark_reachable
from handlers.turn import Turn, turn_handler

GONE = (ChatMember.BANNED, ChatMember.LEFT)


async def on_bot_status(turn: Turn) -> None:
    """Blocked: hold what is unsent. Unblocked: send what was held, in order. Nothing is said either way."""
    change = turn.update.my_chat_member
    if change.new_chat_member.status in GONE:
        await subscriptions.chat_blocked(turn.session, change.chat.id, f"the bot is {change.new_chat_member.status}")
    elif change.chat.id == turn.user.id:
        await mark_reachable(turn.session, turn.user)
    else:
        await outbox.release_chat(turn.session, change.chat.id)


def register(application: Application) -> None:
    application.add_handler(ChatMemberHandler(turn_handler(on_bot_status, groups=True), ChatMemberHandler.MY_CHAT_MEMBER))
