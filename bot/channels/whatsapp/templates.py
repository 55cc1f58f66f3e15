"""What goes out after WhatsApp's 24-hour window: a template Meta approved, with the message's text as its one
parameter. News of a report (a status change, a request for information, a deadline; ``Purpose.REPLY`` and
``NOTICE``) goes as the utility template ``WHATSAPP_TEMPLATE_NOTICE``; an announcement (``Purpose.ANNOUNCEMENT``)
as the marketing template ``WHATSAPP_TEMPLATE_ANNOUNCEMENT``, to people who opted in only (the transport checks).

``TEMPLATES`` is the text an operator submits to Meta for approval, in each language the bot speaks (README,
"Connecting WhatsApp", quotes it). A template parameter may hold no newline or tab and no more than four spaces
in a row, so the message is flattened: its lines joined with " · "."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.channels.whatsapp import limits
from bot.channels.whatsapp.text import shorten, to_whatsapp
from bot.config import WhatsAppSettings
from bot.delivery.transport import Purpose
from bot.i18n import normalise_locale

PARAMETER = 900  # characters of the parameter at most (the template's own words must fit beside it: ``room``)
LINE_JOIN = " · "
TEMPLATE_MARGIN = 64


@dataclass(frozen=True)
class TemplateText:
    """One template as submitted to Meta: its category and its body per language, ``{{1}}`` the parameter."""

    setting: str  # the WhatsAppSettings field (and WHATSAPP_TEMPLATE_* variable) naming it
    default_name: str
    category: str  # UTILITY or MARKETING
    body: dict[str, str]  # language -> text
    example: dict[str, str]  # language -> an example parameter (Meta asks for one)

    @property
    def room(self) -> int:
        """Characters left for the parameter in the body WhatsApp builds (1,024 in all), in every language, with
        a margin for an operator's template worded a little longer."""
        own = max(len(text.replace("{{1}}", "")) for text in self.body.values())
        return min(PARAMETER, limits.TEMPLATE_BODY - own - TEMPLATE_MARGIN)


NOTICE = TemplateText(
    setting="notice_template",
    default_name="lapor_kabar_laporan",
    category="UTILITY",
    body={
        "id": "Ada kabar baru tentang laporan Anda di LAPOR!:\n\n{{1}}\n\n"
              "Balas pesan ini untuk melihat rinciannya atau melanjutkan.",
        "en": "There is news about your LAPOR! report:\n\n{{1}}\n\n"
              "Reply to this message to see the details or to continue.",
    },
    example={
        "id": "Laporan K7MQ9-TRXZS kini berstatus Ditindaklanjuti oleh Dinas PUPR Kabupaten Bogor.",
        "en": "Report K7MQ9-TRXZS is now in progress at the Public Works Office of Bogor Regency.",
    },
)

ANNOUNCEMENT = TemplateText(
    setting="announcement_template",
    default_name="lapor_pengumuman",
    category="MARKETING",
    body={
        "id": "Pengumuman layanan publik dari LAPOR!:\n\n{{1}}\n\n"
              "Anda menerima pesan ini karena berlangganan pengumuman LAPOR!. "
              "Balas /berhenti untuk berhenti berlangganan.",
        "en": "A public service announcement from LAPOR!:\n\n{{1}}\n\n"
              "You receive this because you subscribed to LAPOR! announcements. "
              "Reply /berhenti to unsubscribe.",
    },
    example={
        "id": "Jalan Raya Cibinong ditutup sementara pada Sabtu, 10.00-14.00 WIB, untuk perbaikan.",
        "en": "Jalan Raya Cibinong is closed on Saturday, 10:00-14:00 WIB, for repairs.",
    },
)

TEMPLATES = (NOTICE, ANNOUNCEMENT)

# The parameter when a message has no words of its own (a photo without a caption, a place).
NOTHING_TO_SAY = {
    "id": {"media": "Petugas mengirim berkas untuk Anda.", "location": "Petugas mengirim sebuah lokasi untuk Anda.",
           "other": "Ada pesan baru untuk Anda."},
    "en": {"media": "The staff sent you a file.", "location": "The staff sent you a location.",
           "other": "There is a new message for you."},
}


def template_for(purpose: Purpose) -> TemplateText:
    return ANNOUNCEMENT if purpose is Purpose.ANNOUNCEMENT else NOTICE


def flatten(text: str, limit: int = PARAMETER) -> str:
    """WhatsApp text as one template parameter: lines joined with " · ", every run of spaces or tabs one space,
    at most ``limit`` characters."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return shorten(LINE_JOIN.join(line for line in lines if line), limit)


def parameter(html: str | None, locale: str | None = None, what: str = "other", limit: int = PARAMETER) -> str:
    """The parameter for a message's text (Telegram HTML); a message without words says what came instead."""
    flat = flatten(to_whatsapp(html), limit)
    if what == "location":  # a place: what it is, then its link
        return flatten(f"{NOTHING_TO_SAY[normalise_locale(locale)][what]} {flat}", limit)
    return flat or NOTHING_TO_SAY[normalise_locale(locale)][what]


def template_body(settings: WhatsAppSettings, purpose: Purpose, html: str | None, locale: str | None,
                  what: str = "other") -> dict[str, Any]:
    """The message body (without ``to``) that sends ``html`` as the template for ``purpose``."""
    template = template_for(purpose)
    return {"type": "template", "template": {
        "name": getattr(settings, template.setting),
        "language": {"code": settings.template_language(normalise_locale(locale))},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": parameter(html, locale, what, template.room)}]}],
    }}


def submission() -> str:
    """The templates to submit to Meta, as Markdown (for README and ``lapor-bot``'s help): name, category,
    language, body and an example parameter."""
    lines = []
    for template in TEMPLATES:
        lines.append(f"- `{template.default_name}` ({template.category}; WHATSAPP_TEMPLATE_"
                     f"{template.setting.removesuffix('_template').upper()}), one body parameter `{{{{1}}}}`:")
        for language, body in template.body.items():
            quoted = "\n".join(f"    > {line}" if line else "    >" for line in body.split("\n"))
            lines.append(f"  - language `{language}`:\n{quoted}\n\n    example: {template.example[language]}")
    return "\n".join(lines)
