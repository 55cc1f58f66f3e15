"""Translations from the gettext catalogs in ``locales/``, and locale-aware formatting with babel.

Msgids are English; ``locales/id`` holds the Indonesian text that users see by default. The ``.po``
files are compiled in memory when first used, so there is no ``.mo`` build step to forget.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SUPPORTED_LOCALES = ("id", "en")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, where the user's locale is known."""
    return message


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    path = catalog_path(locale)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def normalise_locale(locale: str | None, default: str = "id") -> str:
    if locale:
        language = locale.replace("-", "_").split("_")[0].lower()
        if language in SUPPORTED_LOCALES:
            return language
    return default


def zone_label(zone: ZoneInfo, local: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; elsewhere the offset ("UTC+02:00")."""
    from bot.domain.calendar import IndonesianTime  # here: bot.domain imports this module

    if zone.key in tuple(IndonesianTime):
        return IndonesianTime(zone.key).name
    offset = int(local.utcoffset().total_seconds() // 60)
    return f"UTC{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


class Translator:
    """Everything a reply needs to speak one user's language."""

    def __init__(self, locale: str, time_zone: str = "Asia/Jakarta") -> None:
        self.locale = normalise_locale(locale)
        self.zone = ZoneInfo(time_zone)
        self._translations = translations(self.locale)

    def __call__(self, message: str) -> str:
        return self._translations.gettext(message)

    def plural(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def datetime(self, moment: datetime, zone: ZoneInfo | None = None) -> str:
        """A moment to the minute, with its zone ("4 Des 2026 23.59 WIB"): seconds mean nothing to a reader,
        and the zone says whose clock it is (an office in Papua keeps WIT)."""
        zone = zone or self.zone
        local = moment.astimezone(zone)
        pattern = dates.get_datetime_format("medium", locale=self.locale)
        text = pattern.format(dates.format_time(local, "short", locale=self.locale),
                              dates.format_date(local, "medium", locale=self.locale))
        return f"{text} {zone_label(zone, local)}"

    def date(self, moment: datetime) -> str:
        return dates.format_date(moment.astimezone(self.zone), "medium", locale=self.locale)

    def number(self, value: float) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def ago(self, moment: datetime, now: datetime) -> str:
        """How long before ``now`` a moment was, roughly ("3 hari yang lalu")."""
        return dates.format_timedelta(moment - now, add_direction=True, locale=self.locale)

    def percent(self, share: float) -> str:
        """A share (0.853) as a percentage with one decimal ("85,3%" in Indonesian)."""
        return numbers.format_percent(share, "#,##0.0%", locale=self.locale)

    def day(self, day: date) -> str:
        return dates.format_date(day, "medium", locale=self.locale)

    def month(self, month: date) -> str:
        """A month for a chart's axis ("Nov 2026")."""
        return dates.format_date(month, "MMM yyyy", locale=self.locale)
