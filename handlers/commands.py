"""Bot commands: each feature declares its own, with the handler that answers it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from telegram.ext import Application, CommandHandler

from handlers.turn import Turn, turn_handler


@dataclass(frozen=True)
class Command:
    name: str  # Indonesian: the name shown in the command menu
    alias: str | None  # English, also understood
    description: str  # an English msgid, for the command menu
    handler: Callable[[Turn], Awaitable[None]]
    menu: bool = True  # staff commands stay out of the citizens' command menu
    groups: bool = False  # also in group chats (staff groups)


def add_commands(application: Application, commands: Iterable[Command]) -> None:
    for command in commands:
        names = [command.name, command.alias] if command.alias else command.name
        application.add_handler(CommandHandler(names, turn_handler(command.handler, groups=command.groups)))
