"""Pieces every text about a report is made of (HTML parse mode: whatever a user typed or an import brought is
escaped, and shortened for display, the stored text staying whole; see bot/textlimits.py)."""

from __future__ import annotations

from html import escape

from bot.domain import CATEGORY_BY_CODE, REPORT_TYPE_LABELS, STATUS_LABELS, ReportType, Status
from bot.i18n import Translator
from bot.textlimits import shorten

NAME_SHOWN = 150  # an agency, a road, an area


def shown(text: str | None, limit: int = NAME_SHOWN) -> str:
    """Typed or imported text, shortened for display and escaped for HTML."""
    return escape(shorten(text or "", limit))


def yes_no(_: Translator, value: bool) -> str:
    return _("Yes") if value else _("No")


def type_label(_: Translator, code: str) -> str:
    return _(REPORT_TYPE_LABELS[ReportType(code)])


def category_label(_: Translator, code: str) -> str:
    category = CATEGORY_BY_CODE.get(code)
    return _(category.label) if category else code


def status_label(_: Translator, code: str) -> str:
    return _(STATUS_LABELS[Status(code)])
