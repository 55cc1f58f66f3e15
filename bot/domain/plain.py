"""Typed values as plain data for JSON (the outbox's payloads, a conversation's state).

``dataclasses.asdict`` deep-copies every leaf on its way (``copy.deepcopy`` of each string and number), which made
a turn's payloads and draft a tenth of its CPU (bench/turn.py). Leaves here are immutable (strings, numbers, None,
enums), so they are taken as they are."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` of a dataclass (and of the dataclasses, lists, tuples and dicts within it), its
    leaves shared instead of copied."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(item) for item in value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value
