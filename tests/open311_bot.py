"""The real bot with its Open311 API on a port of its own (as ``serve`` runs it beside polling), keys made as the
command line makes them, and a client that speaks both formats."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any
from xml.etree import ElementTree

import aiohttp

from bot.app import web_routes
from bot.inbox.receivers import Polling
from bot.sandbox.emulator import BotApiEmulator
from bot.services import api_keys
from tests.conftest import RunningBot
from tests.harness import eventually, free_port

BASE = "/open311/v2"


class Open311Bot(RunningBot):
    def __init__(self, emulator: BotApiEmulator, database_url: str, tmp_path, router=None) -> None:
        super().__init__(emulator, database_url, tmp_path, router)
        self.port = free_port()

    def receiver(self) -> Polling:
        return Polling(timeout=1, operations_port=self.port, listen="127.0.0.1", routes=web_routes(self.application))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{BASE}/{path}"

    async def key(self, scope: str = api_keys.WRITE, name: str = "Sistem uji") -> str:
        async with self.services.transactions.begin() as session:
            return (await api_keys.create(session, name, scope))[1]


@asynccontextmanager
async def open311_bot(emulator: BotApiEmulator, database_url: str, tmp_path, **settings) -> AsyncIterator[Open311Bot]:
    """The bot (``settings`` replacing its own), once its API answers."""
    running = Open311Bot(emulator, database_url, tmp_path)
    running.settings = replace(running.settings, **settings)
    await running.start()
    try:
        async with aiohttp.ClientSession() as http:
            await eventually(lambda: answers(http, running.url("services.json")))
        yield running
    finally:
        await running.stop()


async def answers(http: aiohttp.ClientSession, url: str) -> bool:
    """Whether ``url`` answers 200 (the API is up)."""
    try:
        async with http.get(url) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


class Answer:
    """An answer read in its format: ``data`` as JSON gives it (XML read into the same shape)."""

    def __init__(self, status: int, content_type: str, body: bytes, headers) -> None:
        self.status, self.content_type, self.body, self.headers = status, content_type, body, headers
        self.data = json.loads(body) if content_type == "application/json" else from_xml(body)


LISTS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


def from_xml(body: bytes) -> Any:
    """Open311's XML as the JSON shape: a list element becomes a list, a record a dict, text stays text."""
    return _read(ElementTree.fromstring(body))


def _read(element: ElementTree.Element) -> Any:
    if element.tag in LISTS:
        return [_read(child) for child in element]
    if len(element):
        return {child.tag: _read(child) for child in element}
    return element.text or ""


async def call(http: aiohttp.ClientSession, method: str, url: str, **options) -> Answer:
    async with http.request(method, url, **options) as response:
        return Answer(response.status, response.content_type, await response.read(), response.headers)
