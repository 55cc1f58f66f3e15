"""What a citizen sends while writing a report: text, a place, photos and files, at whatever step."""

from __future__ import annotations

from bot.channels.incoming import Incoming, MediaSent, Unsupported
from bot.db.models import Conversation
from bot.domain import MAX_ATTACHMENTS
from bot.domain.draft import AttachmentRef, Draft
from bot.domain.steps import Step
from bot.services import intake
from bot.services.conversations import draft_of, save_draft
from bot.services.intake import InputRejected
from handlers.intake import albums, pins

SPOKEN = ("voice", "audio")  # recordings: kept, and a written line asked beside them

# Entry points ----------------------------------------------------------------------------------
from handlers.intake.flow import cancel, go_back, hint, move_on, rejection_text
from handlers.intake.prompts import (
    prompt,
)
from handlers.turn import Turn


async def on_message(turn: Turn, conversation: Conversation) -> None:
    """A message while a report is in progress: the answer to the current step, or a hint."""
    incoming, step, draft = turn.incoming, Step(conversation.step), draft_of(conversation)
    try:
        if incoming.media:
            await _take_attachment(turn, conversation, step, draft, incoming.media)
        elif incoming.place:
            await pins.take_point(turn, conversation, step, draft, incoming.place)
        elif incoming.typed:
            await _take_text(turn, conversation, step, draft, incoming.typed)
        elif (not_received := not_received_text(incoming, turn._)) is not None:
            hint(turn, conversation, not_received)
        else:
            hint(turn, conversation, turn._("I cannot use that kind of message here."))
    except InputRejected as rejected:
        hint(turn, conversation, "⚠️ " + rejection_text(turn._, rejected))


async def _take_text(turn: Turn, conversation: Conversation, step: Step, draft: Draft, text: str) -> None:
    _ = turn._
    if step == Step.LOCATION and text.strip() == _("⬅️ Back"):  # the location step's reply keyboard
        await go_back(turn, conversation)
    elif step == Step.LOCATION and text.strip() == _("✖️ Cancel"):
        await cancel(turn)
    elif step == Step.DESCRIPTION:
        intake.set_description(draft, text)
        await move_on(turn, conversation, draft, step)
    elif step == Step.LOCATION:
        intake.set_location_text(draft, text)
        if intake.ask_again_for_place(turn.services.router, draft):
            save_draft(conversation, draft, step)
            prompt(turn, step, draft, "🔎 " + _(
                "I cannot find that place. Please type the district (kecamatan) and the city or regency, "
                "for example: <i>Kec. Cilaku, Kab. Cianjur</i>."))
            return
        await pins.location_taken(turn, conversation, draft)
    elif step == Step.ROAD:
        intake.set_road(draft, text)
        await move_on(turn, conversation, draft, step)
    else:
        hint(turn, conversation, _("Please answer with the buttons below."))


def not_received_text(incoming: Incoming, _) -> str | None:
    """What to say of a file its channel could not bring (too large, or not there), or None."""
    content = incoming.content
    if not isinstance(content, Unsupported):
        return None
    if content.too_large is not None:
        return _("That file is too large for me to receive. Please send a smaller one.")
    if content.unavailable is not None:
        return _("I could not receive that file. Please send it again.")
    return None


def attachment_of(incoming: Incoming) -> AttachmentRef | None:
    return incoming.media.file if incoming.media else None


async def _take_attachment(turn: Turn, conversation: Conversation, step: Step, draft: Draft, media: MediaSent) -> None:
    """Files are kept at any step, so that nothing a citizen sends is lost."""
    _, album = turn._, media.album
    try:
        intake.add_attachment(draft, media.file)
        refusal = None
    except InputRejected as rejected:
        if album is None:
            raise
        refusal = rejection_text(_, rejected)
    if album is not None:
        albums.note_part(draft, album, refusal)
    save_draft(conversation, draft, step)
    if media.caption and step == Step.DESCRIPTION and _caption_describes(draft, media.caption):
        await move_on(turn, conversation, draft, step)
        return
    note = None
    if media.file.kind in SPOKEN and not draft.description:
        note = _("🎙️ Recording kept for your report: staff will listen to it. Please also write one short line "
                 "about the problem, so that it can be read at a glance:")
    elif step != Step.ATTACHMENTS:
        note = _("📎 File kept for your report ({count} of {maximum}). Now, please answer this question:").format(
            count=len(draft.attachments), maximum=MAX_ATTACHMENTS
        )
    if album is None:
        prompt(turn, step, draft, note)
    else:
        albums.acknowledge(turn, step, draft, note)


def _caption_describes(draft: Draft, caption: str) -> bool:
    """A caption long enough to be the description is taken as it; a short one is not."""
    try:
        intake.set_description(draft, caption)
    except InputRejected:
        return False
    return True


