"""The Bot API's wire format: parameters in (query, JSON, form, multipart), answers and errors out."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.sandbox.model import ApiError

Uploads = dict[str, tuple[bytes, str, str]]  # part name -> (bytes, file name, MIME type)

# Form-encoded parameters that carry JSON (python-telegram-bot sends objects this way).
JSON_PARAMETERS = {
    "reply_markup", "media", "entities", "caption_entities", "allowed_updates", "commands", "scope",
    "link_preview_options", "reply_parameters", "chat_id", "from_chat_id", "message_id", "offset", "limit",
    "timeout", "show_alert", "cache_time", "disable_notification", "protect_content", "drop_pending_updates",
    "max_connections", "latitude", "longitude", "width", "height", "duration",
}


async def read_parameters(request: web.Request) -> tuple[dict[str, Any], Uploads]:
    """Parameters as Telegram accepts them: query string, JSON body, form, or multipart with files."""
    params: dict[str, Any] = dict(request.query)
    uploads: Uploads = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, uploads
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.filename:
                uploads[part.name] = (await part.read(), part.filename, part.headers.get("Content-Type", "application/octet-stream"))
            else:
                params[part.name] = _decode(part.name, await part.text())
    elif request.can_read_body:
        for name, value in (await request.post()).items():
            params[name] = _decode(name, value)
    return params, uploads


def _decode(name: str, value: str) -> Any:
    if name in JSON_PARAMETERS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def result_response(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)


def drop_connection(request: web.Request) -> web.Response:
    """Close the TCP connection without a byte of answer: the client sees a network error, not an HTTP status.

    aiohttp still wants a response object back; writing it to the aborted transport goes nowhere.
    """
    request.protocol.force_close()
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)
