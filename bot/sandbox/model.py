"""The emulator's state: plain dataclasses, so that it can be saved, loaded and inspected by tests; and what it
asks a fault plan (the tests' is tests/kit/faults.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

# Telegram's default for setWebhook's max_connections, the webhook requests it has open at once (1-100).
WEBHOOK_CONNECTIONS = 40


class ApiError(Exception):
    """An answer Telegram gives instead of a result: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


class CallFault(Protocol):
    """One Bot API call gone wrong: not carried out when it has an error to answer or drops the connection,
    and answered ``delay`` seconds late either way."""

    @property
    def delay(self) -> float: ...

    @property
    def drop(self) -> bool: ...

    def error(self) -> ApiError | None: ...


class Faults(Protocol):
    """What the emulator asks before it answers a call or queues an update; the tests' plan answers."""

    def take(self, method: str) -> CallFault | None: ...

    def take_late_delivery(self) -> float:
        """Seconds the update just queued waits before its first webhook post (0: on time)."""


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
    webhook_url: str = ""
    webhook_secret: str | None = None
    webhook_connections: int = WEBHOOK_CONNECTIONS  # setWebhook's max_connections
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
