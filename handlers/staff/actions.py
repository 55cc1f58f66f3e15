"""Staff actions from the chat: the buttons under a report, and what an action still needs (an agency, a
resolution class, a reason or an answer with files) asked for in turn.

Thin: ``bot.services.workflow`` decides; a button only names the action and the version of the report the
reader saw, checked when the button is tapped and again when the action is taken. An action waiting for its
text lives in the chat's conversation (flow ``staff_action``), so a restart loses nothing; a text typed for a
report that moved on meanwhile is kept there too, and offered again when the member picks an action anew.
"""

from __future__ import annotations

from html import escape

from bot.channels.markup import AskText, Choices
from bot.db.models import Conversation
from bot.domain.actions import RULES, Action
from bot.domain.deadlines import ResolutionClass
from bot.domain.conversation_state import PendingAction
from bot.domain.flows import Flow
from bot.domain.roles import Grant
from bot.i18n import N_
from bot.services import workflow
from bot.services.conversations import end_conversation, load_conversation, save_state, start_conversation, state_of
from bot.services.workflow import ActionRequest, Outcome
from handlers import keyboards
from bot.domain.choices import AgencyPick, KeptText, StaffActionChoice
from handlers.commands import Tap
from handlers.intake.messages import attachment_of
from bot.notices.text import shown
from handlers.replies import say_in_parts
from handlers.staff.action_buttons import action_keyboard, find_view, result_text, show_view
from handlers.staff.agency_picker import agency_buttons, offer_agencies
from handlers.staff.roles import staff_roles
from handlers.openings import room_for
from handlers.turn import Turn

AGENCY_STEP, NOTE_STEP, KEPT_STEP = "agency", "note", "kept"  # kept: nothing waits, a typed text is kept
KEPT_SHOWN = 600
SHOWN_AGAIN = (Outcome.CHANGED, Outcome.NOT_NOW, Outcome.NOT_ALLOWED)  # refusals that come with the fresh view
RESOLUTION_LABELS = {
    ResolutionClass.LIGHT: N_("Light (2 working days)"),
    ResolutionClass.NORMATIVE: N_("Normative (5 working days)"),
    ResolutionClass.WITHOUT_INSPECTION: N_("Without an inspection (14 working days)"),
    ResolutionClass.WITH_INSPECTION: N_("With an inspection (60 working days)"),
}
NOTE_PROMPTS = {
    Action.ASK: N_("Type your question to the reporter."),
    Action.FORWARD: N_("Type why this report is not yours to handle."),
    Action.ARCHIVE: N_("Type the reason for archiving; the reporter will read it."),
    Action.ANSWER: N_("Send photos, videos or documents if you have them, then type the answer to the reporter."),
    Action.HAND_BACK: N_("Type why this report is not your agency's; the hub will read it."),
    Action.RESOLVE: N_("Send photos, videos or documents if you have them, then type the final answer."),
    Action.MERGE: N_("Type the tracking ID of the report this one repeats, the one to keep (open, and of the same "
                     "agency). This one is then closed, and its reporter follows that one."),
}


def _request(pending: PendingAction, note: str | None = None, resolution: ResolutionClass | None = None) -> ActionRequest:
    return ActionRequest(pending.action, pending.tracking_id, pending.version, note, pending.agency_code, resolution,
                         tuple(pending.files))


async def on_action_button(turn: Turn) -> None:
    grants = await staff_roles(turn)  # a forged button: it is for staff only
    if grants is None:
        return
    choice: StaffActionChoice = turn.choice
    try:
        action, tracking_id, version = Action(choice.action), choice.tracking_id, choice.version
    except ValueError:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    pending = PendingAction(action, tracking_id, version)
    rule = RULES[action]
    if rule.needs_resolution and choice.kind:
        try:
            await _execute(turn, grants, pending, resolution=ResolutionClass(choice.kind))
        except ValueError:
            turn.notify_callback(turn._("That button is no longer active."))
        return
    if not (rule.needs_resolution or rule.needs_agency or rule.needs_note):
        await _execute(turn, grants, pending)
        return
    refused = await workflow.check(turn.session, grants, turn.services.router.directory, _request(pending))
    if refused is not None:  # said now, before the member chooses or types anything for it
        await _refused(turn, grants, pending, refused)
    elif rule.needs_resolution:
        _ask_resolution(turn, pending)
    elif await room_for(turn, Flow.STAFF_ACTION):  # else the member is asked about the work the chat holds
        await _start(turn, grants, pending, AGENCY_STEP if rule.needs_agency else NOTE_STEP)


