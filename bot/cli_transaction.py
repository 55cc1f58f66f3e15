"""One command-line action in one transaction, on a migrated database."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

from bot.config import Settings
from bot.db import create_engine, migrate, session_factory


async def in_transaction(settings: Settings, work: Callable[..., Awaitable[int]],
                         refusals: tuple[type[Exception], ...]) -> int:
    """Run ``work(session)`` in one transaction; one of ``refusals`` rolls it back, is printed and exits with 1."""
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    except refusals as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
