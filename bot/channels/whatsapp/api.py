"""The Graph API calls the channel makes, over one shared aiohttp session: send a message, upload a file, and
download one a person sent. Errors come back as ``GraphError`` with WhatsApp's code, never as a raw response."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.config import WhatsAppSettings

TIMEOUT = aiohttp.ClientTimeout(total=20, connect=10)


class GraphError(Exception):
    """What the Graph API refused (``code``: WhatsApp's error code, 0 for a network failure or a response that is
    not the API's), with the HTTP status and, for rate limits, how long to wait where it said."""

    def __init__(self, status: int, code: int, title: str, details: str = "", retry_after: float | None = None):
        super().__init__(f"{code} {title}" + (f": {details}" if details else ""))
        self.status, self.code, self.title, self.details, self.retry_after = status, code, title, details, retry_after


@dataclass(frozen=True)
class MediaInfo:
    url: str
    mime_type: str | None
    size: int | None


class GraphApi:
    def __init__(self, settings: WhatsAppSettings, session: aiohttp.ClientSession | None = None) -> None:
        self.settings = settings
        self._session = session
        self._base = f"{settings.api_base_url}/{settings.api_version}"

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.access_token}"}

    async def send(self, body: dict[str, Any]) -> str:
        """POST one message (``body`` without ``messaging_product``); the message's id (``wamid...``)."""
        answer = await self._call("POST", f"{self._base}/{self.settings.phone_number_id}/messages",
                                  json={"messaging_product": "whatsapp", **body})
        return answer["messages"][0]["id"]

    async def upload(self, content: bytes, mime_type: str, file_name: str) -> str:
        """Upload a file once; its media id, to send by."""
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime_type)
        form.add_field("file", content, filename=file_name, content_type=mime_type)
        answer = await self._call("POST", f"{self._base}/{self.settings.phone_number_id}/media", data=form)
        return answer["id"]

    async def media_info(self, media_id: str) -> MediaInfo:
        answer = await self._call("GET", f"{self._base}/{media_id}")
        return MediaInfo(answer["url"], answer.get("mime_type"), answer.get("file_size"))

    async def download(self, url: str, limit: int) -> bytes:
        """The bytes at a media URL (it needs the token), refusing more than ``limit``."""
        try:
            async with self.session.get(url, headers=self._auth) as response:
                if response.status != 200:
                    raise GraphError(response.status, 0, f"download answered HTTP {response.status}")
                content = await response.content.read(limit + 1)
        except aiohttp.ClientError as error:
            raise GraphError(0, 0, f"download failed: {type(error).__name__}") from error
        if len(content) > limit:
            raise GraphError(413, 0, f"the file is larger than {limit} bytes")
        return content

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self.session.request(method, url, headers=self._auth, **kwargs) as response:
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    answer = None
                if response.status == 200 and isinstance(answer, dict):
                    return answer
                raise _error(response.status, answer, response.headers.get("Retry-After"))
        except aiohttp.ClientError as error:
            raise GraphError(0, 0, f"{type(error).__name__}") from error
        except TimeoutError as error:
            raise GraphError(0, 0, "timeout") from error


def _error(status: int, answer: Any, retry_after: str | None) -> GraphError:
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        return GraphError(status, 0, f"HTTP {status}")
    details = (error.get("error_data") or {}).get("details", "") if isinstance(error.get("error_data"), dict) else ""
    wait = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
    return GraphError(status, int(error.get("code") or 0), str(error.get("message") or error.get("title") or ""),
                      str(details), wait)
