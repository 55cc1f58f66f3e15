"""The baseline: an echo bot on the same stack as lapor-bot (python-telegram-bot's Application, handlers and
HTTPX Bot; an aiohttp webhook receiver with the secret token; the same event loop, bot.event_loop), with no
database: each update is handled as soon as it arrives and answered with its own text.
Usage: python -m bench.harness.echo_bot API_BASE_URL TOKEN WEBHOOK_PORT
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web
from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.event_loop import run_loop

SECRET = "echo-secret"


async def echo(update: Update, context) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def main(base_url: str, token: str, port: int) -> None:
    application = (Application.builder().token(token).base_url(f"{base_url}/bot").updater(None).build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    handling: set[asyncio.Task] = set()

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return web.Response(status=403)
        task = asyncio.create_task(application.process_update(Update.de_json(await request.json(), application.bot)))
        handling.add(task)
        task.add_done_callback(handling.discard)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with application:
        await application.start()
        await application.bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token=SECRET)
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    run_loop(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
