"""WhatsApp webhooks in: a Cloud API payload read into inbox rows (``items``), and a stored row read into one neutral
``Incoming`` (``to_incoming``) or a delivery receipt (``receipt_of``).

Reading is tolerant: a piece that is not what Meta documents (a message without a sender, a status without an
id) is skipped and counted, never raised, so that one odd item never costs the others in the same delivery.

Each message and each receipt is one inbox row (bot.inbox.store): its ``update_id`` is made from WhatsApp's own
timestamp and id (``update_id_of``), so that a repeat has the same id (stored once) and a person's messages are
handled in the order they were written (within one second, as they arrived: ``with_chat_ids``); its
``message_key`` tells a repeat from a collision. The row keeps only what the turn needs, a small dict marked
``"whatsapp"`` (``{"whatsapp": "message" | "status", "update_id", "timestamp", "item": {...}}``, with keys
Telegram's updates never have), never Meta's whole envelope."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.incoming import Chat, Incoming, Person, Unsupported
from bot.channels.whatsapp.content import as_list, content_of
from bot.inbox.cleaning import storable
from bot.inbox import store
from bot.inbox.store import KEYED_IDS_FROM, Stored
from bot.services import contacts

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
OBJECT = "whatsapp_business_account"
MARKER = "whatsapp"  # the stored payload's mark: {"whatsapp": "message" | "status", ...}
MESSAGE, STATUS = "message", "status"
EPOCH = 1_577_836_800  # 2020-01-01 UTC: WhatsApp's timestamps count from here in an update id
SECONDS_IN_IDS = 2**30  # seconds after EPOCH an update id can hold (until 2054)
IDS_PER_SECOND = 2**32
RECEIPTS = ("sent", "delivered", "read", "failed")
MAX_PHONE_DIGITS = 15  # E.164
MAX_NAME_CHARS = 128  # a profile name (WhatsApp allows 25; users.first_name holds 256)


@dataclass(frozen=True)
class Receipt:
    """What WhatsApp said of a message the bot sent."""

    wamid: str
    status: str  # sent, delivered, read, failed
    timestamp: int | None
    recipient: str | None
    error_code: int | None = None
    error_title: str | None = None

    @property
    def error(self) -> str | None:
        if self.error_code is None and not self.error_title:
            return None
        return f"{self.error_code if self.error_code is not None else ''} {self.error_title or ''}".strip()


def is_whatsapp(payload: dict[str, Any]) -> bool:
    """Whether a stored inbox payload is WhatsApp's (Telegram's never carry the marker)."""
    return isinstance(payload, dict) and payload.get(MARKER) in (MESSAGE, STATUS)


def update_id_of(key: str, timestamp: int | None) -> int:
    """The inbox id of a WhatsApp item: above every Telegram id, ordered by WhatsApp's timestamp (seconds), then
    by 32 bits of the key's hash."""
    seconds = int(time.time()) if timestamp is None else timestamp
    offset = min(max(seconds - EPOCH, 0), SECONDS_IN_IDS - 1)
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest()[:4], "big")
    return KEYED_IDS_FROM + offset * IDS_PER_SECOND + digest


def message_key(wamid: str) -> str:
    return "wa:" + wamid


def status_key(wamid: str, status: str) -> str:
    return f"wa-status:{wamid}:{status}"


def items(body: Any, phone_number_id: str | None = None) -> tuple[list[Stored], int]:
    """The inbox rows of a webhook body (already cleaned of what a database refuses), and how many pieces were
    skipped as malformed. ``phone_number_id``: the bot's number; changes for another number are left alone."""
    found: list[Stored] = []
    skipped = 0
    if not isinstance(body, dict) or body.get("object") != OBJECT:
        return [], 0
    for entry in as_list(body.get("entry")):
        if not isinstance(entry, dict):
            skipped += 1
            continue
        for change in as_list(entry.get("changes")):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                skipped += 1
                continue
            number = (value.get("metadata") or {}).get("phone_number_id") if isinstance(value.get("metadata"), dict) else None
            if phone_number_id and number and str(number) != str(phone_number_id):
                continue
            names = _profile_names(value.get("contacts"))
            for message in as_list(value.get("messages")):
                row = _message_row(message, names)
                if row is None:
                    skipped += 1
                else:
                    found.append(row)
            for status in as_list(value.get("statuses")):
                row = _status_row(status)
                if row is None:
                    skipped += 1
                else:
                    found.append(row)
    return found, skipped


def _profile_names(value: Any) -> dict[str, str]:
    names = {}
    for contact in as_list(value):
        if isinstance(contact, dict) and isinstance(contact.get("wa_id"), str):
            profile = contact.get("profile")
            name = profile.get("name") if isinstance(profile, dict) else None
            if isinstance(name, str):
                names[contact["wa_id"]] = name[:MAX_NAME_CHARS]
    return names


