"""The WhatsApp emulator's state on disk: ``whatsapp.json`` plus each media file's bytes under ``media/``.

As the Telegram sandbox's (bot/sandbox/persistence.py): the JSON is replaced atomically, saving is debounced
(at most every half second after a change, and once more on stop), made on the event loop, written in a thread.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.sandbox.persistence import _write_atomically
from bot.sandbox.whatsapp.model import Person, StoredMedia, WhatsAppState

log = logging.getLogger(__name__)
STATE_FILE = "whatsapp.json"


def encode(state: WhatsAppState, billing: dict[str, Any]) -> str:
    return json.dumps({
        "people": [asdict(person) for person in state.people.values()],
        "conversations": state.conversations,
        "media": [stored.info() for stored in state.media.values()],
        "pending": state.pending,
        "clock_offset": state.clock_offset,
        "billing": billing,
    }, ensure_ascii=False)


def decode(text: str, folder: Path) -> tuple[WhatsAppState, dict[str, Any]]:
    saved = json.loads(text)
    media = {}
    for info in saved["media"]:
        try:
            data = (folder / info["path"]).read_bytes()
        except OSError as error:
            log.warning("whatsapp sandbox media %s is gone (%s)", info["id"], error)
            continue
        media[info["id"]] = StoredMedia(**{"created_at": time.time(), **info}, data=data)
    state = WhatsAppState(people={person["phone"]: Person(**person) for person in saved["people"]},
                          conversations=saved["conversations"], media=media, pending=saved["pending"],
                          clock_offset=saved["clock_offset"])
    return state, {key: tuple(value) for key, value in saved.get("billing", {}).items()}


class StateFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def load(self) -> tuple[WhatsAppState, dict[str, Any]] | None:
        path = self.folder / STATE_FILE
        return decode(path.read_text(encoding="utf-8"), self.folder) if path.exists() else None

    def write(self, text: str, files: list[StoredMedia]) -> None:
        """Blocking: new files first (a state that names a file finds it), then the state."""
        for stored in files:
            target = self.folder / stored.path
            if not target.exists():
                _write_atomically(target, stored.data)
        _write_atomically(self.folder / STATE_FILE, text.encode())