def _ask_resolution(turn: Turn, pending: PendingAction) -> None:
    _ = turn._
    buttons = [keyboards.button(_(label), StaffActionChoice(pending.action.value, pending.tracking_id, pending.version, kind.value))
               for kind, label in RESOLUTION_LABELS.items()]
    turn.say(_("Which resolution class? It sets the deadline for report <code>{tracking_id}</code>.").format(
        tracking_id=pending.tracking_id), Choices(keyboards.rows(buttons, 1)))


async def _start(turn: Turn, grants: list[Grant], pending: PendingAction, step: str) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.STAFF_ACTION)
    if conversation is None:  # replaces a finished follow-up the chat may still have open
        conversation = await start_conversation(turn.session, turn.chat_id, turn.user.id, pending, step)
    else:
        _carry_kept_text(turn, conversation, pending)
    conversation.user_id = turn.user.id  # in a group, the latest to start an action is the one it waits for
    if step == AGENCY_STEP and pending.action is Action.VERIFY:  # the routed agency, one tap away
        routed = await workflow.routed_agency(turn.session, grants, turn.services.router.directory, pending.tracking_id)
        pending.found = [routed] if routed else []
    save_state(conversation, pending, step)
    if step == AGENCY_STEP:
        prompt = turn._("Type the name of the agency or hub that should get report <code>{tracking_id}</code>.").format(
            tracking_id=pending.tracking_id)
        turn.say(prompt, agency_buttons(turn, pending.found))
    else:
        _ask_note(turn, pending)


def _carry_kept_text(turn: Turn, conversation: Conversation, pending: PendingAction) -> None:
    """The member's text kept from a refused action on this report goes on with the action picked now."""
    earlier = state_of(conversation, PendingAction)
    if conversation.user_id == turn.user.id and earlier.tracking_id == pending.tracking_id and earlier.kept_note:
        pending.kept_note = earlier.kept_note
        pending.files = earlier.files if RULES[pending.action].takes_files else []


def _ask_note(turn: Turn, pending: PendingAction) -> None:
    text = turn._(NOTE_PROMPTS[pending.action]) + "\n" + turn._("(/batal stops this action.)")
    if turn.in_group:  # a reply reaches a bot in privacy mode: ask the member by name, to reply to it
        mention = turn.channel.mention(turn.user.id, escape(turn.user.first_name))
        turn.say(f"{mention}: {text}", AskText())
    else:
        turn.say(text)
    if pending.kept_note:
        offer = turn._("Or send the text you typed before:") + f"\n<i>{shown(pending.kept_note, KEPT_SHOWN)}</i>"
        turn.say(offer, Choices([[keyboards.button(turn._("📝 Use the text typed before"), KeptText())]]))


async def take(turn: Turn) -> bool:
    """A message while an action waits for its text or files; False when no action waits."""
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.STAFF_ACTION)
    if conversation is None or conversation.user_id != turn.user.id or conversation.step == KEPT_STEP:
        return False  # in a group: only who started it
    pending, _ = state_of(conversation, PendingAction), turn._
    text = (turn.incoming.text or "").strip()
    if conversation.step == AGENCY_STEP:
        await offer_agencies(turn, conversation, pending, text)
        return True
    attachment = attachment_of(turn.incoming)
    if attachment is not None and RULES[pending.action].takes_files:
        pending.files.append(attachment)
        save_state(conversation, pending)
    if not text:
        turn.say(_("Added ({count}). Now type the text.").format(count=len(pending.files)) if attachment
                 else _("Please type the text."))
        return True
    await end_conversation(turn.session, turn.chat_id)
    await _execute_as_member(turn, pending, note=text)
    return True


