"""The event loop every lapor-bot process runs on."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on uvloop's event loop where it is installed (Linux and macOS: under load a web process spent a
    third of its time in asyncio's own loop), on asyncio's elsewhere."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)
