"""What staff read when a deadline nears or passes (rendered in each reader's language)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.deadline_sweep import Notice, NoticeKind
from handlers.staff.report_view import due_text



def notice_text(_: Translator, notice: Notice) -> str:
    if notice.kind is NoticeKind.REMINDER:
        text = _("⏰ <b>Report {tracking_id} is due soon</b>: by {due}.")
    else:
        text = _("🔴 <b>Report {tracking_id} is overdue</b> since {due}; it is escalated to you.")
    return (text.format(tracking_id=notice.tracking_id, due=due_text(_, notice.due)) + "\n"
            + _("Open it: /kotakmasuk {tracking_id}").format(tracking_id=notice.tracking_id))
