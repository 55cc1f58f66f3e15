"""Staff roles as people read them, and what someone hears when their role ends."""

from __future__ import annotations

from html import escape

from bot.domain.roles import Role
from bot.i18n import N_, Translator
from routing.agencies import Directory

ROLE_LABELS = {
    Role.NATIONAL_ADMIN: N_("national admin"),
    Role.HUB_ADMIN: N_("hub admin (admin koordinator)"),
    Role.LIAISON: N_("agency liaison (admin penghubung)"),
    Role.STAFF: N_("agency staff"),
}


def describe_in(_: Translator, directory: Directory, role: Role, agency_code: str | None) -> str:
    """"agency liaison (admin penghubung) — Dinas ... (PUPR-13.71)", in the reader's language."""
    label = _(ROLE_LABELS[role])
    return label if agency_code is None else f"{label} — {agency_text(directory, agency_code)}"


def agency_text(directory: Directory, agency_code: str) -> str:
    agency = directory.agencies.get(agency_code)
    return f"{escape(agency.name)} ({escape(agency_code)})" if agency else escape(agency_code)


def role_ended_text(_: Translator, directory: Directory, role: Role, agency_code: str | None) -> str:
    return _("Your role as {role} has ended. Thank you for your work.").format(
        role=describe_in(_, directory, role, agency_code))