def _phone(value: Any) -> str | None:
    """A phone number as WhatsApp sends it (E.164 digits, no +), or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.lstrip("+")
    return value if value.isascii() and value.isdigit() and 0 < len(value) <= MAX_PHONE_DIGITS else None


def _timestamp(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    return None


def _wamid(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 150 else None


def _message_row(message: Any, names: dict[str, str]) -> Stored | None:
    if not isinstance(message, dict):
        return None
    phone, wamid = _phone(message.get("from")), _wamid(message.get("id"))
    if phone is None or wamid is None:
        return None
    kind = message.get("type") if isinstance(message.get("type"), str) else "unknown"
    kept: dict[str, Any] = {"from": phone, "id": wamid, "type": kind[:32]}
    if kind in message:
        kept[kind] = message[kind]
    if isinstance(message.get("errors"), list):  # unsupported: only the codes, never the details
        kept["errors"] = [{"code": error.get("code")} for error in message["errors"] if isinstance(error, dict)]
    timestamp = _timestamp(message.get("timestamp"))
    key = message_key(wamid)
    update_id = update_id_of(key, timestamp)
    payload = {MARKER: MESSAGE, "update_id": update_id, "timestamp": timestamp, "name": names.get(phone, ""),
               "item": storable(kept)}
    return Stored(update_id, None, payload, message_key=key)  # its chat's id: ``with_chat_ids``


def _status_row(status: Any) -> Stored | None:
    """A receipt's row. It has no chat (``chat_id`` None): receipts go in any order (a receipt never goes back,
    bot.channels.whatsapp.receiving), and one waiting for its message's id must not hold up the person's messages."""
    if not isinstance(status, dict):
        return None
    wamid, state = _wamid(status.get("id")), status.get("status")
    if wamid is None or state not in RECEIPTS:
        return None
    timestamp = _timestamp(status.get("timestamp"))
    kept: dict[str, Any] = {"id": wamid, "status": state, "recipient": _phone(status.get("recipient_id"))}
    errors = [error for error in as_list(status.get("errors")) if isinstance(error, dict)]
    if errors:
        code = errors[0].get("code")
        kept["error_code"] = code if isinstance(code, int) and not isinstance(code, bool) else None
        title = errors[0].get("title") or errors[0].get("message")
        kept["error_title"] = str(title)[:200] if title is not None else None
    key = status_key(wamid, state)
    update_id = update_id_of(key, timestamp)
    payload = {MARKER: STATUS, "update_id": update_id, "timestamp": timestamp, "item": storable(kept)}
    return Stored(update_id, None, payload, message_key=key)


# Reading a stored row -------------------------------------------------------------------------------------------


def receipt_of(payload: dict[str, Any]) -> Receipt | None:
    """The receipt a stored status row holds; None for a message row (or a row that is not WhatsApp's)."""
    if not is_whatsapp(payload) or payload.get(MARKER) != STATUS or not isinstance(payload.get("item"), dict):
        return None
    status = payload["item"]
    return Receipt(status["id"], status["status"], _timestamp(payload.get("timestamp")), status.get("recipient"),
                   status.get("error_code"), status.get("error_title"))


def sender_of(payload: dict[str, Any]) -> str | None:
    """The phone number a stored message row came from."""
    if not is_whatsapp(payload) or payload.get(MARKER) != MESSAGE or not isinstance(payload.get("item"), dict):
        return None
    return _phone(payload["item"].get("from"))


def to_incoming(payload: dict[str, Any], update_id: int | None = None) -> Incoming | None:
    """The neutral form of a stored message row; None for a receipt, a reaction (deliberately not answered) or a
    row that cannot be read. ``update_id``: the row's (the payload's own, where not given)."""
    phone = sender_of(payload)
    if phone is None:
        return None
    message = payload["item"]
    try:
        content = content_of(message)
    except (TypeError, ValueError, AttributeError, KeyError):
        content = Unsupported(str(message.get("type") or "unknown"))
    if content is None:
        return None
    name = payload.get("name") if isinstance(payload.get("name"), str) else ""
    number = update_id if update_id is not None else int(payload.get("update_id") or 0)
    return Incoming(number, CHANNEL, Person(phone, name), Chat(phone, True), content)


async def with_chat_ids(session: AsyncSession, rows: list[Stored]) -> list[Stored]:
    """The rows with their chats' ids (a person writing for the first time gets their chat's row here), so that a
    person's messages are handled in order before any turn reads them, each placed after the same person's
    messages of its second (``_after_its_second``). Receipts keep none."""
    ids: dict[str, int] = {}
    seconds: dict[tuple[int, int], dict[str, int]] = {}
    resolved = []
    for row in rows:
        phone = sender_of(row.payload) if row.payload.get(MARKER) == MESSAGE else None
        if phone is not None and phone not in ids:
            ids[phone] = await contacts.chat_id_for(session, CHANNEL, phone)
        if phone is not None:
            row = await _after_its_second(session, replace(row, chat_id=ids[phone]), seconds)
        resolved.append(row)
    return resolved


async def _after_its_second(session: AsyncSession, row: Stored, seconds: dict[tuple[int, int], dict[str, int]]
                            ) -> Stored:
    """WhatsApp's timestamps are whole seconds, so that within one second only the order of arrival tells a
    person's messages apart: a message goes after the person's messages of its second stored before it, where
    its hash alone might put it before them (the emulator's ``update_id_for`` says so too).
    A repeat keeps the id it was stored under. ``seconds``: the keys and ids of each chat's second, as far as
    read (and placed in this batch)."""
    low = row.update_id - (row.update_id - KEYED_IDS_FROM) % IDS_PER_SECOND
    high = low + IDS_PER_SECOND - 1  # the last second's is 2**63 - 1, the largest id a database holds
    placed = seconds.get((row.chat_id, low))
    if placed is None:
        placed = seconds[row.chat_id, low] = await store.keyed_ids(session, row.chat_id, low, high)
    after = max([row.update_id, *(taken + 1 for taken in placed.values())])
    update_id = placed.get(row.message_key) or min(high, after)
    placed[row.message_key] = update_id
    return row if update_id == row.update_id else store.moved(row, update_id)
