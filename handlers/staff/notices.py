"""What staff read when a deadline nears or passes, or a reporter acts on a report they hold (each message in
its reader's language)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from bot.db.models import User
from bot.delivery.messages import Text
from bot.i18n import N_, Translator
from bot.services import staff
from bot.services.deadline_sweep import Notice, NoticeKind
from handlers.staff.report_view import due_text
from handlers.turn import Turn


def notice_text(_: Translator, notice: Notice) -> str:
    if notice.kind is NoticeKind.REMINDER:
        text = _("⏰ <b>Report {tracking_id} is due soon</b>: by {due}.")
    else:
        text = _("🔴 <b>Report {tracking_id} is overdue</b> since {due}; it is escalated to you.")
    return text.format(tracking_id=notice.tracking_id, due=due_text(_, notice.due)) + "\n" + open_line(_, notice.tracking_id)


NEW_REPORT = N_("📥 <b>A report for you</b>: {tracking_id}.")


def open_line(_: Translator, tracking_id: str) -> str:
    return _("Open it: /kotakmasuk {tracking_id}").format(tracking_id=tracking_id)


async def tell_holders(turn: Turn, codes: Iterable[str | None], headline: str, tracking_id: str) -> None:
    """Tell everyone who acts for the agencies or hubs ``codes`` about a report, each in their own language:
    ``headline`` (a msgid with ``{tracking_id}``) and how to open it."""
    directory, codes = turn.services.router.directory, [code for code in dict.fromkeys(codes) if code]
    holders = await staff.holders(turn.session, codes)
    recipients = list(dict.fromkeys(user for code in codes for user in holders.of(directory, code)))
    if not recipients:
        return
    locales = dict((await turn.session.execute(select(User.id, User.locale).where(User.id.in_(recipients)))).all())
    for user_id in recipients:
        _ = turn.services.settings.translator(locales.get(user_id))
        turn.send(Text(_(headline).format(tracking_id=tracking_id) + "\n" + open_line(_, tracking_id)), chat_id=user_id)
