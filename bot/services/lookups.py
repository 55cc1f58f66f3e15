"""Limits look-ups of other people's tracking IDs, so that nobody can walk the ID space by brute force.

Counted per user in the database (so a restart or a second process does not reset it), in fixed windows.
A user's own reports are never limited."""

from __future__ import annotations

from datetime import timedelta

from bot.db.models import User, utcnow

WINDOW = timedelta(minutes=10)
LOOKUPS_PER_WINDOW = 10


def take_lookup(user: User) -> bool:
    """Count one look-up of a report that is not the user's; False when the window's allowance is spent."""
    now = utcnow()
    if user.lookups_since is None or now - user.lookups_since >= WINDOW:
        user.lookups_since, user.lookups = now, 0
    if user.lookups >= LOOKUPS_PER_WINDOW:
        return False
    user.lookups += 1
    return True


def minutes_until_allowed(user: User) -> int:
    left = (user.lookups_since + WINDOW - utcnow()) if user.lookups_since else timedelta(0)
    return max(1, int(left.total_seconds() // 60) + 1)
