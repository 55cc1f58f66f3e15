"""The one rule for what starting something does to what the chat has open (one conversation at a time).

Work a person wrote or composed (a draft report, a staff action waiting for its text, an announcement being
composed) is never discarded unasked: they are asked first, and what they started runs once they agree. Anything
else open (a kept text, a pending choice, a follow-up) gives way to what they start."""

from __future__ import annotations

from bot.channels.markup import Choices
from bot.domain.flows import Flow
from bot.domain.steps import Step
from bot.i18n import N_
from bot.services.conversations import draft_of, end_conversation, open_conversation
from handlers import keyboards
from bot.domain.choices import Discard, KeepOpen
from handlers.commands import Tap
from handlers.intake.prompts import prompt
from handlers.turn import Turn

KEPT_WORK = {  # what is asked about, by flow
    Flow.INTAKE: N_("the report you are writing"),
    Flow.STAFF_ACTION: N_("the staff action waiting for your text"),
    Flow.BROADCAST: N_("the announcement you are composing"),
}
STARTS = {  # what starting each flow is called in the question
    Flow.INTAKE: N_("start a new report"),
    Flow.STAFF_ACTION: N_("start this staff action"),
    Flow.BROADCAST: N_("start a new announcement"),
}


async def room_for(turn: Turn, flow: Flow, then: str = "") -> bool:
    """Whether a conversation of ``flow`` may start now. When the chat holds work of another flow, the person is
    asked whether to discard it, and False returned; ``then`` is the command that runs once they agree (empty: they
    are asked to start it again: a tapped staff action carries more than a button can)."""
    conversation = await open_conversation(turn.session, turn.chat_id)
    if conversation is None or conversation.flow == flow or conversation.flow not in KEPT_WORK:
        return True
    _, open_flow = turn._, Flow(conversation.flow)
    question = _("You are in the middle of {work}. Discard it and {start}?").format(
        work=_(KEPT_WORK[open_flow]), start=_(STARTS[flow]))
    turn.say(question, Choices([[keyboards.button(_("🗑 Yes, discard it"), Discard(open_flow.value, then)),
                                 keyboards.button(_("↩️ No, carry on"), KeepOpen(open_flow.value))]]))
    return False


async def _asked_about(turn: Turn, flow: str):
    """The conversation a discard-or-keep question was about, if it is still open and the tapper's."""
    conversation = await open_conversation(turn.session, turn.chat_id)
    if conversation is None or conversation.flow != flow or conversation.user_id != turn.user.id:
        turn.notify_callback(turn._("That button is no longer active."))
        return None
    return conversation


async def on_keep(turn: Turn) -> None:
    conversation = await _asked_about(turn, turn.choice.flow)
    if conversation is None:
        return
    turn.settle_button(turn._("↩️ Carrying on."))
    if conversation.flow == Flow.INTAKE:  # its question again, where the citizen left it
        prompt(turn, Step(conversation.step), draft_of(conversation))


async def on_discard(turn: Turn) -> None:
    choice: Discard = turn.choice
    if await _asked_about(turn, choice.flow) is None:
        return
    await end_conversation(turn.session, turn.chat_id)
    turn.settle_button(turn._("🗑 Discarded."))
    from handlers.dispatch import COMMANDS  # the commands know this module: looked up once they are all loaded

    command = COMMANDS.get(choice.then)
    if command is None:
        turn.say(turn._("Now tap the action again."))
    else:
        await command.handler(turn)


TAPS = (Tap(Discard, on_discard, groups=True), Tap(KeepOpen, on_keep, groups=True))
