"""Telegram's limits on what a bot sends, and the two ways to stay within them.

- ``shorten(text, limit)``: plain text (what a user typed, a name, a note) cut to ``limit`` characters,
  ending with "…"; shorten before HTML-escaping, so that no entity is cut in half.
- ``split_html(text, limit)``: an HTML message cut between lines into messages that each fit.

Lengths are counted as Telegram counts them: after HTML parsing (tags do not count, an entity such
as ``&amp;`` counts as one character), in UTF-16 code units (an emoji may count as two).
"""

from __future__ import annotations

import re
from html import escape, unescape
from html.parser import HTMLParser

MESSAGE_LIMIT = 4096  # characters of a text message, after entity parsing
CAPTION_LIMIT = 1024  # characters of a media caption
CALLBACK_DATA_LIMIT = 64  # bytes of an inline button's callback data
ELLIPSIS = "…"
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span", "blockquote"}

_TAG = re.compile(r"<[^>]*>")
_WORD_BOUNDARY_SHARE = 0.8  # cut at a space when one is this close to the limit


def shorten(text: str, limit: int) -> str:
    """``text`` itself when it fits ``limit`` characters, else its start (at a word boundary when one is
    near the limit) followed by "…", ``limit`` characters at most."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit * _WORD_BOUNDARY_SHARE:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def visible_length(html: str) -> int:
    """The length Telegram checks against its limits: the text the user sees, in UTF-16 code units."""
    return len(unescape(_TAG.sub("", html)).encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` as one message, or several that each fit ``limit``, cut only between lines.

    Every line must keep its tags balanced (the lines of our renderers do). A single line longer than
    the limit cannot be cut safely: it is sent shortened and without its formatting.
    """
    messages: list[str] = []
    lines: list[str] = []
    size = 0
    for line in text.split("\n"):
        if visible_length(line) > limit:
            line = _plain_line_within(line, limit)
        length = visible_length(line)
        if lines and size + 1 + length > limit:
            messages.append("\n".join(lines))
            lines, size = [], 0
        size += length + (1 if lines else 0)
        lines.append(line)
    messages.append("\n".join(lines))
    return [message.strip("\n") for message in messages if message.strip()]


def _plain_line_within(line: str, limit: int) -> str:
    plain = unescape(_TAG.sub("", line))
    keep = limit
    while True:
        fitted = escape(shorten(plain, keep))
        excess = visible_length(fitted) - limit
        if excess <= 0:
            return fitted
        keep -= excess


class HtmlError(ValueError):
    """HTML that Telegram refuses ("can't parse entities"); the message says why, in Telegram's words."""


def parsed_text(html: str) -> str:
    """The visible text of a message in Telegram's HTML subset; raises ``HtmlError`` where Telegram would
    refuse it (a tag it does not know, an unbalanced tag, a bare < or >)."""
    checker = _HtmlChecker()
    checker.feed(html)
    checker.close()
    if checker.open:
        raise HtmlError(f"can't find end tag corresponding to start tag \"{checker.open[-1]}\"")
    return "".join(checker.text)


class _HtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in HTML_TAGS:
            raise HtmlError(f"unsupported start tag \"{tag}\"")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise HtmlError(f"unexpected end tag \"{tag}\"")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise HtmlError("unescaped < or > in text")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.text.append("&")  # one visible character

    def handle_charref(self, name: str) -> None:
        self.text.append("&")
