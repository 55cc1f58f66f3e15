"""Announcements citizens may subscribe to: the topics, and why a subscription ended."""

from __future__ import annotations

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
