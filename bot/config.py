"""Settings read from the environment (documented in README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.i18n import Translator

TELEGRAM_API_BASE_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///lapor-bot.db"


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    api_base_url: str = TELEGRAM_API_BASE_URL
    database_url: str = DEFAULT_DATABASE_URL
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = 8080
    default_locale: str = "id"
    media_dir: Path = field(default_factory=lambda: Path("media"))
    time_zone: str = "Asia/Jakarta"
    routing_dir: Path = field(default_factory=lambda: Path("routing-data"))
    routing_polygons: bool = True

    @property
    def sandbox(self) -> bool:
        """No token: the bot talks to the local Bot API emulator instead of Telegram."""
        return not self.bot_token

    def translator(self, locale: str | None = None) -> Translator:
        """A user's language (the default one when they chose none), dates in the configured time zone."""
        return Translator(locale or self.default_locale, self.time_zone)

    def without_token(self) -> "Settings":
        """The sandbox never uses a real token or webhook, even when they are set."""
        return replace(self, bot_token=None, webhook_url=None, webhook_secret=None)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            api_base_url=(env.get("TELEGRAM_API_BASE_URL") or TELEGRAM_API_BASE_URL).rstrip("/"),
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            port=int(env.get("PORT") or 8080),
            default_locale=env.get("DEFAULT_LOCALE") or "id",
            media_dir=Path(env.get("MEDIA_DIR") or "media"),
            time_zone=env.get("TIME_ZONE") or "Asia/Jakarta",
            routing_dir=Path(env.get("ROUTING_DIR") or "routing-data"),
            routing_polygons=(env.get("ROUTING_POLYGONS") or "1").lower() not in ("0", "false", "no"),
        )
