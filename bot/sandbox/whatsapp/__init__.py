"""A local WhatsApp Cloud API emulator (Graph API for the bot, people who write to it, signed webhooks): the
WhatsApp channel's sandbox and its tests' counterpart, as bot/sandbox/emulator.py is Telegram's."""

from bot.sandbox.whatsapp.emulator import Sent, Stats, WhatsAppEmulator
from bot.sandbox.whatsapp.errors import MetaError
from bot.sandbox.whatsapp.limits import Throughput
from bot.sandbox.whatsapp.model import update_id_for
from bot.sandbox.whatsapp.people import NoSuchButton
from bot.sandbox.whatsapp.templates import DEFAULT_TEMPLATES, Template
from bot.sandbox.whatsapp.webhooks import signature

__all__ = ["DEFAULT_TEMPLATES", "MetaError", "NoSuchButton", "Sent", "Stats", "Template", "Throughput",
           "WhatsAppEmulator", "signature", "update_id_for"]
