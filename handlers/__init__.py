"""The conversations, as flows over neutral messages (bot.channels): no messenger, no SQL.

One module per feature, each with its ``COMMANDS`` and ``TAPS`` (the kinds of choice it takes); staff and admin
features go beside them. ``dispatch`` hands each incoming message to its handler; ``fallbacks`` takes what no
feature took.
"""

from handlers.dispatch import handle, menu_commands
from handlers.failures import apologise

__all__ = ["apologise", "handle", "menu_commands"]
