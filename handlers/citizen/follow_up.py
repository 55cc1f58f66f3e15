"""The citizen's side after an answer: they reply to the agency's answer (the "Reply" button under it), and
after rating the final answer they may add a comment. Each takes the citizen's next message.

An album arrives as one update per file; its later parts follow the first into the same report, so a reply
(or an answer to "Perlu informasi tambahan") with five photos is one message to the agency, acknowledged once.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape


from bot.channels.incoming import Incoming
from bot.db.models import Report, ReportEvent, utcnow
from bot.delivery.messages import Text
from bot.services import closing
from bot.services.closing import COMMENT_MAX_CHARS, Closing
from bot.domain.conversation_state import FollowUp, Purpose, ReporterAnswer
from bot.domain.flows import Flow
from bot.services.conversations import end_conversation, load_conversation, other_flow_open, start_conversation, state_of
from bot.services.replies import add_album_part, add_reply, repliable_report
from bot.domain.choices import ReplyTo
from handlers.commands import Tap
from handlers.intake.albums import ALBUM_SETTLE
from handlers.intake.messages import attachment_of
from handlers.turn import Turn


# How long a follow-up waits for the citizen's message: a reply was asked for with a button; a comment is
# only offered after the rating, so a message much later is about something else.
WAITS = {Purpose.REPLY: timedelta(days=1), Purpose.COMMENT: timedelta(minutes=30)}


def answer_of(incoming: Incoming) -> ReporterAnswer | None:
    """What a message carries that can be added to a report; None for anything else (a sticker ...)."""
    attachment, text, place = attachment_of(incoming), incoming.text, incoming.place
    if not (text or attachment or place):
        return None
    return ReporterAnswer(text, [attachment] if attachment else [], place.latitude if place else None,
                          place.longitude if place else None)


async def _other_conversation(turn: Turn) -> bool:
    """A draft or a pending choice is open: a follow-up must not replace it."""
    return await other_flow_open(turn.session, turn.chat_id, Flow.FOLLOW_UP)


async def _begin(turn: Turn, follow: FollowUp) -> None:
    await start_conversation(turn.session, turn.chat_id, turn.user.id, follow)


async def on_reply_button(turn: Turn) -> None:
    tracking_id = turn.choice.tracking_id
    if await repliable_report(turn.session, turn.user.id, tracking_id) is None:
        turn.notify_callback(turn._("This report is no longer with the agency, so it takes no reply."))
        return
    if await _other_conversation(turn):
        turn.notify_callback(turn._("Please finish or cancel (/batal) what you are writing first."))
        return
    await _begin(turn, FollowUp(tracking_id, Purpose.REPLY))
    turn.say(turn._("Type your reply to the agency about report <code>{tracking_id}</code>. You may send photos, "
                    "videos or documents with it. /batal cancels.").format(tracking_id=tracking_id))


async def invite_comment(turn: Turn, tracking_id: str) -> bool:
    """After a rating: the citizen's next text is its comment. False when something else is open."""
    if await _other_conversation(turn):
        return False
    await _begin(turn, FollowUp(tracking_id, Purpose.COMMENT))
    return True


async def take(turn: Turn) -> bool:
    """Handle a message that a follow-up waits for; False lets the message go where it would otherwise."""
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.FOLLOW_UP)
    if conversation is None:
        return False
    follow = state_of(conversation, FollowUp)
    if follow.purpose in WAITS and utcnow() - conversation.updated_at > WAITS[follow.purpose]:
        await end_conversation(turn.session, turn.chat_id)  # long forgotten: this message is about something else
        return False
    if follow.purpose is Purpose.ALBUM_REST and turn.incoming.album == follow.album_id:
        await _album_part(turn, follow)
        return True
    if follow.purpose is Purpose.REPLY:
        return await _reply(turn, follow)
    if follow.purpose is Purpose.COMMENT and turn.incoming.typed:
        return await _comment(turn, follow)
    await end_conversation(turn.session, turn.chat_id)  # anything else ends what waited, and goes its own way
    return False


async def _reply(turn: Turn, follow: FollowUp) -> bool:
    answer = answer_of(turn.incoming)
    if answer is None:
        turn.say(turn._("Please type your reply, or send a photo, video or document."))
        return True
    report = await repliable_report(turn.session, turn.user.id, follow.tracking_id)
    if report is None:
        await end_conversation(turn.session, turn.chat_id)
        return False
    event = await add_reply(turn.session, report, answer, turn.services.notices)
    await end_conversation(turn.session, turn.chat_id)
    await acknowledge(turn, report, event, turn._(
        "✅ Thank you. Your reply was added to report <code>{tracking_id}</code> and {agency} is told."
    ).format(tracking_id=report.tracking_id, agency=escape(report.agency_name or turn._("the agency"))))
    return True



async def _comment(turn: Turn, follow: FollowUp) -> bool:
    outcome = await closing.comment(turn.session, turn.user.id, follow.tracking_id, turn.incoming.typed)
    if outcome is Closing.TOO_LONG:  # the comment still waits: a shorter one may follow
        turn.say(turn._("That is too long: please keep it within {maximum} characters.").format(
            maximum=turn._.number(COMMENT_MAX_CHARS)))
        return True
    await end_conversation(turn.session, turn.chat_id)
    if outcome is not Closing.DONE:
        return False
    turn.say(turn._("📝 Thank you: your comment was added to your rating of report <code>{tracking_id}</code>.").format(
        tracking_id=follow.tracking_id))
    return True


async def acknowledge(turn: Turn, report: Report, event: ReportEvent, text: str) -> None:
    """Say ``text`` once per message, or once per album: then the album's later parts follow into the report."""
    album = turn.incoming.album
    if album is None:
        turn.say(text)
        return
    turn.send(Text(text), delay=ALBUM_SETTLE, replace_key=f"follow:{album}")
    await _begin(turn, FollowUp(report.tracking_id, Purpose.ALBUM_REST, album, event.id, text))


async def _album_part(turn: Turn, follow: FollowUp) -> None:
    attachment = attachment_of(turn.incoming)
    if attachment is not None:
        await add_album_part(turn.session, turn.user.id, follow.tracking_id, attachment, follow.event_id)
    turn.send(Text(follow.acknowledgement or ""), delay=ALBUM_SETTLE, replace_key=f"follow:{follow.album_id}")


async def stop(turn: Turn) -> bool:
    """``/batal`` while a reply or a comment waits; False when none does."""
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.FOLLOW_UP)
    if conversation is None:
        return False
    await end_conversation(turn.session, turn.chat_id)
    turn.say(turn._("Stopped: nothing was added to report <code>{tracking_id}</code>.").format(
        tracking_id=state_of(conversation, FollowUp).tracking_id))
    return True


TAPS = (Tap(ReplyTo, on_reply_button),)
