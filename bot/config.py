"""Settings read from the environment (documented in README.md), checked before anything starts."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.db import POOL_SIZE
from bot.forwarding.targets import ForwardingConfigError, Targets, load as load_targets
from bot.i18n import SUPPORTED_LOCALES, Translator

TELEGRAM_API_BASE_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///lapor-bot.db"
DEFAULT_PORT = 8080
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


WHATSAPP_API_BASE_URL = "https://graph.facebook.com"
WHATSAPP_API_VERSION = "v21.0"


class ConfigError(ValueError):
    """A setting that cannot work; the message says which and how to fix it."""


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp Cloud API channel: on when its four secrets are set (README, "Connecting WhatsApp")."""

    phone_number_id: str | None = None
    access_token: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    api_base_url: str = WHATSAPP_API_BASE_URL
    api_version: str = WHATSAPP_API_VERSION
    webhook_path: str = "/whatsapp"
    messages_per_second: float = 80.0  # the phone number's throughput
    # Approved message templates (names as submitted to Meta) for what goes out after the 24-hour window:
    # a utility template for notices about a report, a marketing one for announcements (opted-in people only).
    notice_template: str = "lapor_kabar_laporan"
    announcement_template: str = "lapor_pengumuman"
    # The template languages submitted, per bot language (id, en): Meta's codes.
    template_languages: tuple[tuple[str, str], ...] = (("id", "id"), ("en", "en"))

    @property
    def enabled(self) -> bool:
        return bool(self.phone_number_id and self.access_token and self.app_secret and self.verify_token)

    def template_language(self, locale: str) -> str:
        return dict(self.template_languages).get(locale, self.template_languages[0][1])

    @classmethod
    def from_env(cls, env) -> "WhatsAppSettings":
        languages = env.get("WHATSAPP_TEMPLATE_LANGUAGES") or "id=id,en=en"
        return cls(
            phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID") or None,
            access_token=env.get("WHATSAPP_ACCESS_TOKEN") or None,
            app_secret=env.get("WHATSAPP_APP_SECRET") or None,
            verify_token=env.get("WHATSAPP_VERIFY_TOKEN") or None,
            api_base_url=(env.get("WHATSAPP_API_URL") or WHATSAPP_API_BASE_URL).rstrip("/"),
            api_version=env.get("WHATSAPP_API_VERSION") or WHATSAPP_API_VERSION,
            webhook_path="/" + (env.get("WHATSAPP_WEBHOOK_PATH") or "whatsapp").lstrip("/"),
            messages_per_second=_number(env, "WHATSAPP_RATE", 80.0, float),
            notice_template=env.get("WHATSAPP_TEMPLATE_NOTICE") or "lapor_kabar_laporan",
            announcement_template=env.get("WHATSAPP_TEMPLATE_ANNOUNCEMENT") or "lapor_pengumuman",
            template_languages=_pairs("WHATSAPP_TEMPLATE_LANGUAGES", languages),
        )

    def problems(self):
        given = [self.phone_number_id, self.access_token, self.app_secret, self.verify_token]
        if any(given) and not all(given):
            yield ("WhatsApp needs all of WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET and "
                   "WHATSAPP_VERIFY_TOKEN (or none of them)")
        if not _is_http_url(self.api_base_url):
            yield f"WHATSAPP_API_URL={self.api_base_url!r} is not an http(s) URL"
        if not 0 < self.messages_per_second <= 1000:
            yield f"WHATSAPP_RATE={self.messages_per_second} must be between 0 and 1000 messages a second"


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    api_base_url: str = TELEGRAM_API_BASE_URL
    telegram_proxy: str | None = None  # an http(s) proxy for Bot API calls (HTTPS_PROXY is read as well)
    database_url: str = DEFAULT_DATABASE_URL
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = DEFAULT_PORT
    default_locale: str = "id"
    media_dir: Path = field(default_factory=lambda: Path("media"))
    time_zone: str = "Asia/Jakarta"
    routing_dir: Path = field(default_factory=lambda: Path("routing-data"))
    routing_polygons: bool = True
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one JSON object per line, for log collectors
    delivery_rate: float = 30.0
    paid_broadcast_rate: float = 0.0  # announcements as Telegram's paid broadcasts, up to 1,000/s; 0: off
    delivery_lease_seconds: float = 60.0
    database_pool_size: int = POOL_SIZE  # the most PostgreSQL connections a process opens, each kept once opened
    outbox_keep_days: int = 7  # then a settled message's text is dropped (a sent one's row with it)
    invitation_days: int = 7
    bot_username: str | None = None  # for the deep links `lapor-bot staff invite` prints
    inbox_order_wait: float = 1.5  # seconds a chat's update waits for an older one still on its way; 0: off
    open311_per_minute: float = 120.0  # requests one Open311 API key may make a minute
    forwarding: Targets = field(default_factory=Targets)  # FORWARDING_FILE's systems (bot.forwarding.targets)
    whatsapp: WhatsAppSettings = field(default_factory=WhatsAppSettings)

    @property
    def sandbox(self) -> bool:
        """No token: the bot talks to the local Bot API emulator instead of Telegram."""
        return not self.bot_token

    @property
    def debug(self) -> bool:
        """Only at DEBUG may logs carry message content and SQL parameters."""
        return self.log_level == "DEBUG"

    def translator(self, locale: str | None = None) -> Translator:
        """A user's language (the default one when they chose none), dates in the configured time zone."""
        return Translator(locale or self.default_locale, self.time_zone)

    def without_token(self) -> "Settings":
        """The sandbox never uses a real token or webhook, even when they are set."""
        return replace(self, bot_token=None, webhook_url=None, webhook_secret=None)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Read and check the environment; raises ConfigError naming the variable that is wrong."""
        env = os.environ if env is None else env
        settings = cls(
            bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            api_base_url=(env.get("TELEGRAM_API_BASE_URL") or TELEGRAM_API_BASE_URL).rstrip("/"),
            telegram_proxy=env.get("TELEGRAM_PROXY") or None,
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            port=_number(env, "PORT", DEFAULT_PORT, int),
            default_locale=env.get("DEFAULT_LOCALE") or "id",
            media_dir=Path(env.get("MEDIA_DIR") or "media"),
            time_zone=env.get("TIME_ZONE") or "Asia/Jakarta",
            routing_dir=Path(env.get("ROUTING_DIR") or "routing-data"),
            routing_polygons=(env.get("ROUTING_POLYGONS") or "1").lower() not in ("0", "false", "no"),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            log_format=(env.get("LOG_FORMAT") or "text").lower(),
            delivery_rate=_number(env, "DELIVERY_RATE", 30.0, float),
            paid_broadcast_rate=_number(env, "PAID_BROADCAST_RATE", 0.0, float),
            delivery_lease_seconds=_number(env, "DELIVERY_LEASE_SECONDS", 60.0, float),
            database_pool_size=_number(env, "DATABASE_POOL_SIZE", POOL_SIZE, int),
            outbox_keep_days=_number(env, "OUTBOX_KEEP_DAYS", 7, int),
            invitation_days=_number(env, "INVITATION_DAYS", 7, int),
            bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
            inbox_order_wait=_number(env, "INBOX_ORDER_WAIT", 1.5, float),
            open311_per_minute=_number(env, "OPEN311_REQUESTS_PER_MINUTE", 120.0, float),
            forwarding=_forwarding(env),
            whatsapp=WhatsAppSettings.from_env(env),
        )
        settings.check()
        return settings

    def check(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise ConfigError("; ".join(problems))


def sandbox_settings(settings: Settings, env, port: int) -> Settings:
    """A sandbox on a port other than the default one is a sandbox of its own: unless DATABASE_URL is set, its
    reports go to a SQLite database of its own, ``lapor-bot-8090.db`` beside ``lapor-bot.db``."""
    if env.get("DATABASE_URL") or port == DEFAULT_PORT:
        return settings
    return replace(settings, database_url=DEFAULT_DATABASE_URL.replace(".db", f"-{port}.db"))


def _number(env, name: str, default, kind):
    raw = env.get(name)
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None


def _problems(settings: Settings):
    try:
        ZoneInfo(settings.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        yield f"TIME_ZONE={settings.time_zone!r} is not a time zone (for example Asia/Jakarta, Asia/Makassar, Asia/Jayapura)"
    if settings.default_locale not in SUPPORTED_LOCALES:
        yield f"DEFAULT_LOCALE={settings.default_locale!r} is not one of {', '.join(SUPPORTED_LOCALES)}"
    if settings.log_level not in LOG_LEVELS:
        yield f"LOG_LEVEL={settings.log_level!r} is not one of {', '.join(LOG_LEVELS)}"
    if settings.log_format not in ("text", "json"):
        yield f"LOG_FORMAT={settings.log_format!r} is not text or json"
    if not _is_http_url(settings.api_base_url):
        yield f"TELEGRAM_API_BASE_URL={settings.api_base_url!r} is not an http(s) URL"
    if settings.telegram_proxy and not _is_http_url(settings.telegram_proxy):
        yield f"TELEGRAM_PROXY={settings.telegram_proxy!r} is not an http(s) URL"
    yield from _webhook_problems(settings)
    try:
        make_url(settings.database_url)
    except ArgumentError:
        yield f"DATABASE_URL={settings.database_url!r} is not a database URL (for example sqlite+aiosqlite:///lapor-bot.db)"
    if not 0 < settings.port < 65536:
        yield f"PORT={settings.port} is not a port number"
    if not 0 < settings.delivery_rate <= 1000:
        yield f"DELIVERY_RATE={settings.delivery_rate} must be between 0 and 1000 messages a second"
    if not 0 <= settings.paid_broadcast_rate <= 1000:
        yield f"PAID_BROADCAST_RATE={settings.paid_broadcast_rate} must be between 0 (off) and 1000 messages a second"
    if settings.delivery_lease_seconds < 6:
        yield f"DELIVERY_LEASE_SECONDS={settings.delivery_lease_seconds} must be at least 6"
    if not 1 <= settings.database_pool_size <= 1000:
        yield f"DATABASE_POOL_SIZE={settings.database_pool_size} must be between 1 and 1000"
    if not 1 <= settings.outbox_keep_days <= 3650:
        yield f"OUTBOX_KEEP_DAYS={settings.outbox_keep_days} must be between 1 and 3650"
    if not 1 <= settings.open311_per_minute <= 100_000:
        yield f"OPEN311_REQUESTS_PER_MINUTE={settings.open311_per_minute} must be between 1 and 100000"
    if not 1 <= settings.invitation_days <= 365:
        yield f"INVITATION_DAYS={settings.invitation_days} must be between 1 and 365"
    if not 0 <= settings.inbox_order_wait <= 10:
        yield f"INBOX_ORDER_WAIT={settings.inbox_order_wait} must be between 0 (off) and 10 seconds"
    yield from settings.whatsapp.problems()


def _webhook_problems(settings: Settings):
    if not settings.webhook_url:
        return
    url = urlparse(settings.webhook_url)
    loopback = url.hostname in LOOPBACK_HOSTS
    if not url.hostname or not (url.scheme == "https" or (url.scheme == "http" and loopback)):
        yield f"WEBHOOK_URL={settings.webhook_url!r} must be an https URL (Telegram posts only to HTTPS)"
    if not settings.webhook_secret and not settings.sandbox:
        yield "WEBHOOK_SECRET must be set with WEBHOOK_URL, so that only Telegram can post updates"


def _pairs(name: str, raw: str) -> tuple[tuple[str, str], ...]:
    """``id=id,en=en_US`` as pairs."""
    try:
        pairs = tuple(tuple(part.strip() for part in item.split("=", 1)) for item in raw.split(",") if item.strip())
    except ValueError:
        pairs = ()
    if not pairs or any(len(pair) != 2 or not all(pair) for pair in pairs):
        raise ConfigError(f"{name}={raw!r} is not a list like id=id,en=en")
    return pairs  # type: ignore[return-value]


def _is_http_url(value: str) -> bool:
    url = urlparse(value)
    return url.scheme in ("http", "https") and bool(url.hostname)


def configure_logging(settings: Settings) -> None:
    """One line per event. Below DEBUG nothing logs message content: the HTTP client (which would print the
    token in URLs) and SQLAlchemy stay quiet, and SQL errors carry no parameters (see bot.db)."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    if settings.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                               rename_fields={"levelname": "level", "name": "logger"}))
    quiet = logging.DEBUG if settings.debug else logging.WARNING
    for name in ("httpx", "httpcore", "sqlalchemy.engine", "aiosqlite", "asyncio"):
        logging.getLogger(name).setLevel(quiet)


def _forwarding(env) -> Targets:
    path = env.get("FORWARDING_FILE") or None
    try:
        return load_targets(Path(path) if path else None, env)
    except ForwardingConfigError as error:
        raise ConfigError(str(error)) from None
