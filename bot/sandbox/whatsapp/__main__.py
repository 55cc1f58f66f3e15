"""Run the WhatsApp emulator on its own: ``python -m bot.sandbox.whatsapp --port 8091 --webhook URL``.

The bot then runs with WHATSAPP_API_URL=http://127.0.0.1:8091 and the emulator's token, app secret and verify
token (printed at start). People act from Python (``person_*`` methods); this runner only keeps the Graph API up.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.sandbox.whatsapp.emulator import WhatsAppEmulator


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--webhook", help="the bot's webhook URL, e.g. http://127.0.0.1:8080/whatsapp")
    parser.add_argument("--state-dir", type=Path, help="keep the state here across restarts")
    options = parser.parse_args()
    emulator = WhatsAppEmulator(port=options.port, webhook_url=options.webhook, state_dir=options.state_dir)
    await emulator.start()
    settings = emulator.bot_settings()
    print(f"WhatsApp emulator on {emulator.base_url}: WHATSAPP_API_URL={settings.api_base_url} "
          f"WHATSAPP_PHONE_NUMBER_ID={settings.phone_number_id} WHATSAPP_ACCESS_TOKEN={settings.access_token} "
          f"WHATSAPP_APP_SECRET={settings.app_secret} WHATSAPP_VERIFY_TOKEN={settings.verify_token}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
