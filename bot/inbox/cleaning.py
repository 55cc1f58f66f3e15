"""The edge where what comes in becomes our data: cleaned of what a database refuses, once, for every field.

PostgreSQL refuses a NUL character in text (and JSONB the escape ``\\u0000``); a lone surrogate (JSON may
carry ``\\ud800`` unpaired) cannot be written as UTF-8 at all, by any database or to Telegram. Both come only
from probes and broken clients, so a receiver cleans the whole update (every string, names and keys too)
before anything stores, parses or handles it: a NUL is dropped, a lone surrogate becomes U+FFFD (�).
A body too deeply nested to read safely is refused by ``read_json``, which a receiver of either channel uses, and so
is one with NaN or an infinite number (Python reads them, JSON has none, and PostgreSQL's JSONB refuses them: stored
nowhere, such a body would be answered 503 and come back from Meta for days).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# Real updates nest a dozen levels (a reply to a message with entities); Python's parser stops near 1,000.
MAX_JSON_DEPTH = 64


def storable_text(text: str) -> str:
    """``text`` without NUL characters, and with each lone surrogate replaced by U+FFFD."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(lambda match: "" if match.group() == "\x00" else REPLACEMENT, text)


def storable(value: Any) -> Any:
    """A decoded JSON value (an incoming update) with every string in it, keys included, made storable."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def read_json(body: bytes) -> Any:
    """A receiver's body as JSON, or ValueError when it is not JSON or nests deeper than ``MAX_JSON_DEPTH``
    (a hostile body that would exhaust the recursion of the parser, or of whatever reads it next)."""
    try:
        value = json.loads(body, parse_constant=_not_json, parse_float=_finite)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ValueError("JSON nested too deeply")
    return value


def _not_json(constant: str) -> float:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number too large for JSON")
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value``, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest
