"""What no feature took: a message outside a report, an unknown command, an old button, an edit."""

from __future__ import annotations

import logging

from bot.domain.flows import Flow
from bot.services import staff_groups
from bot.services.conversations import load_conversation
from handlers import keyboards
from handlers.admin import broadcast as admin_broadcast
from handlers.citizen import announcements, answers, follow_up, typed_text
from handlers.citizen.menu import help_text
from handlers.citizen.status import answer_to_question, is_tracking_id, show_status
from handlers.intake import flow as intake_flow
from handlers.intake import messages as intake_messages
from handlers.staff import actions as staff_actions
from handlers.turn import Turn

log = logging.getLogger(__name__)


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
    text = (turn.incoming.typed or "").strip()
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
    if turn.incoming.content.moving:
        return  # a live location moving on: its first position was the answer, and a hint each time would flood the chat
    turn.say(turn._("I do not read edited messages. Please send the corrected text as a new message."))


async def on_unknown_button(turn: Turn) -> None:
    turn.notify_callback(turn._("That button is no longer active."))
