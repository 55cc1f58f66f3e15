"""Announcements citizens may subscribe to: the topics, and why a subscription ended."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_

# Announcement topics, each with its label (an English msgid). A new subscription has all of them.
TOPICS: dict[str, str] = {
    "layanan": N_("Public services (ID cards, health, schools)"),
    "infrastruktur": N_("Roads and public works"),
    "darurat": N_("Emergencies and disasters"),
    "lapor": N_("News about SP4N-LAPOR!"),
}


class EndReason(StrEnum):
    OPTED_OUT = "opted_out"  # the citizen asked
    BLOCKED = "blocked"  # the citizen blocked the bot: dropped from every list, until they subscribe again
    FORGOTTEN = "forgotten"  # the citizen asked the bot to forget their contact (/lupakan)


class State(StrEnum):
    SENDING = "sending"  # recipients are being queued
    PAUSED = "paused"
    CANCELLED = "cancelled"
    QUEUED = "queued"  # every recipient is queued; the outbox sends the rest


@dataclass(frozen=True)
class Progress:
    recipients: int  # counted when sending started
    sent: int
    failed: int  # Telegram refused the copy for good
    blocked: int  # the chat had blocked the bot
    opted_out: int  # the subscriber opted out before their copy went out
    waiting: int  # copies queued, not yet sent
    not_queued: int  # recipients still to be queued (none once all are queued, or cancelled)

    @property
    def remaining(self) -> int:
        return self.waiting + self.not_queued
