"""Neutral messages as Cloud API message bodies, within WhatsApp's rules (bot.channels.whatsapp.limits). Pure: no
I/O; the transport (outbound.py) resolves files to WhatsApp media ids first and adds the recipient.

- Text: Telegram HTML made WhatsApp's (text.py); longer than 4,096 characters, several messages.
- Choices: up to 3 whose labels fit 20 characters become reply buttons; others a list (10 rows a message, a title
  of 24 characters with the full label in the row's description), more than 10 several lists. An interactive
  body holds 1,024 characters: a longer text goes first as text messages, the interactive shows its last
  paragraph.
- A place request: WhatsApp's location request, its typed options as buttons in a message after it (their ids
  start with ``SAID``: a tap on one is the option typed, as on Telegram's reply keyboard).
- No edits on WhatsApp: an edit is sent as a new message. Files by media id, captions of 1,024 characters (the
  rest as text after), an album as one message per file.

A body here is a dict for ``GraphApi.send`` without ``to`` (the transport adds it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.channels.markup import AskPlace, AskText, Choice, Choices, ClearRequest, Markup
from bot.channels.whatsapp import limits
from bot.channels.whatsapp.text import shorten, split_text, to_whatsapp
from bot.delivery.messages import Album, Edit, Location, Media, Outgoing, Text
from bot.i18n import normalise_locale

Body = dict[str, Any]
MediaIds = Callable[[str], str] | Mapping[str, str]  # a file's name (Media.file_id) -> its WhatsApp media id

SAID = "said:"  # a reply button's id for an option that stands for typed text (AskPlace.options); no choice prefix
MEDIA_TYPES = {"photo": "image", "video": "video", "document": "document", "audio": "audio", "voice": "audio",
               "sticker": "sticker"}
CAPTIONED = {"image", "video", "document"}

# The few words the renderer adds itself (the flows' words come translated already).
WORDS = {
    "id": {"open_list": "Pilih", "choose": "Silakan pilih:", "more": "Pilihan lainnya", "or": "Atau pilih:"},
    "en": {"open_list": "Choose", "choose": "Please choose:", "more": "More choices", "or": "Or choose:"},
}


def words(locale: str | None) -> dict[str, str]:
    return WORDS[normalise_locale(locale)]


# --- bodies ----------------------------------------------------------------------------------------------------

def text_bodies(text: str) -> list[Body]:
    """Plain text messages of WhatsApp text (already converted)."""
    return [{"type": "text", "text": {"body": piece, "preview_url": "http://" in piece or "https://" in piece}}
            for piece in split_text(text)]


def render(message: Outgoing, media_ids: MediaIds | None = None, locale: str | None = None) -> list[Body]:
    """The bodies that show ``message`` on WhatsApp, to send in order (``Files`` are the transport's: it makes them
    ``Media`` of its uploads)."""
    match message:
        case Text(text, markup) | Edit(_, text, markup):
            return with_markup(to_whatsapp(text), markup, locale)
        case Media(kind, file_id, caption, markup):
            return media_bodies(kind, _media_id(media_ids, file_id), caption, markup, locale=locale)
        case Album(items):
            return [body for item in items for body in media_bodies(item.kind, _media_id(media_ids, item.file_id),
                                                                     item.caption, item.markup, locale=locale)]
        case Location(latitude, longitude):
            return [{"type": "location", "location": {"latitude": latitude, "longitude": longitude}}]
    raise TypeError(f"cannot render {type(message).__name__} for WhatsApp")


def _media_id(media_ids: MediaIds | None, file_id: str) -> str:
    if media_ids is None:
        raise LookupError(f"no WhatsApp media id for {file_id!r}")
    return media_ids(file_id) if callable(media_ids) else media_ids[file_id]


def media_bodies(kind: str, media_id: str, caption_html: str | None, markup: Markup = None,
                 file_name: str | None = None, locale: str | None = None) -> list[Body]:
    """A file by its media id, its caption within 1,024 characters (the rest as text after it), then what its
    markup asks for in a message of its own."""
    media_type = MEDIA_TYPES.get(kind, "document")
    caption = to_whatsapp(caption_html)
    content: Body = {"id": media_id}
    rest = ""
    if caption and media_type in CAPTIONED:
        pieces = split_text(caption, limits.BODY)
        content["caption"] = pieces[0]
        rest = caption.strip()[len(pieces[0]):].strip()
    elif caption:
        rest = caption
    if media_type == "document" and file_name:
        content["filename"] = file_name
    bodies: list[Body] = [{"type": media_type, media_type: content}, *text_bodies(rest)]
    return bodies + with_markup("", markup, locale)


def with_markup(text: str, markup: Markup, locale: str | None = None) -> list[Body]:
    """``text`` (WhatsApp text) with what ``markup`` offers: choices as buttons or lists, a place request."""
    match markup:
        case Choices() if markup.all:
            lead, body = _lead_and_body(text, words(locale)["choose"])
            return lead + choice_bodies(markup.all, body, locale)
        case AskPlace(button, options):
            lead, body = _lead_and_body(text, button or words(locale)["choose"])
            bodies = lead + [{"type": "interactive", "interactive": {
                "type": "location_request_message", "body": {"text": body}, "action": {"name": "send_location"}}}]
            if options:
                said = [Choice(option, SAID + option[: limits.ROW_ID - len(SAID)]) for option in dict.fromkeys(options)]
                bodies += choice_bodies(said, words(locale)["or"], locale)
            return bodies
        case None | AskText() | ClearRequest() | Choices():
            return text_bodies(text)
    raise TypeError(f"not a markup: {markup!r}")


def _lead_and_body(text: str, fallback: str) -> tuple[list[Body], str]:
    """Text messages to send before an interactive one, and its body: all of ``text`` when it fits a body, else
    the text but its last paragraph, then that paragraph (shortened when even it is too long, after the whole
    text)."""
    text = text.strip()
    if not text:
        return [], fallback
    if len(text) <= limits.BODY:
        return [], text
    before, _, last = text.rpartition("\n\n")
    last = last.strip()
    if before.strip() and len(last) <= limits.BODY:
        return text_bodies(before), last
    return text_bodies(text), shorten(" ".join(last.split()), limits.BODY)


def choice_bodies(choices: list[Choice], body: str, locale: str | None = None) -> list[Body]:
    """Up to 3 choices whose labels fit a button (and differ): reply buttons; else lists of 10 rows, several when
    there are more (the later ones say which page they are)."""
    ids = [choice.data[: limits.REPLY_ID] for choice in choices]
    titles = [_one_line(choice.label) for choice in choices]
    if len(choices) <= limits.BUTTONS and all(0 < len(title) <= limits.BUTTON_TITLE for title in titles) \
            and len(set(titles)) == len(titles):  # WhatsApp wants the buttons' titles told apart
        buttons = [{"type": "reply", "reply": {"id": id_, "title": title}} for title, id_ in zip(titles, ids, strict=True)]
        return [{"type": "interactive", "interactive": {"type": "button", "body": {"text": body},
                                                        "action": {"buttons": buttons}}}]
    said = words(locale)
    pages = [list(zip(choices[start:start + limits.LIST_ROWS], ids[start:start + limits.LIST_ROWS], strict=True))
             for start in range(0, len(choices), limits.LIST_ROWS)]
    bodies = []
    for number, page in enumerate(pages, 1):
        page_body = body if number == 1 else shorten(f"{said['more']} ({number}/{len(pages)})", limits.BODY)
        if number == 1 and len(pages) > 1:
            page_body = shorten(body, limits.BODY - 8) + f" (1/{len(pages)})"
        rows = [_row(choice, id_) for choice, id_ in page]
        bodies.append({"type": "interactive", "interactive": {
            "type": "list", "body": {"text": page_body},
            "action": {"button": shorten(said["open_list"], limits.LIST_BUTTON), "sections": [{"rows": rows}]}}})
    return bodies


def _row(choice: Choice, id_: str) -> Body:
    label = _one_line(choice.label) or "…"
    row: Body = {"id": id_[: limits.ROW_ID], "title": shorten(label, limits.ROW_TITLE)}
    if len(label) > limits.ROW_TITLE:
        row["description"] = shorten(label, limits.ROW_DESCRIPTION)
    return row


def _one_line(label: str) -> str:
    """A label as a title shows it: on one line, without runs of spaces."""
    return " ".join(label.split())
