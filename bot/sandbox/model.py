"""The emulator's state: plain dataclasses, so that it can be saved, loaded and inspected by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An answer Telegram gives instead of a result: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str  # relative: the download URL's tail, and the file's place in the state folder
    mime_type: str
    file_name: str = ""  # as the sender named it (the path keeps a short, safe form of it)


@dataclass
class SandboxUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "id"

    def as_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}
        if self.username:
            user["username"] = self.username
        return user


@dataclass
class SandboxGroup:
    """A basic group (negative id) with the bot and some citizens in it."""

    id: int
    title: str
    member_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": "group", "title": self.title}


@dataclass
class EmulatorState:
    last_update_id: int = 0
    last_message_id: int = 0
    updates: list[dict[str, Any]] = field(default_factory=list)
    confirmed_offset: int = 0  # every update below it has been fetched by the bot
    users: dict[int, SandboxUser] = field(default_factory=dict)
    groups: dict[int, SandboxGroup] = field(default_factory=dict)
    chats: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # messages, both ways, per chat
    files: dict[str, StoredFile] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    # One-shot failures, the older way to inject them: the next call of the method raises the error.
    # ``emulator.inject(Fault(...))`` says more (nth call, repeats, delays, dropped connections).
    failures: list[tuple[str, ApiError]] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str | None = None
    client_ids: list[str] = field(default_factory=list)  # the web page's message ids, so a resend is not a duplicate

    def next_update_id(self) -> int:
        self.last_update_id += 1
        return self.last_update_id

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def pending_updates(self) -> list[dict[str, Any]]:
        return [update for update in self.updates if update["update_id"] >= self.confirmed_offset]

    def chat_exists(self, chat_id: int) -> bool:
        return chat_id in self.users or chat_id in self.groups
