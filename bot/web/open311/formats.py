"""Open311's two formats: JSON, and XML whose elements are named as the specification names them (a list of
``request`` in ``service_requests``, of ``error`` in ``errors``, ...). Values are text, numbers, booleans, moments
(W3C date-times with their offset), lists and nested records; None is left out of XML and null in JSON."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from aiohttp import web

JSON, XML = "json", "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {JSON: "application/json", XML: "text/xml"}
# The element of each item of a list, by the list's name.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


# What XML 1.0 cannot hold at all (control characters, lone surrogates, U+FFFE/U+FFFF): left out of XML text.
NOT_IN_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _element(name: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                element.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(ITEMS.get(name, "item"), item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = NOT_IN_XML.sub("", str(value))
    return element


def respond(data: Any, root: str, fmt: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """``data`` (a list of records, or one record) in ``fmt``, XML under the element ``root``."""
    data = _plain(data)
    if fmt == XML:
        body = ElementTree.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)
        return web.Response(body=body, status=status, content_type=CONTENT_TYPES[XML], charset="utf-8",
                            headers=headers)
    return web.json_response(data, status=status, headers=headers)


def errors(status: int, description: str, fmt: str, code: int | None = None,
           headers: dict[str, str] | None = None) -> web.Response:
    """Open311's error shape: a list of ``{code, description}``; the code is the HTTP status unless given."""
    return respond([{"code": code or status, "description": description}], "errors", fmt, status, headers)
