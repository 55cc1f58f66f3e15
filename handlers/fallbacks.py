"""What no feature took: a message outside a report, an unknown command, an old button, an edit.

Registered after every feature, so that these catch only what is left; except a button without a chat, which
no feature can take and is answered before any looks at it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.domain.flows import Flow
from bot.services import staff_groups
from bot.services.conversations import load_conversation, locale_of
from handlers import keyboards
from handlers.admin import broadcast as admin_broadcast
from handlers.citizen import announcements, answers, follow_up, typed_text
from handlers.citizen.menu import help_text
from handlers.citizen.status import answer_to_question, is_tracking_id, show_status
from handlers.intake import flow as intake_flow, messages as intake_messages
from handlers.staff import actions as staff_actions
from handlers.turn import Turn, turn_handler

log = logging.getLogger(__name__)
BEFORE_FEATURES = -1  # a handler group processed before the features' (group 0)


async def on_message(turn: Turn) -> None:
    """Any message: the ID a command asked for, what a staff action waits for, the answer to a report in
    progress, a tracking ID, or else the menu (with the offer to report what was written)."""
    if (answered := await answer_to_question(turn)) is not None:
        if answered.flow == Flow.INTAKE:  # the report waited: its question, again
            intake_flow.hint(turn, answered, turn._("You have a report in progress:"))
        return
    if await staff_actions.take(turn) or await admin_broadcast.take(turn):
        return
    if turn.in_group:
        await _in_group(turn)
        return
    conversation = await load_conversation(turn.session, turn.chat_id)
    if conversation:
        await intake_messages.on_message(turn, conversation)
        return
    text = (turn.message.text or "").strip()
    if is_tracking_id(text):
        await show_status(turn, text)
        return
    if await follow_up.take(turn):
        return
    if await answers.take(turn):
        return
    if await announcements.take(turn):
        return
    await typed_text.offer(turn)


async def _in_group(turn: Turn) -> None:
    """A linked staff group talks among itself; anywhere else, a citizen is asked to talk in private."""
    if await staff_groups.linked_agency(turn.session, turn.services.router.directory, turn.chat_id) is None:
        turn.say(turn._("Please talk to me in a private chat, so that your report stays between us."))


async def on_unknown_command(turn: Turn) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id)
    reason = turn._("I do not know that command.")
    if conversation:
        intake_flow.hint(turn, conversation, reason)
    else:
        turn.say(f"{reason}\n\n{help_text(turn._)}", keyboards.main_menu(turn._))


async def on_edited_message(turn: Turn) -> None:
    if turn.update.edited_message and turn.update.edited_message.location:
        return  # a live location moving on: its first position was the answer, and a hint each time would flood the chat
    turn.say(turn._("I do not read edited messages. Please send the corrected text as a new message."))


async def on_unknown_button(turn: Turn) -> None:
    turn.notify_callback(turn._("That button is no longer active."))


async def on_button_without_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button on a message the bot cannot see (an inline message, sent in someone else's chat: this bot sends
    none, so it is forged or a probe). No turn can run without a chat, but the tap is always answered, so the
    tapper's button stops spinning, in their language."""
    query, sender = update.callback_query, update.effective_user
    if update.effective_chat is not None or sender is None:
        return  # a button in a chat: a turn answers it
    services = context.bot_data["services"]
    async with services.sessions() as session:
        _ = services.settings.translator(await locale_of(session, sender.id))
    try:
        await query.answer(_("That button cannot be used here. Please use the buttons in our chat."))
    except TelegramError as error:  # too old, or the network: nothing else to do
        log.info("could not answer a button tap without a chat: %s", error)


def register(application: Application) -> None:
    add = application.add_handler
    # Before every feature (whose turns need a chat): a group of its own, earlier than theirs.
    add(CallbackQueryHandler(on_button_without_chat), group=BEFORE_FEATURES)
    add(CallbackQueryHandler(turn_handler(on_unknown_button)))
    add(MessageHandler(filters.UpdateType.EDITED, turn_handler(on_edited_message)))
    add(MessageHandler(filters.COMMAND, turn_handler(on_unknown_command)))
    add(MessageHandler(filters.UpdateType.MESSAGE, turn_handler(on_message, groups=True)))
