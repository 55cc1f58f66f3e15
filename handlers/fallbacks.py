"""What no feature took: a message outside a report, an unknown command, an old button, an edit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.domain.flows import Flow
from bot.services import staff_groups
from bot.services.conversations import load_conversation, open_conversation
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

# The flow of the chat's open conversation takes a message first; False lets it go on (a follow-up long forgotten,
# another member's staff action in a group). Staff at work and an admin composing take it even before a group's
# rule or a typed tracking ID; the others after a tracking ID, which is always looked up.
TAKERS: dict[Flow, Callable[[Turn], Awaitable[bool]]] = {
    Flow.STAFF_ACTION: staff_actions.take,
    Flow.BROADCAST: admin_broadcast.take,
    Flow.FOLLOW_UP: follow_up.take,
    Flow.ANSWER: answers.take,
    Flow.SUBSCRIPTION_AREA: announcements.take,
}
FIRST = (Flow.STAFF_ACTION, Flow.BROADCAST)


async def on_message(turn: Turn) -> None:
    """Any message: the ID a command asked for, what the open conversation waits for (a staff action, an
    announcement, the report in progress, a follow-up), a tracking ID, the answer to a report waiting for its
    reporter, or else the menu (with the offer to report what was written)."""
    if (answered := await answer_to_question(turn)) is not None:
        if answered.flow == Flow.INTAKE:  # the report waited: its question, again
            intake_flow.hint(turn, answered, turn._("You have a report in progress:"))
        return
    conversation = await open_conversation(turn.session, turn.chat_id)
    flow = Flow(conversation.flow) if conversation else None
    if flow in FIRST and await TAKERS[flow](turn):
        return
    if turn.in_group:
        await _in_group(turn)
        return
    if flow is Flow.INTAKE:
        await intake_messages.on_message(turn, conversation)
        return
    if is_tracking_id(text := (turn.incoming.typed or "").strip()):
        await show_status(turn, text)
        return
    if flow in TAKERS and flow not in FIRST and await TAKERS[flow](turn):
        return
    if flow is not Flow.ANSWER and await answers.take(turn):  # a waiting report's answer, with no conversation
        return
    if (not_received := intake_messages.not_received_text(turn.incoming, turn._)) is not None:
        turn.say(not_received, keyboards.main_menu(turn._))
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
