"""One dispatch: which handler takes an incoming message. A command goes to its feature, a tapped choice to the
feature that registered its kind, and everything else to the conversation the chat is in (handlers.fallbacks)."""

from __future__ import annotations

import logging
from typing import Any

from bot.channels.channel import Channel
from bot.channels.incoming import CommandSent, Edited, Incoming, MembershipChanged, Tapped
from handlers import chat_member, failures, fallbacks
from handlers.admin import broadcast as admin_broadcast
from handlers.admin import export as admin_export
from handlers.admin import statistics as admin_statistics
from bot.domain.choices import unpack
from handlers.citizen import announcements, answers, closing, follow_up, forgetting, menu, reports, status, supporting
from handlers.commands import Command, Tap
from handlers import openings
from handlers.intake import steps
from handlers.staff import actions as staff_actions
from handlers.staff import groups as staff_groups
from handlers.staff import inbox as staff_inbox
from handlers.staff import members as staff_members
from handlers.staff import roles as staff_roles
from handlers.turn import Route, run_turn

log = logging.getLogger(__name__)

FEATURES = (staff_roles, staff_inbox, staff_groups, staff_members, menu, status, reports, steps, announcements,
            admin_broadcast, admin_statistics, admin_export, answers, closing, follow_up, staff_actions, openings,
            forgetting, supporting)
MENU_ORDER = ("lapor", "status", "laporanku", "dukung", "langganan", "berhenti", "bahasa", "lupakan", "bantuan", "kembali",
              "batal")


def _commands() -> dict[str, Command]:
    table: dict[str, Command] = {}
    for command in (command for feature in FEATURES for command in getattr(feature, "COMMANDS", ())):
        for name in filter(None, (command.name, command.alias)):
            if name in table:
                raise ValueError(f"/{name} is answered twice")
            table[name] = command
    return table


def _taps() -> dict[type, Tap]:
    table: dict[type, Tap] = {}
    for tap in (tap for feature in FEATURES for tap in getattr(feature, "TAPS", ())):
        if tap.kind in table:
            raise ValueError(f"{tap.kind.__name__} is taken twice")
        table[tap.kind] = tap
    return table


COMMANDS, TAPS = _commands(), _taps()


def route(incoming: Incoming) -> Route:
    match incoming.content:
        case CommandSent(name, args):
            if name == "start" and args:  # a deep link: a report to support, or a staff invitation
                return Route(supporting.support_from_link if supporting.is_support_link(args)
                             else staff_roles.redeem_invitation)
            if name == "start":
                return Route(menu.start)
            command = COMMANDS.get(name)
            return Route(command.handler, command.groups) if command else Route(fallbacks.on_unknown_command)
        case Tapped(data):
            choice = unpack(data)
            tap = TAPS.get(type(choice))
            return Route(tap.handler, tap.groups, choice) if tap else Route(fallbacks.on_unknown_button)
        case Edited():
            return Route(fallbacks.on_edited_message)
        case MembershipChanged():
            return Route(chat_member.on_bot_status, groups=True)
    return Route(fallbacks.on_message, groups=True)


async def handle(incoming: Incoming, services: Any, channel: Channel) -> None:
    """Run the turn for ``incoming``; a failure is recorded for the inbox, which tries the update again."""
    try:
        await run_turn(incoming, route(incoming), services, channel)
    except Exception as error:
        failures.record_failure(incoming.update_id, error, services.settings.debug)


def menu_commands() -> list[Command]:
    """Every feature's commands, in the order of the command menu."""
    listed = [command for feature in FEATURES for command in getattr(feature, "COMMANDS", ()) if command.menu]
    return sorted(listed, key=lambda command: MENU_ORDER.index(command.name))
