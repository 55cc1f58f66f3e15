"""python-telegram-bot's HTTP client, on aiohttp: every Bot API call goes through one ``ClientSession``.

PTB's own ``HTTPXRequest`` spent a fifth of a busy web process's CPU (httpcore scanning its idle connections
on every request); aiohttp is already our web stack. This keeps what ``HTTPXRequest`` promises: its timeouts
(connect, read, write, pool), a connection limit, a proxy (``proxy``, or HTTPS_PROXY/NO_PROXY as httpx reads
them), and failures told as PTB's ``TimedOut`` and ``NetworkError``; PTB's ``BaseRequest`` turns the Bot
API's answers (429 with ``retry_after``, 4xx, 5xx) into its other exceptions, as it does for httpx.

The environment's proxy is read once per host, not by aiohttp's ``trust_env``, which reads it and the netrc file
in a thread at every request: an eighth of a busy web process's CPU (bench/load.py --profile).
"""

from __future__ import annotations

import asyncio
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class Timeouts:
    """Seconds each part of a call may take (None: no limit), as ``HTTPXRequest`` takes them."""

    connect: float | None = 5.0
    read: float | None = 5.0
    write: float | None = 5.0
    pool: float | None = 1.0
    media_write: float | None = 20.0

    def for_call(self, read, write, connect, pool, uploads: bool) -> aiohttp.ClientTimeout:
        """A call's own timeouts, its defaults where PTB passed none. aiohttp times the wait for a free
        connection and the connecting together, and has no write timeout of its own: writing counts towards
        the call's whole time, which is all parts added up."""
        read = self.read if isinstance(read, DefaultValue) else read
        write = (self.media_write if uploads else self.write) if isinstance(write, DefaultValue) else write
        connect = self.connect if isinstance(connect, DefaultValue) else connect
        pool = self.pool if isinstance(pool, DefaultValue) else pool
        parts = (read, write, connect, pool)
        total = None if None in parts else sum(parts)
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)


class AiohttpRequest(BaseRequest):
    """One shared session for both of PTB's request slots (getUpdates and the rest): initialising or shutting
    it down twice is harmless, as the Bot does it once per slot."""

    __slots__ = ("_connection_pool_size", "_proxy", "_session", "_timeouts")

    def __init__(self, connection_pool_size: int = 256, timeouts: Timeouts = Timeouts(), proxy: str | None = None):
        self._connection_pool_size, self._timeouts, self._proxy = connection_pool_size, timeouts, proxy
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts.read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connection_pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = bool(request_data and request_data.contains_files)
        timeout = self._timeouts.for_call(read_timeout, write_timeout, connect_timeout, pool_timeout, uploads)
        proxy = self._proxy or _environment_proxy_for(url)
        try:
            body = _body(request_data)
            headers = _FORM_HEADERS if isinstance(body, bytes) else None
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout,
                                             proxy=proxy) as response:
                return response.status, await response.read()
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _environment_proxy_for(url: str) -> str | None:
    target = urlsplit(url)
    return _environment_proxy(target.scheme, target.hostname or "")


@lru_cache(maxsize=16)
def _environment_proxy(scheme: str, host: str) -> str | None:
    """HTTPS_PROXY (or HTTP_PROXY) for calls to ``host``, unless NO_PROXY exempts it."""
    if urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(scheme)


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """The parameters as a form (each value JSON-encoded, as PTB sends them); multipart where files go too.
    Without files, the encoded bytes themselves: aiohttp's ``FormData`` took four times as long to say the same."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return urlencode(request_data.json_parameters).encode()
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
