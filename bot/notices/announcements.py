"""What a subscriber receives (the announcement, in their language, always with the way out), and what the
admin who sent it sees while it goes out."""

from __future__ import annotations

from collections.abc import Callable

from bot.channels.markup import Choice, Choices
from bot.db.models import Broadcast
from bot.delivery.messages import Edit, Media, Outgoing, Text
from bot.domain.announcements import Progress, State
from bot.domain.choices import BroadcastChoice, SubscriptionChoice
from bot.i18n import N_, Translator
from bot.notices.text import shown as displayed

WAY_OUT = "—\n/berhenti: {stop}"


def renderer(translator: Callable[[str | None], Translator]) -> Callable[[Broadcast], Callable[[str], Outgoing]]:
    """For the broadcast job: a broadcast -> (a recipient's locale -> their copy)."""

    def for_broadcast(broadcast: Broadcast) -> Callable[[str], Outgoing]:
        def copy(locale: str) -> Outgoing:
            _ = translator(locale)
            text = broadcast.text + "\n\n" + _sender_line(_, broadcast) + WAY_OUT.format(stop=_("no more announcements"))
            markup = Choices([[Choice.of(_("🔕 Unsubscribe"), SubscriptionChoice("stop"))]])
            if broadcast.media_kind and broadcast.media_file_id:
                return Media(broadcast.media_kind, broadcast.media_file_id, caption=text, markup=markup)
            return Text(text, markup)

        return copy

    return for_broadcast


def _sender_line(_: Translator, broadcast: Broadcast) -> str:
    """Which office sent it (an announcement started before senders were recorded has none)."""
    return _("📣 From: {sender}").format(sender=displayed(broadcast.sender)) + "\n" if broadcast.sender else ""


def progress_view(translator: Callable[[str | None], Translator], bulk_per_second: float):
    """For the broadcast job: the admin's progress message (an edit), with pause, resume and stop while it
    runs. The time left is estimated at the bulk pace."""

    def edit(broadcast: Broadcast, shown: Progress, locale: str | None) -> Outgoing:
        _ = translator(locale)
        counts = _("Sent {sent} · failed {failed} · blocked {blocked} · opted out {opted_out} · remaining {remaining}").format(
            sent=_.number(shown.sent), failed=_.number(shown.failed), blocked=_.number(shown.blocked),
            opted_out=_.number(shown.opted_out), remaining=_.number(shown.remaining))
        state = broadcast.state if broadcast.progress_final or broadcast.state == State.PAUSED else State.SENDING
        header = _("📣 <b>Announcement #{number}</b> to {recipients} subscribers: {state}").format(
            number=broadcast.id, recipients=_.number(shown.recipients), state=_(STATE_LABELS[state]))
        lines = [header, counts]
        buttons = []
        if not broadcast.progress_final:
            lines += _time_left(_, broadcast, shown, bulk_per_second)
            stop = Choice.of("✖️ " + _("Stop"), BroadcastChoice("stop", str(broadcast.id)))
            if broadcast.state in (State.SENDING, State.QUEUED):
                buttons = [[Choice.of("⏸ " + _("Pause"), BroadcastChoice("pause", str(broadcast.id))), stop]]
            elif broadcast.state == State.PAUSED:
                buttons = [[Choice.of("▶️ " + _("Resume"), BroadcastChoice("resume", str(broadcast.id))), stop]]
            else:
                buttons = [[stop]]
        return Edit(broadcast.progress_message_id, "\n".join(lines), Choices(buttons) if buttons else None)

    return edit


def _time_left(_: Translator, broadcast: Broadcast, shown: Progress, bulk_per_second: float) -> list[str]:
    """At the bulk pace; nothing while paused (it waits for the admin) or once nothing remains."""
    if broadcast.state == State.PAUSED or not shown.remaining:
        return []
    minutes = round(shown.remaining / bulk_per_second / 60)
    if minutes < 1:
        return [_("Less than a minute left.")]
    return [_.plural("About {minutes} minute left.", "About {minutes} minutes left.", minutes).format(
        minutes=_.number(minutes))]


STATE_LABELS = {
    State.SENDING: N_("sending"),
    State.PAUSED: N_("paused"),
    State.CANCELLED: N_("stopped"),
    State.QUEUED: N_("sent to everyone"),
}
