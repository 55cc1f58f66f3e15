"""`lapor-bot` without a token starts the WhatsApp emulator beside the Telegram one: the bot is pointed at it, its
webhooks go to the bot's WhatsApp port, its chats are kept in the state folder; SANDBOX_WHATSAPP=0 leaves it out.
(The bot itself is replaced by a stand-in for ``serve`` here: the browser tests run the whole sandbox.)"""

from __future__ import annotations

import argparse
import asyncio

import aiohttp
import pytest
from aiohttp import web

from tests.harness import free_port


async def _run_sandbox(monkeypatch, tmp_path, seen: dict) -> None:
    import bot.app
    from bot import cli
    from bot.config import Settings

    async def serve(settings, stop, api_base_url=None, prepare=None, web_port=None):
        seen.update(settings=settings, api_base_url=api_base_url, web_port=web_port)
        async with aiohttp.ClientSession() as http:
            async with http.get(api_base_url + "/sandbox/api/personas") as response:
                seen["personas"] = await response.json()
            if settings.whatsapp.enabled:  # the emulator answers the bot with the settings it was given
                async with http.post(f"{settings.whatsapp.api_base_url}/{settings.whatsapp.api_version}/"
                                     f"{settings.whatsapp.phone_number_id}/messages",
                                     headers={"Authorization": f"Bearer {settings.whatsapp.access_token}"},
                                     json={"messaging_product": "whatsapp", "to": "6281200000001", "type": "template",
                                           "template": {"name": "hello_world", "language": {"code": "en_US"}}}) as response:
                    seen["graph"] = response.status
            if not settings.whatsapp.enabled:
                async with http.post(api_base_url + "/sandbox/whatsapp/api/text", json={"text": "halo"}) as response:
                    seen["page"] = response.status
                return
            # The bot's WhatsApp webhook, on the web port it was given: what the page's person writes arrives there.
            arrived = asyncio.Event()

            async def webhook(request: web.Request) -> web.Response:
                seen.setdefault("webhooks", []).append(await request.json())
                arrived.set()
                return web.Response(text="ok")

            app = web.Application()
            app.router.add_post(settings.whatsapp.webhook_path, webhook)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", web_port).start()
            try:
                async with http.post(api_base_url + "/sandbox/whatsapp/api/text", json={"text": "halo"}) as response:
                    seen["page"] = response.status
                await asyncio.wait_for(arrived.wait(), 10)
            finally:
                await runner.cleanup()

    monkeypatch.setattr(bot.app, "serve", serve)
    monkeypatch.setenv("SANDBOX_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert await cli.sandbox(Settings.from_env(), argparse.Namespace(port=free_port())) == 0


async def test_the_sandbox_starts_the_whatsapp_emulator_for_the_bot_and_the_page(monkeypatch, tmp_path):
    seen: dict = {}
    monkeypatch.delenv("SANDBOX_WHATSAPP", raising=False)
    await _run_sandbox(monkeypatch, tmp_path, seen)
    settings = seen["settings"]
    assert settings.bot_token is None and settings.whatsapp.enabled
    assert seen["web_port"] and seen["graph"] == 200 and seen["page"] == 200
    assert seen["personas"][0]["role"] == "whatsapp"
    texts = [m["text"]["body"] for hook in seen["webhooks"] for change in hook["entry"][0]["changes"]
             for m in change["value"].get("messages", [])]
    assert "halo" in texts
    assert (tmp_path / "state" / "whatsapp").is_dir()  # kept across restarts, beside the Telegram chats
    async with aiohttp.ClientSession() as http:  # stopped on exit
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(settings.whatsapp.api_base_url)


async def test_sandbox_whatsapp_off_leaves_it_out(monkeypatch, tmp_path):
    seen: dict = {}
    monkeypatch.setenv("SANDBOX_WHATSAPP", "0")
    await _run_sandbox(monkeypatch, tmp_path, seen)
    assert not seen["settings"].whatsapp.enabled and seen["web_port"], "the web side (Open311) has its port still"
    assert seen["page"] == 404 and all(person["role"] != "whatsapp" for person in seen["personas"])
