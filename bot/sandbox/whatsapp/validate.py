"""The checks the Cloud API makes on a ``/messages`` body, and what an accepted one shows the person.

``check_message`` raises ``MetaError`` (code 100 / 131008 / 131009 / 132xxx, details naming the field) for a
body Meta refuses, else returns the message as rendered: ``{"type", "text", ...}`` with ``buttons`` (reply
buttons: id, title), ``rows`` (list rows: id, title, description), ``media`` (id or link, caption, filename),
``location``, ``template`` (name, language, parameters, quick_replies) or ``reaction`` by type.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.whatsapp.errors import MetaError, invalid
from bot.sandbox.whatsapp.templates import Template, check_template

TEXT = 4096
CAPTION = 1024
BODY = 1024
HEADER_TEXT = 60
FOOTER = 60
BUTTON_TITLE = 20
BUTTON_ID = 256
LIST_BUTTON = 20
LIST_ROWS = 10
LIST_SECTIONS = 10
ROW_ID = 200
ROW_TITLE = 24
ROW_DESCRIPTION = 72
SECTION_TITLE = 24
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
CAPTIONED = ("image", "video", "document")
_PHONE = re.compile(r"\+?\d{6,15}")


def recipient(body: dict[str, Any]) -> str:
    """The ``to`` of a body, as WhatsApp's wa_id (digits)."""
    to = body.get("to")
    if to is None or to == "":
        raise invalid("The parameter to is required.", 131008)
    if not isinstance(to, str | int) or not _PHONE.fullmatch(str(to).replace(" ", "").replace("-", "")):
        raise invalid("Param to must be a valid phone number (digits, with or without a leading +)")
    return re.sub(r"\D", "", str(to))


