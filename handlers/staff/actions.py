"""Staff actions from the chat: the buttons under a report, and what an action still needs (an agency, a
resolution class, a reason or an answer with files) asked for in turn.

Thin: ``bot.services.workflow`` decides; a button only names the action and the version of the report the
reader saw, and is checked again when the action is taken. An action waiting for its text lives in the chat's
conversation (flow ``staff_action``), so a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.actions import RULES, Action
from bot.domain.deadlines import ResolutionClass
from bot.domain.draft import AttachmentRef
from bot.domain.roles import Grant
from bot.i18n import N_
from bot.services import workflow
from bot.services.conversations import end_conversation, load_conversation, start_conversation
from bot.services.workflow import ActionRequest, Outcome
from handlers import keyboards, render
from handlers.intake.messages import attachment_of
from handlers.staff import notices
from handlers.staff.agency_picker import AGENCY, agency_buttons, offer_agencies
from handlers.staff.roles import staff_roles
from handlers.turn import Turn, turn_handler

ACT = "sac"  # sac:<action>:<tracking id>:<version>[:<class>]
STAFF_ACTION = "staff_action"
AGENCY_STEP, NOTE_STEP = "agency", "note"

ACTION_LABELS = {
    Action.VERIFY: N_("✅ Verify and forward"),
    Action.ASK: N_("❓ Ask the reporter"),
    Action.FORWARD: N_("↪️ Not ours: send on"),
    Action.ARCHIVE: N_("🗄 Archive"),
    Action.TAKE: N_("📥 Take it"),
    Action.ANSWER: N_("💬 Answer"),
    Action.HAND_BACK: N_("↩️ Hand back to the hub"),
    Action.RESOLVE: N_("🏁 Resolved"),
}
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
}


@dataclass
class PendingAction:
    """An action that waits for what the staff member still has to type or choose."""

    action: Action
    tracking_id: str
    version: int
    agency_code: str | None = None
    files: list[AttachmentRef] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # agency codes offered after a search

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "action": self.action.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PendingAction:
        return cls(Action(data["action"]), data["tracking_id"], int(data["version"]), data.get("agency_code"),
                   [AttachmentRef.from_json(item) for item in data.get("files", [])], list(data.get("found", [])))


def action_keyboard(_, tracking_id: str, version: int, actions: tuple[Action, ...]) -> InlineKeyboardMarkup | None:
    buttons = [keyboards.button(_(ACTION_LABELS[action]), ACT, action.value, tracking_id, str(version)) for action in actions]
    return InlineKeyboardMarkup(keyboards.rows(buttons, 2)) if buttons else None


async def on_action_button(turn: Turn) -> None:
    grants = await staff_roles(turn)  # a forged button: it is for staff only
    if grants is None:
        return
    parts = turn.update.callback_query.data.split(":")
    try:
        action, tracking_id, version = Action(parts[1]), parts[2], int(parts[3])
    except (IndexError, ValueError):
        turn.notify_callback(turn._("That button is no longer active."))
        return
    pending = PendingAction(action, tracking_id, version)
    rule = RULES[action]
    if rule.needs_resolution:
        if len(parts) < 5:
            _ask_resolution(turn, pending)
            return
        try:
            await _execute(turn, grants, pending, resolution=ResolutionClass(parts[4]))
        except ValueError:
            turn.notify_callback(turn._("That button is no longer active."))
        return
    if not (rule.needs_agency or rule.needs_note):
        await _execute(turn, grants, pending)
        return
    if await load_conversation(turn.session, turn.chat_id) is not None:  # the chat holds the member's own draft
        turn.say(turn._("Please finish or cancel (/batal) your own report first."))
        return
    await _start(turn, grants, pending, AGENCY_STEP if rule.needs_agency else NOTE_STEP)


def _ask_resolution(turn: Turn, pending: PendingAction) -> None:
    _ = turn._
    buttons = [keyboards.button(_(label), ACT, pending.action.value, pending.tracking_id, str(pending.version), kind.value)
               for kind, label in RESOLUTION_LABELS.items()]
    turn.say(_("Which resolution class? It sets the deadline for report <code>{tracking_id}</code>.").format(
        tracking_id=pending.tracking_id), InlineKeyboardMarkup(keyboards.rows(buttons, 1)))


async def _start(turn: Turn, grants: list[Grant], pending: PendingAction, step: str) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id, STAFF_ACTION)
    if conversation is None:  # replaces a finished follow-up the chat may still have open
        conversation = await start_conversation(turn.session, turn.chat_id, turn.user.id, STAFF_ACTION)
    conversation.user_id = turn.user.id  # in a group, the latest to start an action is the one it waits for
    if step == AGENCY_STEP and pending.action is Action.VERIFY:  # the routed agency, one tap away
        routed = await workflow.routed_agency(turn.session, grants, turn.services.router.directory, pending.tracking_id)
        pending.found = [routed] if routed else []
    conversation.step, conversation.draft = step, pending.to_json()
    if step == AGENCY_STEP:
        prompt = turn._("Type the name of the agency or hub that should get report <code>{tracking_id}</code>.").format(
            tracking_id=pending.tracking_id)
        turn.say(prompt, agency_buttons(turn, pending.found))
    else:
        _ask_note(turn, pending.action)


def _ask_note(turn: Turn, action: Action) -> None:
    text = turn._(NOTE_PROMPTS[action]) + "\n" + turn._("(/batal stops this action.)")
    if turn.in_group:  # a reply reaches a bot in privacy mode: ask the member by name, to reply to it
        mention = f'<a href="tg://user?id={turn.user.id}">{escape(turn.user.first_name)}</a>'
        turn.say(f"{mention}: {text}", ForceReply(selective=True))
        return
    turn.say(text)


async def take(turn: Turn) -> bool:
    """A message while an action waits for its text or files; False when no action waits."""
    conversation = await load_conversation(turn.session, turn.chat_id, STAFF_ACTION)
    if conversation is None or conversation.user_id != turn.user.id:  # in a group: only who started it
        return False
    pending, _ = PendingAction.from_json(conversation.draft), turn._
    text = (turn.message.text or turn.message.caption or "").strip()
    if conversation.step == AGENCY_STEP:
        await offer_agencies(turn, conversation, pending, text)
        return True
    attachment = attachment_of(turn.message)
    if attachment is not None and RULES[pending.action].takes_files:
        pending.files.append(attachment)
        conversation.draft = pending.to_json()
    if not text:
        turn.say(_("Added ({count}). Now type the text.").format(count=len(pending.files)) if attachment
                 else _("Please type the text."))
        return True
    await end_conversation(turn.session, turn.chat_id)
    await _execute_as_member(turn, pending, note=text)
    return True


async def stop(turn: Turn) -> bool:
    """``/batal`` while an action waits: nothing is done; False when no action of this member waits."""
    conversation = await load_conversation(turn.session, turn.chat_id, STAFF_ACTION)
    if conversation is None or conversation.user_id != turn.user.id:
        return False
    await end_conversation(turn.session, turn.chat_id)
    turn.say(turn._("Stopped: nothing was done to report <code>{tracking_id}</code>.").format(
        tracking_id=PendingAction.from_json(conversation.draft).tracking_id))
    return True


async def on_agency_button(turn: Turn) -> None:
    conversation = await load_conversation(turn.session, turn.chat_id, STAFF_ACTION)
    mine = conversation is not None and conversation.user_id == turn.user.id
    pending = PendingAction.from_json(conversation.draft) if mine else None
    index = turn.update.callback_query.data.split(":", 1)[1]
    if pending is None or not index.isdigit() or int(index) >= len(pending.found):
        turn.notify_callback(turn._("That button is no longer active."))
        return
    pending.agency_code = pending.found[int(index)]
    turn.settle_button(escape(turn.services.router.directory.agencies[pending.agency_code].name))
    if RULES[pending.action].needs_note:
        conversation.step, conversation.draft = NOTE_STEP, pending.to_json()
        _ask_note(turn, pending.action)
        return
    await end_conversation(turn.session, turn.chat_id)
    await _execute_as_member(turn, pending)


async def _execute_as_member(turn: Turn, pending: PendingAction, *, note: str | None = None) -> None:
    """Act with the roles the member holds now (in a group: for the group's agency only)."""
    grants = await staff_roles(turn)
    if grants is not None:
        await _execute(turn, grants, pending, note=note)


async def _execute(turn: Turn, grants: list[Grant], pending: PendingAction, *, note: str | None = None,
                   resolution: ResolutionClass | None = None) -> None:
    request = ActionRequest(pending.action, pending.tracking_id, pending.version, note, pending.agency_code, resolution,
                            tuple(pending.files))
    result = await workflow.act(turn.session, turn.user.id, grants, turn.services.router.directory, request)
    next_buttons = action_keyboard(turn._, pending.tracking_id, result.version, result.next_actions) \
        if result.outcome is Outcome.DONE else None
    turn.say(_result_text(turn, pending, result), next_buttons)
    if result.handed_to:
        await notices.tell_holders(turn, (result.handed_to,), notices.NEW_REPORT, pending.tracking_id)


def _result_text(turn: Turn, pending: PendingAction, result: workflow.ActionResult) -> str:
    _, tracking_id = turn._, pending.tracking_id
    status = render.status_label(_, result.status) if result.status else ""
    if result.outcome is Outcome.DONE:
        return _("✅ Done. Report <code>{tracking_id}</code> is now: {status}. The reporter is told.").format(
            tracking_id=tracking_id, status=status)
    if result.outcome is Outcome.CHANGED:
        when = _.datetime(result.last_event.at) if result.last_event else ""
        return _("⚠️ Someone else acted on report <code>{tracking_id}</code> first ({when}); it is now: {status}. "
                 "Nothing was changed. Open it again to see what happened.").format(
            tracking_id=tracking_id, when=when, status=status)
    reasons = {
        Outcome.NOT_FOUND: _("No report has the tracking ID <code>{tracking_id}</code>."),
        Outcome.NOT_ALLOWED: _("This action on report <code>{tracking_id}</code> belongs to the other side of the "
                               "counter (the hub or the agency)."),
        Outcome.NOT_NOW: _("Report <code>{tracking_id}</code> is {status}: this action does not fit now."),
        Outcome.INCOMPLETE: _("Something is missing for this action on <code>{tracking_id}</code>; please start again."),
        Outcome.UNKNOWN_AGENCY: _("That agency is not in the directory; please start again."),
        Outcome.UNCHANGED: _("Report <code>{tracking_id}</code> is already there, and {status}: nothing was changed."),
    }
    return reasons[result.outcome].format(tracking_id=tracking_id, status=status)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(turn_handler(on_action_button, groups=True), pattern=f"^{ACT}:"))
    application.add_handler(CallbackQueryHandler(turn_handler(on_agency_button, groups=True), pattern=f"^{AGENCY}:"))
