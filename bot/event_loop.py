"""The event loop every lapor-bot process runs on."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
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


@contextmanager
def loaded_data_frozen() -> Iterator[None]:
    """While serving, what the process loaded before (its imports, the regions, boundaries and place index: some
    400,000 objects that live as long as it does) is out of the cyclic garbage collector's reach. Otherwise every
    full collection walks them all again to find nothing: 0.1-0.17 s of CPU each, a pause every reply waiting
    then waits out (bench/compare.py: p99 160-180 ms at 200 updates/s before, 9-11 ms after). What is made
    while serving is collected as before; afterwards all of it is again."""
    gc.collect()  # what is garbage already goes first: frozen, it would stay
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
