"""Who sends: each process that claims outbox messages has a name and refreshes a heartbeat row every second.
Another process takes a dead sender's claims once its heartbeat is a few seconds old
(``outbox.SENDER_STALE_AFTER``); the same process started again takes its own back at once, by name.

The name must be the same after a restart and never held by two live processes at once. Host and role
alone are not enough (web processes on one machine may share a port), and a setting per process is one more
thing to get wrong, so a process takes the lowest free slot of its role on its host: slot N is an exclusive
lock (``flock``) on a file in a folder of the database's: beside an SQLite file, else in the temporary directory
under the database's fingerprint. The kernel drops the
lock when the process dies, however it dies, so a restarted process finds its old slot free and takes it
again, and no live process's slot can be taken. A process whose host name changes on restart (a new
container) starts under a new name: its old claims come free by heartbeat instead, a few seconds later."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
import socket
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Transactions, insert_for
from bot.db.models import OutboxSender, utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
NAME_LENGTH = 64


@dataclass
class SenderName:
    """A process's sender name, held (with its slot's lock) until ``release``."""

    name: str
    _lock: IO | None = None

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file drops the lock
            self._lock = None


def stable_name(role: str, database_url: str, folder: Path | None = None) -> SenderName:
    """The lowest free slot of ``role`` on this host, for senders to the database of ``database_url``."""
    folder = folder or _slots_folder(database_url)
    folder.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname()[: NAME_LENGTH - len(role) - 8]
    slot = 0
    while True:
        lock = open(folder / f"{role}-{slot}.lock", "a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a live process holds this slot
            lock.close()
            slot += 1
            continue
        return SenderName(f"{host}:{role}:{slot}", lock)


def _slots_folder(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database).resolve()
        return database.with_name(f"{database.name}.senders")
    return Path(tempfile.gettempdir()) / "lapor-bot-senders" / hashlib.sha256(database_url.encode()).hexdigest()[:16]


def unique_name() -> str:
    """For a sender that is never started again under the same name (tests, benchmarks)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{os.urandom(4).hex()}"


async def beat(session: AsyncSession, name: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    table = OutboxSender.__table__
    statement = insert_for(session.bind.dialect.name, table).values(name=name, heartbeat_at=now)
    await session.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"heartbeat_at": now}))


async def heartbeat_forever(transactions: Transactions, name: str) -> None:
    while True:
        try:
            async with transactions.begin() as session:
                await beat(session, name)
        except Exception:  # a database hiccup must not stop the heartbeat for good
            log.exception("sender heartbeat failed; trying again")
        await asyncio.sleep(HEARTBEAT_SECONDS)