async def stop(turn: Turn) -> bool:
    """``/batal`` while an action waits: nothing is done; False when no action of this member waits."""
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.STAFF_ACTION)
    if conversation is None or conversation.user_id != turn.user.id:
        return False
    await end_conversation(turn.session, turn.chat_id)
    turn.say(turn._("Stopped: nothing was done to report <code>{tracking_id}</code>.").format(
        tracking_id=state_of(conversation, PendingAction).tracking_id))
    return True


async def on_agency_button(turn: Turn) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.STAFF_ACTION)
    mine = conversation is not None and conversation.user_id == turn.user.id
    pending = state_of(conversation, PendingAction) if mine else None
    index = turn.choice.index
    if pending is None or index >= len(pending.found):
        turn.notify_callback(turn._("That button is no longer active."))
        return
    pending.agency_code = pending.found[index]
    turn.settle_button(escape(turn.services.router.directory.agencies[pending.agency_code].name))
    if RULES[pending.action].needs_note:
        save_state(conversation, pending, NOTE_STEP)
        _ask_note(turn, pending)
        return
    await end_conversation(turn.session, turn.chat_id)
    await _execute_as_member(turn, pending)


async def on_kept_button(turn: Turn) -> None:
    """The text kept from a refused action, sent for the action the member picked anew."""
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.STAFF_ACTION)
    mine = conversation is not None and conversation.user_id == turn.user.id and conversation.step == NOTE_STEP
    pending = state_of(conversation, PendingAction) if mine else None
    if pending is None or not pending.kept_note:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    turn.settle_button(turn._("📝 The text typed before"))
    await end_conversation(turn.session, turn.chat_id)
    await _execute_as_member(turn, pending, note=pending.kept_note)


async def _execute_as_member(turn: Turn, pending: PendingAction, *, note: str | None = None) -> None:
    """Act with the roles the member holds now (in a group: for the group's agency only)."""
    grants = await staff_roles(turn)
    if grants is not None:
        await _execute(turn, grants, pending, note=note)


async def _execute(turn: Turn, grants: list[Grant], pending: PendingAction, *, note: str | None = None,
                   resolution: ResolutionClass | None = None) -> None:
    result = await workflow.act(turn.session, turn.user.id, grants, turn.services.notices,
                                _request(pending, note, resolution))
    if result.outcome is not Outcome.DONE:
        await _refused(turn, grants, pending, result, note)
        return
    turn.say(result_text(turn._, pending.tracking_id, result),
             action_keyboard(turn._, pending.tracking_id, result.version, result.next_actions))


async def _refused(turn: Turn, grants: list[Grant], pending: PendingAction, result: workflow.ActionResult,
                   note: str | None = None) -> None:
    """Say why and show the report as it is now; what the member typed for it is kept, to be offered with the
    next action they pick on it, or (with no action left to them) given back to copy."""
    _, text = turn._, result_text(turn._, pending.tracking_id, result)
    view = await find_view(turn, grants, pending.tracking_id) if result.outcome in SHOWN_AGAIN else None
    if note and view is not None and view.actions:
        pending.kept_note = note
        await start_conversation(turn.session, turn.chat_id, turn.user.id, pending, KEPT_STEP)
        text += "\n\n" + _("Your text is kept: pick the action again below and it is offered to you.")
    elif note:  # whole, and split where it must be: every line of it stays as typed
        text += "\n\n" + _("Your text, to copy:") + "\n" + escape(note)
    say_in_parts(turn, text)
    if view is not None:
        show_view(turn, view)


TAPS = (Tap(StaffActionChoice, on_action_button, groups=True), Tap(AgencyPick, on_agency_button, groups=True), Tap(KeptText, on_kept_button, groups=True))