def check_message(body: Any, media_ids: set[str], approved: dict[tuple[str, str], Template]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise invalid("The parameter messaging_product is required and must be whatsapp.", 131008)
    if body.get("recipient_type", "individual") != "individual":
        raise invalid("Param recipient_type must be individual")
    kind = body.get("type", "text")
    if kind == "text":
        return _text(body.get("text"))
    if kind in MEDIA_TYPES:
        return _media(kind, body.get(kind), media_ids)
    if kind == "location":
        return _location(body.get("location"))
    if kind == "interactive":
        return _interactive(_object(body, "interactive"))
    if kind == "template":
        template, values = check_template(body.get("template"), approved)
        return {"type": "template", "text": template.render(values), "template": {
            "name": template.name, "language": template.language, "category": template.category,
            "parameters": values, "quick_replies": list(template.quick_replies)}}
    if kind == "reaction":
        reaction = _object(body, "reaction")
        if not isinstance(reaction.get("message_id"), str) or not reaction["message_id"]:
            raise invalid("Param reaction['message_id'] is required", 131008)
        if not isinstance(reaction.get("emoji"), str):
            raise invalid("Param reaction['emoji'] is required", 131008)
        return {"type": "reaction", "text": reaction["emoji"], "reaction": dict(reaction)}
    raise invalid(f"Param type must be one of {{TEXT, IMAGE, VIDEO, AUDIO, DOCUMENT, STICKER, LOCATION, "
                  f"INTERACTIVE, TEMPLATE, REACTION, CONTACTS}}, not {kind!r}")


def _object(parent: dict[str, Any], key: str, where: str = "") -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise invalid(f"Param {where}{key} is required and must be a JSON object", 131008)
    return value


def _string(value: Any, field: str, limit: int, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise invalid(f"Param {field} is required", 131008)
        return ""
    if not isinstance(value, str):
        raise invalid(f"Param {field} must be a string")
    if len(value) > limit:
        raise invalid(f"Param {field} must be at most {limit} characters long.")
    return value


def _text(text: Any) -> dict[str, Any]:
    if not isinstance(text, dict):
        raise invalid("Param text is required and must be a JSON object", 131008)
    body = _string(text.get("body"), "text['body']", TEXT)
    if not body.strip():
        raise invalid("Param text['body'] must not be empty", 131009)
    return {"type": "text", "text": body, "preview_url": bool(text.get("preview_url"))}


def _media(kind: str, media: Any, media_ids: set[str]) -> dict[str, Any]:
    if not isinstance(media, dict):
        raise invalid(f"Param {kind} is required and must be a JSON object", 131008)
    if ("id" in media) == ("link" in media):
        raise invalid(f"Param {kind} must have exactly one of id or link", 131009)
    if "id" in media and str(media["id"]) not in media_ids:
        raise invalid(f"Param {kind}['id'] is not a valid whatsapp business account media attachment ID")
    if "link" in media and not (isinstance(media["link"], str) and re.match(r"https?://\S+$", media["link"])):
        raise invalid(f"Param {kind}['link'] must be an http(s) URL")
    rendered: dict[str, Any] = {"id": str(media["id"])} if "id" in media else {"link": media["link"]}
    if "caption" in media:
        if kind not in CAPTIONED:
            raise invalid(f"Param {kind}['caption'] is not allowed for {kind} messages")
        rendered["caption"] = _string(media["caption"], f"{kind}['caption']", CAPTION, required=False)
    if "filename" in media:
        if kind != "document":
            raise invalid(f"Param {kind}['filename'] is only allowed for documents")
        rendered["filename"] = _string(media["filename"], "document['filename']", 240)
    return {"type": kind, "text": rendered.get("caption", ""), "media": rendered}


def _location(location: Any) -> dict[str, Any]:
    if not isinstance(location, dict):
        raise invalid("Param location is required and must be a JSON object", 131008)
    place: dict[str, Any] = {}
    for axis, bound in (("latitude", 90), ("longitude", 180)):
        try:
            value = float(location[axis])
        except (KeyError, TypeError, ValueError):
            raise invalid(f"Param location['{axis}'] is required and must be a number", 131008) from None
        if not -bound <= value <= bound:
            raise invalid(f"Param location['{axis}'] must be between -{bound} and {bound}", 131009)
        place[axis] = value
    for key in ("name", "address"):
        if location.get(key):
            place[key] = _string(location[key], f"location['{key}']", 1000)
    return {"type": "location", "text": place.get("name", ""), "location": place}


def _interactive(interactive: dict[str, Any]) -> dict[str, Any]:
    kind = interactive.get("type")
    body = interactive.get("body")
    text = _string(body.get("text") if isinstance(body, dict) else None, "interactive['body']['text']", BODY)
    rendered: dict[str, Any] = {"type": "interactive", "interactive": kind, "text": text}
    if "footer" in interactive:
        footer = interactive["footer"] if isinstance(interactive["footer"], dict) else {}
        rendered["footer"] = _string(footer.get("text"), "interactive['footer']['text']", FOOTER)
    if "header" in interactive:
        rendered["header"] = _header(interactive["header"], kind)
    action = _object(interactive, "action", "interactive['")
    if kind == "button":
        rendered["buttons"] = _buttons(action)
    elif kind == "list":
        rendered["list_button"] = _string(action.get("button"), "interactive['action']['button']", LIST_BUTTON)
        rendered["rows"] = _rows(action)
    elif kind == "location_request_message":
        if action.get("name") != "send_location":
            raise invalid("Param interactive['action']['name'] must be send_location", 131009)
    else:
        raise invalid(f"Param interactive['type'] must be one of {{BUTTON, LIST, PRODUCT, PRODUCT_LIST, CTA_URL, "
                      f"LOCATION_REQUEST_MESSAGE}}, not {kind!r}")
    return rendered


def _header(header: Any, kind: str) -> dict[str, Any]:
    if not isinstance(header, dict) or header.get("type") not in ("text", "image", "video", "document"):
        raise invalid("Param interactive['header']['type'] must be one of {TEXT, IMAGE, VIDEO, DOCUMENT}")
    if header["type"] == "text":
        return {"type": "text", "text": _string(header.get("text"), "interactive['header']['text']", HEADER_TEXT)}
    if kind != "button":
        raise invalid("Param interactive['header']['type'] must be TEXT for a list message")
    return dict(header)


def _buttons(action: dict[str, Any]) -> list[dict[str, str]]:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not buttons:
        raise invalid("Param interactive['action']['buttons'] is required", 131008)
    if len(buttons) > 3:
        raise invalid("Param interactive['action']['buttons'] must have at most 3 elements", 131009)
    rendered = []
    for index, button in enumerate(buttons):
        where = f"interactive['action']['buttons'][{index}]"
        if not isinstance(button, dict) or button.get("type") != "reply" or not isinstance(button.get("reply"), dict):
            raise invalid(f"Param {where}['type'] must be reply with a reply object", 131009)
        rendered.append({"id": _string(button["reply"].get("id"), f"{where}['reply']['id']", BUTTON_ID),
                         "title": _string(button["reply"].get("title"), f"{where}['reply']['title']", BUTTON_TITLE)})
    if len({button["id"] for button in rendered}) < len(rendered):
        raise invalid("Param interactive['action']['buttons'] must have unique ids", 131009)
    if len({button["title"] for button in rendered}) < len(rendered):
        raise invalid("Param interactive['action']['buttons'] must have unique titles", 131009)
    return rendered


def _rows(action: dict[str, Any]) -> list[dict[str, str]]:
    sections = action.get("sections")
    if not isinstance(sections, list) or not sections:
        raise invalid("Param interactive['action']['sections'] is required", 131008)
    if len(sections) > LIST_SECTIONS:
        raise invalid(f"Param interactive['action']['sections'] must have at most {LIST_SECTIONS} elements", 131009)
    rows: list[dict[str, str]] = []
    for number, section in enumerate(sections):
        where = f"interactive['action']['sections'][{number}]"
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list) or not section["rows"]:
            raise invalid(f"Param {where}['rows'] is required", 131008)
        title = _string(section.get("title"), f"{where}['title']", SECTION_TITLE, required=len(sections) > 1)
        for index, row in enumerate(section["rows"]):
            if not isinstance(row, dict):
                raise invalid(f"Param {where}['rows'][{index}] must be a JSON object")
            rendered = {"id": _string(row.get("id"), f"{where}['rows'][{index}]['id']", ROW_ID),
                        "title": _string(row.get("title"), f"{where}['rows'][{index}]['title']", ROW_TITLE),
                        "section": title}
            description = _string(row.get("description"), f"{where}['rows'][{index}]['description']",
                                  ROW_DESCRIPTION, required=False)
            rows.append({**rendered, "description": description} if description else rendered)
    if len(rows) > LIST_ROWS:
        raise MetaError(131009, f"Param interactive['action']['sections'] must have at most {LIST_ROWS} rows in "
                        f"all, not {len(rows)}")
    if len({row["id"] for row in rows}) < len(rows):
        raise invalid("Param interactive['action']['sections'][]['rows'][]['id'] must be unique", 131009)
    return rows
