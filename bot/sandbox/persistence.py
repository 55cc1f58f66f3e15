"""The sandbox's state on disk, so that it survives a restart: ``state.json`` plus each file's bytes.

``state.json`` is replaced atomically (a temporary file, then ``os.replace``), so a crash leaves the old
state or the new one, never half of one. Saving is debounced: at most once every half second after a
change, and once more when the emulator stops. The JSON is made on the event loop (a consistent
snapshot, quick), the writing is done in a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_PORT
from bot.sandbox.model import WEBHOOK_CONNECTIONS, EmulatorState, SandboxGroup, SandboxUser, StoredFile

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
SAVE_INTERVAL = 0.5  # seconds
KEEP_CALLBACK_ANSWERS = 50  # the page shows the latest one only
KEEP_CLIENT_IDS = 1000


def state_dir_for(environ: Mapping[str, str], database_url: str, port: int = DEFAULT_PORT) -> Path:
    """``SANDBOX_DIR``, else ``sandbox-data`` next to the SQLite database (or in the working folder); a
    sandbox on another port than the default is one of its own, in ``sandbox-data-8090``."""
    if environ.get("SANDBOX_DIR"):
        return Path(environ["SANDBOX_DIR"])
    from sqlalchemy.engine import make_url

    name = "sandbox-data" if port == DEFAULT_PORT else f"sandbox-data-{port}"
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / name
    return Path(name)


def encode(state: EmulatorState) -> str:
    return json.dumps(
        {
            "last_update_id": state.last_update_id,
            "last_message_id": state.last_message_id,
            "confirmed_offset": state.confirmed_offset,
            "updates": state.pending_updates(),  # what the bot has fetched is gone, as in Telegram
            "users": [asdict(user) for user in state.users.values()],
            "groups": [asdict(group) for group in state.groups.values()],
            "chats": {str(chat_id): messages for chat_id, messages in state.chats.items()},
            "files": [{"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_path": f.file_path, "mime_type": f.mime_type, "file_name": f.file_name} for f in state.files.values()],
            "callback_answers": state.callback_answers[-KEEP_CALLBACK_ANSWERS:],
            "commands": state.commands,
            "blocked": sorted(state.blocked),
            "webhook_url": state.webhook_url,
            "webhook_secret": state.webhook_secret,
            "webhook_connections": state.webhook_connections,
            "client_ids": state.client_ids[-KEEP_CLIENT_IDS:],
        },
        ensure_ascii=False,
    )


def decode(text: str, folder: Path) -> EmulatorState:
    saved: dict[str, Any] = json.loads(text)
    return EmulatorState(
        last_update_id=saved["last_update_id"],
        last_message_id=saved["last_message_id"],
        confirmed_offset=saved["confirmed_offset"],
        updates=saved["updates"],
        users={user["id"]: SandboxUser(**user) for user in saved["users"]},
        groups={group["id"]: SandboxGroup(**group) for group in saved["groups"]},
        chats={int(chat_id): messages for chat_id, messages in saved["chats"].items()},
        files=_load_files(saved["files"], folder),
        callback_answers=saved["callback_answers"],
        commands=saved["commands"],
        blocked=set(saved["blocked"]),
        webhook_url=saved["webhook_url"],
        webhook_secret=saved["webhook_secret"],
        webhook_connections=saved.get("webhook_connections", WEBHOOK_CONNECTIONS),
        client_ids=saved["client_ids"],
    )


def _load_files(entries: list[dict[str, str]], folder: Path) -> dict[str, StoredFile]:
    files = {}
    for entry in entries:
        try:
            data = (folder / entry["file_path"]).read_bytes()
        except OSError as error:
            log.warning("sandbox file %s is gone (%s); messages showing it stay, its download does not", entry["file_path"], error)
            continue
        files[entry["file_id"]] = StoredFile(entry["file_id"], entry["file_unique_id"], data, entry["file_path"], entry["mime_type"],
                                             entry.get("file_name", ""))
    return files


class StateFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def load(self) -> EmulatorState | None:
        path = self.folder / STATE_FILE
        if not path.exists():
            return None
        return decode(path.read_text(encoding="utf-8"), self.folder)

    def write(self, text: str, files: list[StoredFile]) -> None:
        """Blocking: new files first (a state that names a file finds it), then the state."""
        for stored in files:
            target = self.folder / stored.file_path
            if not target.exists():
                _write_atomically(target, stored.data)
        _write_atomically(self.folder / STATE_FILE, text.encode())


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Saver:
    """Saves a state in a thread at most every SAVE_INTERVAL seconds after a change, and on close: ``encoded``
    gives the state as text, ``files`` its files by path (those not yet on disk are written first, by
    ``folder.write(text, new_files)``). Serves the Telegram sandbox and the WhatsApp emulator alike."""

    def __init__(self, folder: Any, encoded: Callable[[], str], files: Callable[[], dict[str, Any]],
                 name: str = "sandbox") -> None:
        self.folder, self._encoded, self._files, self._name = folder, encoded, files, name
        self._dirty = asyncio.Event()
        self._lock = asyncio.Lock()
        self._written: set[str] = set(files())
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def changed(self) -> None:
        self._dirty.set()

    async def save(self) -> None:
        async with self._lock:
            self._dirty.clear()
            files = self._files()
            new_files = [stored for path, stored in files.items() if path not in self._written]
            await asyncio.to_thread(self.folder.write, self._encoded(), new_files)
            self._written.update(files)

    async def close(self) -> None:
        async with self._lock:  # never cancel a save halfway: its thread would go on and could write last
            if self._task:
                self._task.cancel()
        await self.save()

    async def _run(self) -> None:
        while True:
            await self._dirty.wait()
            try:
                await self.save()
            except OSError:
                log.exception("could not save the %s's state in %s", self._name, self.folder.folder)
            await asyncio.sleep(SAVE_INTERVAL)
