"""WhatsApp's text: the flows write Telegram HTML; WhatsApp shows *bold*, _italic_, ~strike~ and ```mono```, and no
links behind words, so a link becomes "text (url)". And its lengths: a text shortened to fit, or cut into
messages between paragraphs, else lines, else words. Pure."""

from __future__ import annotations

from html.parser import HTMLParser

from bot.channels.whatsapp import limits

ELLIPSIS = "…"


# --- Telegram HTML to WhatsApp text -------------------------------------------------------------------------

_MARKERS = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "strike": "~", "del": "~"}
_MONO = {"code", "pre"}


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.children = tag, attrs, []


class _Tree(HTMLParser):
    """Telegram HTML as a tree (entities unescaped by the parser; a tag left open is closed at the end, a stray
    end tag ignored)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, dict(attrs))
        self._open[-1].children.append(node)
        if tag != "br":
            self._open.append(node)
        else:
            node.children.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._open[-1].children.append("\n")

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def to_whatsapp(html: str | None) -> str:
    """Telegram HTML as WhatsApp formatted text."""
    if not html:
        return ""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return _render(tree.root, frozenset())


def _render(node: _Node, styles: frozenset[str]) -> str:
    if node.tag in _MONO:
        text = _plain(node)
        if not text.strip() or "```" in styles:
            return text
        return f"```{text}```"
    inner_styles = styles | {_MARKERS[node.tag]} if node.tag in _MARKERS else styles
    inner = "".join(child if isinstance(child, str) else _render(child, inner_styles) for child in node.children)
    if node.tag in _MARKERS:
        marker = _MARKERS[node.tag]
        return inner if marker in styles else _wrap(inner, marker)
    if node.tag == "a":
        return _link(inner, node.attrs.get("href") or "")
    if node.tag == "blockquote":
        return "\n".join("> " + line if line.strip() else line for line in inner.strip("\n").split("\n"))
    return inner  # u, ins, tg-spoiler, span, tg-emoji and anything unknown: their text


def _plain(node: _Node) -> str:
    return "".join(child if isinstance(child, str) else _plain(child) for child in node.children)


def _wrap(text: str, marker: str) -> str:
    """``marker`` around each line's text: WhatsApp's markers must touch the words and stay on one line."""
    lines = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            lines.append(line)
            continue
        start = line.index(core)
        lines.append(f"{line[:start]}{marker}{core}{marker}{line[start + len(core):]}")
    return "\n".join(lines)


def _link(text: str, href: str) -> str:
    href = href.strip()
    if not href or href.startswith("tg:"):  # a mention of a Telegram user: their name only
        return text
    shown = text.strip().strip("*_~`").strip()
    bare = href.removeprefix("mailto:").removeprefix("tel:")
    if not shown or shown in (href, bare) or shown.rstrip("/") == href.rstrip("/"):
        return text if shown else href
    return f"{text} ({href})"


# --- lengths ---------------------------------------------------------------------------------------------------

_SHARE = 0.5  # a cut at a paragraph or a line is taken when it keeps at least this share of the limit


def shorten(text: str, limit: int) -> str:
    """``text`` when it fits, else its start (at a word when one is near) ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def split_text(text: str, limit: int = limits.TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut between paragraphs, else lines, else words (a word
    longer than the limit is cut); only the whitespace at a cut is dropped."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest, limit)
        head = rest[:cut].rstrip()
        if head:
            pieces.append(head)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut(text: str, limit: int) -> int:
    for separator in ("\n\n", "\n"):
        at = text.rfind(separator, 0, limit + 1)
        if at >= limit * _SHARE:
            return at
    at = max(text.rfind(" ", 0, limit + 1), text.rfind("\n", 0, limit + 1))
    return at if at > 0 else limit
