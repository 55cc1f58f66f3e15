"""The hostile WhatsApp corpus (issue 25): webhook deliveries as Meta might post them on a bad day, or as nobody
should, each with what the bot must do about it: ANSWER the person (clearly, in Indonesian), keep a deliberate
SILENCE (and acknowledge it with 200), or REFUSE it (a status code, nothing stored).

A ``Case`` builds its delivery for a ``Scene`` (the person, the bot's number and secret, the bot's messages so far);
``ACTS`` are what the person does through the emulator's own methods. Phones, ids and texts here are made up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.channels.whatsapp.inbound import message_key
from bot.channels.whatsapp.webhook import MAX_BODY_BYTES
from bot.signing import signature_of
from bot.sandbox.whatsapp.model import new_wamid

ANSWER, SILENCE, REFUSE = "answer", "silence", "refuse"
FORGED = "RAHASIA-PALSU"  # the text of forged deliveries: in no log, no inbox row
DROP = object()  # a field left out of a message
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class Scene:
    phone: str
    phone_number_id: str
    app_secret: str
    now: int
    bot_wamid: str  # the bot's newest message to the person
    stale: tuple[str, str]  # (a choice id, the wamid of the older bot message it was on)


@dataclass(frozen=True)
class Post:
    body: bytes
    headers: dict[str, str]
    message_keys: list[str] = field(default_factory=list)  # the inbox keys of the messages it carries
    chunked: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    expect: str
    build: Callable[[Scene], Post]
    status: int = 200


def _message(scene: Scene, kind: Any, content: Any = DROP, **fields: Any) -> dict[str, Any]:
    message = {"from": scene.phone, "id": new_wamid(), "timestamp": str(scene.now), "type": kind}
    if isinstance(kind, str) and content is not DROP:
        message[kind] = content
    message.update(fields)
    return {key: value for key, value in message.items() if value is not DROP}


def _envelope(scene: Scene, value: dict[str, Any], object_: str = "whatsapp_business_account") -> dict[str, Any]:
    metadata = {"display_phone_number": "6281100000000", "phone_number_id": scene.phone_number_id}
    return {"object": object_, "entry": [{"id": "200000000000001", "changes": [
        {"value": {"messaging_product": "whatsapp", "metadata": metadata, **value}, "field": "messages"}]}]}


def _keys(messages: list[Any]) -> list[str]:
    return [message_key(m["id"]) for m in messages if isinstance(m, dict) and isinstance(m.get("id"), str)]


def signed(scene: Scene, payload: Any, *, raw: bytes | None = None, signature: str | None = None,
           chunked: bool = False) -> Post:
    """``payload`` as JSON (or the ``raw`` bytes), signed with the app secret unless ``signature`` says otherwise."""
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    header = signature_of(body, scene.app_secret) if signature is None else signature
    if header != "-":  # "-": no header at all
        headers["X-Hub-Signature-256"] = header
    value = payload["entry"][0]["changes"][0]["value"] if _is_envelope(payload) else {}
    return Post(body, headers, _keys(value.get("messages") or []), chunked)


def _is_envelope(payload: Any) -> bool:
    try:
        return isinstance(payload["entry"][0]["changes"][0]["value"], dict)
    except (KeyError, IndexError, TypeError):
        return False


def says(kind: Any, content: Any = DROP, expect: str = ANSWER, name: str | None = None, **fields: Any) -> Case:
    """One message from the person, of ``kind`` with ``content`` (and ``fields`` replacing or dropping its own)."""
    def build(scene: Scene) -> Post:
        message = _message(scene, kind, content, **fields)
        return signed(scene, _envelope(scene, {"contacts": [{"profile": {"name": "Siti"}, "wa_id": scene.phone}],
                                               "messages": [message]}))
    return Case(name or f"{kind}: {str(content)[:40]} {fields}", expect, build)


def value(name: str, expect: str, make: Callable[[Scene], dict[str, Any]], object_: str = "whatsapp_business_account") -> Case:
    """A delivery around the change value ``make`` gives."""
    return Case(name, expect, lambda scene: signed(scene, _envelope(scene, make(scene), object_)))


def body(name: str, make: Callable[[Scene], Any], expect: str = SILENCE, status: int = 200) -> Case:
    """A whole body, as JSON."""
    return Case(name, expect, lambda scene: signed(scene, make(scene)), status)


def forged(name: str, signature: Callable[[Scene, bytes], str], status: int = 403) -> Case:
    """A person's message, with ``signature`` (of the scene and the body) instead of Meta's."""
    def build(scene: Scene) -> Post:
        post = says("text", {"body": FORGED + " jalan rusak di depan pasar sejak lama"}).build(scene)
        return signed(scene, json.loads(post.body), raw=post.body, signature=signature(scene, post.body))
    return Case(name, REFUSE, build, status)


def status(name: str, expect: str = SILENCE, **fields: Any) -> Case:
    """A delivery receipt, by default for a message the bot never sent."""
    def make(scene: Scene) -> dict[str, Any]:
        receipt = {"id": new_wamid(), "status": "delivered", "timestamp": str(scene.now), "recipient_id": scene.phone}
        receipt.update(fields)
        return {"statuses": [{key: item for key, item in receipt.items() if item is not DROP}]}
    return value(name, expect, make)


def raw(name: str, data: Callable[[Scene], bytes], status: int) -> Case:
    """Bytes, signed: refused with ``status``, or (200) read and left alone."""
    return Case(name, REFUSE if status != 200 else SILENCE, lambda scene: signed(scene, None, raw=data(scene)), status)


def _tap(reply_type: str, reply: Any, **fields: Any) -> Case:
    return says("interactive", {"type": reply_type, reply_type: reply}, name=f"{reply_type} {str(reply)[:40]}", **fields)


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _too_large(scene: Scene) -> dict[str, Any]:
    return _envelope(scene, {"messages": [_message(scene, "text", {"body": "x" * (MAX_BODY_BYTES + 10)})]})


TAPS = ["", "in:category:nothing", "act:verify:ZZZZZ-ZZZZZ:1", "💣" * 16, "menu", "lang:xx", "sub:area:99.99",
        "show:" + "A" * 58, "x" * 300, "said:", "said:" + "y" * 500, "in:summary", "::::", "\u202e\x00"]
TEXTS = ["Jalan rusak parah. " * 300, "Jalan\x00rusak\x00di depan pasar sejak lama sekali", "\u200b\u200b", "🔥🔥🔥",
         "<script>alert('x')</script> & <b>tebal</b> jalan rusak", "' OR 1=1; DROP TABLE reports; --", "/",
         "/hapus_semua", "\u202etroper\u202c jalan rusak di depan sekolah", "\ud800 jalan rusak", "*_~```"]


def corpus() -> list[Case]:
    return [
        # Types the bot has no use for, and reactions.
        *[says(kind, content) for kind, content in [
            ("ephemeral", {}), ("order", {"catalog_id": "1", "text": "beli", "product_items": [{"quantity": 1}]}),
            ("request_welcome", DROP), ("sticker", {"id": "", "mime_type": "image/webp"}), ("contacts", []),
            ("contacts", [{"name": {"formatted_name": "Budi"}}]), ("contacts", "Budi"), ("button", {"payload": 7}),
            ("button", {"text": "Ya"}), ("poll", {"question": "?"}), ("", DROP), ("x" * 1000, {"a": 1})]],
        says("system", {"body": "Nomor diganti", "type": "user_changed_number", "new_wa_id": "6281999999999"}),
        says("contacts", [{"name": {"formatted_name": "Budi"}, "phones": [{"phone": "+62 812-0000", "wa_id": "628120000"}]}]),
        says(None, name="type null"), says({"a": 1}, name="type an object"), says("text", DROP, name="type without its body"),
        says("reaction", {"message_id": "wamid.NOTOURS", "emoji": "👍"}, SILENCE),
        says("reaction", {"message_id": None, "emoji": None}, SILENCE), says("reaction", "👍", SILENCE),
        says("button", {"payload": "act:verify:ZZZZZ-ZZZZZ:1", "text": "Verifikasi"}),
        says("button", {"payload": "", "text": ""}),
        # Text: missing, odd and oversized bodies, odd headers of the message.
        says("text", {}), says("text", {"body": None}), says("text", {"body": 42}), says("text", "halo"),
        says("text", {"body": ["halo"]}), *[says("text", {"body": text}, name=f"text {text[:20]!r}") for text in TEXTS],
        says("text", {"body": "panjang " * 25_000}, name="text of 200,000 characters"),
        says("text", {"body": "halo"}, timestamp="kemarin"), says("text", {"body": "halo"}, timestamp="4102444800"),
        says("text", {"body": "halo"}, timestamp=0), says("text", {"body": "halo"}, timestamp=10**30),
        says("text", {"body": "halo"}, timestamp=-1), says("text", {"body": "halo"}, timestamp=DROP),
        says("text", {"body": "halo"}, context={"id": "wamid.NOTOURS", "from": "0"}),
        says("text", {"body": "halo"}, context="x"),
        Case("from with a plus", ANSWER, lambda scene: says("text", {"body": "halo"}, **{"from": "+" + scene.phone}).build(scene)),
        Case("from a number", ANSWER, lambda scene: says("text", {"body": "halo"}, **{"from": int(scene.phone)}).build(scene)),
        # Missing and malformed fields: skipped, not answered.
        *[says("text", {"body": "halo"}, SILENCE, name=f"{key}={str(item)[:20]}", **{key: item}) for key, item in [
            ("from", DROP), ("from", None), ("from", "Siti"), ("from", "1" * 16), ("from", True), ("from", ""),
            ("id", DROP), ("id", None), ("id", 12345), ("id", ""), ("id", "w" * 151), ("id", ["wamid.X"])]],
        # Taps: forged, stale and over-long ids, and replies without what they reply with.
        *[_tap("button_reply", {"id": tap, "title": "Ya"}) for tap in TAPS],
        *[_tap("list_reply", {"id": tap, "title": "Baris"}) for tap in ("x" * 5000, "in:summary:" + "e" * 200)],
        Case("a stale tap", ANSWER, lambda scene: _tap("list_reply", {"id": scene.stale[0], "title": "Lama"},
                                                         context={"id": scene.stale[1]}).build(scene)),
        _tap("button_reply", None), _tap("button_reply", {"title": "Ya"}), _tap("button_reply", {"id": 3}),
        _tap("list_reply", "in:summary:submit"), _tap("nfm_reply", {"response_json": "{}"}),
        says("interactive", {"type": None}, name="interactive of no type"), says("interactive", [], name="interactive a list"),
        # Places: impossible, unreadable or partial.
        *[says("location", place, name=f"location {place}") for place in [
            {"latitude": "utara", "longitude": "timur"}, {"latitude": -0.95}, {}, {"latitude": None, "longitude": None},
            {"latitude": 1e308, "longitude": -1e308}, {"latitude": [1], "longitude": {"a": 2}}]],
        Case("location NaN (not JSON)", REFUSE, lambda scene: _odd_location(scene, "NaN", "Infinity"), 400),
        Case("location 1e400 (no float)", REFUSE, lambda scene: _odd_location(scene, "1e400", "-1e400"), 400),
        # Files WhatsApp cannot give (unknown or missing ids, wrong types).
        *[says(kind, media, name=f"{kind} {media}") for kind, media in [
            ("image", {"id": "1234567890", "mime_type": "image/jpeg"}), ("image", {"mime_type": "image/jpeg"}),
            ("image", {"id": 1234567890}), ("video", {"id": ""}), ("audio", {"id": "../../whatsapp-media/1", "voice": True}),
            ("document", {"id": "9999999999", "filename": "../../etc/passwd"}), ("document", None), ("image", "foto")]],
        # Deliveries around the messages: other objects, other numbers, empty or broken envelopes.
        body("object page", lambda scene: {**_envelope(scene, {"messages": [_message(scene, "text", {"body": "halo"})]}),
                                           "object": "page"}),
        body("object instagram", lambda scene: {**_envelope(scene, {}), "object": "instagram"}),
        *[body(f"body {item!r}"[:40], lambda scene, item=item: item) for item in [
            [], "halo", 42, None, {}, {"object": "whatsapp_business_account"},
            {"object": "whatsapp_business_account", "entry": []}, {"object": "whatsapp_business_account", "entry": None},
            {"object": "whatsapp_business_account", "entry": [None, 1, "x", {"changes": None}]},
            {"object": "whatsapp_business_account", "entry": [{"changes": [None, {"field": "messages"}, {"value": None}]}]}]],
        *[value(f"value {name}", SILENCE, make) for name, make in [
            ("with neither messages nor statuses", lambda scene: {"contacts": [{"wa_id": scene.phone}]}),
            ("messages null", lambda scene: {"messages": None, "statuses": None}),
            ("messages an object", lambda scene: {"messages": {"from": scene.phone}}),
            ("messages of nothing", lambda scene: {"messages": [None, 7, "x", [], {}]}),
            ("for another number", lambda scene: {"metadata": {"phone_number_id": "999"},
                                                 "messages": [_message(scene, "text", {"body": "halo"})]}),
            ("many malformed messages", lambda scene: {"messages": [{"from": scene.phone}] * 500})]],
        value("metadata a string", ANSWER, lambda scene: {"metadata": "x", "messages": [_message(scene, "text", {"body": "halo"})]}),
        value("a long profile name", ANSWER, lambda scene: {"contacts": [{"wa_id": scene.phone, "profile": {"name": "N" * 10_000}}],
                                                           "messages": [_message(scene, "text", {"body": "halo"})]}),
        value("malformed beside a good one", ANSWER, lambda scene: {"messages": [{"id": 1}, _message(scene, "text", {"body": "halo"})]}),
        # Receipts for messages the bot never sent, odd receipts: recorded nowhere, no error.
        *[status(f"status {fields}"[:60], **fields) for fields in [
            {"status": "sent"}, {}, {"status": "read"}, {"status": "deleted"}, {"status": None}, {"id": DROP},
            {"id": 77}, {"recipient_id": "bukan nomor"}, {"timestamp": "x"},
            {"status": "failed", "errors": [{"code": 131026, "title": "Message undeliverable"}]},
            {"status": "failed", "errors": [{"code": 131047, "title": "Re-engagement message"}]},
            {"status": "failed", "errors": [{"code": "x", "title": {"a": "b" * 500}}]},
            {"status": "failed", "errors": "rusak"}, {"status": "failed", "errors": [None, 5]}, {"status": "failed"},
            {"conversation": {"id": "c", "origin": {"type": "service"}}, "pricing": {"billable": False}}]],
        Case("a read receipt for the bot's message", SILENCE, lambda scene: status(
            "", id=scene.bot_wamid, status="read").build(scene)),
        # Signatures: missing, forged, of another body or secret: refused, stored nowhere, logged without content.
        forged("no signature", lambda scene, data: "-", 401), forged("an empty signature", lambda scene, data: "", 401),
        forged("zeros", lambda scene, data: "sha256=" + "0" * 64),
        forged("another secret", lambda scene, data: signature_of(data, "bukan-rahasia")),
        forged("another body", lambda scene, data: signature_of(data + b" ", scene.app_secret)),
        forged("without its prefix", lambda scene, data: signature_of(data, scene.app_secret).removeprefix("sha256=")),
        forged("sha1", lambda scene, data: signature_of(data, scene.app_secret).replace("sha256", "sha1")),
        forged("with more after it", lambda scene, data: signature_of(data, scene.app_secret) + "00"),
        forged("long", lambda scene, data: "sha256=" + "a" * 4000),
        # Bodies that cannot be read, or are too large to.
        raw("not JSON", lambda scene: b"{bukan json", 400), raw("empty", lambda scene: b"", 400),
        raw("not UTF-8", lambda scene: b'{"object": "\xff\xfe whatsapp"}', 400),
        raw("UTF-16 (JSON may be)", lambda scene: json.dumps({"object": "x"}).encode("utf-16"), 200),
        raw("nested too deeply", lambda scene: _nested(100_000), 400),
        Case("over the size limit", REFUSE, lambda scene: signed(scene, _too_large(scene)), 413),
        Case("over the size limit, chunked", REFUSE, lambda scene: signed(scene, _too_large(scene), chunked=True), 413),
    ]


def _odd_location(scene: Scene, latitude: str, longitude: str) -> Post:
    """A pin whose numbers Python reads and JSON has not."""
    payload = _envelope(scene, {"messages": [_message(scene, "location", {"latitude": 0, "longitude": 0})]})
    data = json.dumps(payload).replace('"latitude": 0', f'"latitude": {latitude}').replace('"longitude": 0', f'"longitude": {longitude}')
    return signed(scene, payload, raw=data.encode())
