"""The sandbox page playing a citizen on WhatsApp ("Warga di WhatsApp"), in headless Chromium: the web chat and
the WhatsApp emulator, and instead of the bot a tiny script that calls the emulator's Graph API as the bot does
(bot.channels.whatsapp.api.GraphApi). What WhatsApp shows is shown so: formatted text, reply buttons, a list
behind its button, a location request, a photo, a template as a template, ticks; a tap reaches the bot's webhook
as WhatsApp's button_reply; the clock jumps a day and the window closes. Screenshots in /tmp."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from tests.test_browser import _open_browser, _play_as, _png, _say

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp/lapor-sandbox-whatsapp-{}.png"


class Receiver:
    """The bot's WhatsApp webhook, as far as the test needs it: keeps what the emulator posts."""

    def __init__(self) -> None:
        self.payloads: list[dict] = []

    async def post(self, request: web.Request) -> web.Response:
        self.payloads.append(json.loads(await request.read()))
        return web.Response(text="ok")

    def messages(self) -> list[dict]:
        return [m for p in self.payloads for change in p["entry"][0]["changes"] for m in change["value"].get("messages", [])]


@asynccontextmanager
async def _sandbox_with_whatsapp():
    """The web chat (the Telegram emulator's page) with the WhatsApp emulator beside it, its webhooks to a receiver."""
    from bot.channels.whatsapp.api import GraphApi
    from bot.sandbox import webchat_whatsapp
    from bot.sandbox.emulator import BotApiEmulator
    from bot.sandbox.whatsapp import WhatsAppEmulator

    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/whatsapp", receiver.post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    webhook = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/whatsapp"
    telegram = BotApiEmulator(port=0)
    whatsapp = WhatsAppEmulator(webhook_url=webhook, webhook_retry=0.05)
    await telegram.start()
    await whatsapp.start()
    webchat_whatsapp.seat(whatsapp)
    telegram.whatsapp = whatsapp
    api = GraphApi(whatsapp.bot_settings())
    try:
        yield telegram, whatsapp, api, receiver
    finally:
        await api.close()
        await whatsapp.stop()
        await telegram.stop()
        await runner.cleanup()


async def _eventually(condition, timeout: float = 10.0):
    for _ in range(int(timeout / 0.05)):
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def _to(kind: str, content: dict) -> dict:
    from bot.sandbox.webchat_whatsapp import SAMPLE_PHONE

    return {"to": SAMPLE_PHONE, "type": kind, kind: content}


BUTTONS = {"type": "button", "body": {"text": "Laporan Anda *sudah diterima*. Mau apa sekarang?"},
           "action": {"buttons": [{"type": "reply", "reply": {"id": "status:AB12C", "title": "🔎 Cek status"}},
                                  {"type": "reply", "reply": {"id": "new", "title": "📝 Buat laporan"}},
                                  {"type": "reply", "reply": {"id": "help", "title": "❓ Bantuan"}}]}}
LIST = {"type": "list", "body": {"text": "Pilih kategori laporan (1/2)"},
        "action": {"button": "Pilih kategori", "sections": [{"title": "Kategori", "rows": [
            {"id": "cat:jalan", "title": "Jalan", "description": "Jalan rusak, berlubang, longsor"},
            {"id": "cat:air", "title": "Air bersih", "description": "PDAM mati, air keruh"},
            {"id": "cat:sampah", "title": "Sampah", "description": "Tumpukan sampah, TPS penuh"}]}]}}
ASK_PLACE = {"type": "location_request_message", "body": {"text": "Di mana lokasinya? Bagikan lokasi Anda."},
             "action": {"name": "send_location"}}


async def test_a_citizen_on_whatsapp_sees_whatsapps_messages_taps_and_jumps_a_day():
    from playwright.async_api import async_playwright, expect

    from bot.sandbox.webchat_whatsapp import SAMPLE_PHONE

    async with _sandbox_with_whatsapp() as (telegram, whatsapp, api, receiver), async_playwright() as playwright:
        browser = await _open_browser(playwright)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            await page.goto(telegram.base_url + "/")
            option = page.locator("#persona option", has_text="Warga di WhatsApp")
            await expect(option).to_have_text("Warga di WhatsApp: Siti (WhatsApp) (contoh)")
            await _play_as(page, "Warga di WhatsApp")
            chat = page.locator("#log")
            await expect(page.locator("#clockbar")).to_be_visible()
            await expect(page.locator("#who")).to_contain_text(f"+{SAMPLE_PHONE}")

            # The person writes first (the 24-hour window opens), then the "bot" answers in each of WhatsApp's forms.
            await _say(page, "Halo, jalan di depan rumah saya berlubang")
            first = await _eventually(lambda: receiver.messages())
            assert first[0]["text"]["body"] == "Halo, jalan di depan rumah saya berlubang"
            await expect(page.locator("#wawindow")).to_have_text("jendela 24 jam: terbuka")
            await api.send(_to("text", {"body": "Selamat datang di *LAPOR!* _Sumatera Barat_ ~lama~ ```AB12C-XY34Z```"}))
            await api.send(_to("interactive", BUTTONS))
            await api.send(_to("interactive", LIST))
            await api.send(_to("interactive", ASK_PLACE))
            photo = await api.upload(_png(), "image/png", "grafik.png")
            await api.send(_to("image", {"id": photo, "caption": "Foto laporan *AB12C*"}))

            welcome = chat.locator(".wa-item.bot .msg").first
            await expect(welcome.locator("strong")).to_have_text("LAPOR!")
            await expect(welcome.locator("em")).to_have_text("Sumatera Barat")
            await expect(welcome.locator("del")).to_have_text("lama")
            await expect(welcome.locator("code")).to_have_text("AB12C-XY34Z")
            assert "*" not in await welcome.locator(".wa-text").inner_text()
            buttons = chat.locator(".wa-item[data-type=button] .wa-buttons button")
            await expect(buttons).to_have_count(3)
            await expect(chat.locator(".wa-item[data-type=location_request_message] .wa-action")).to_have_text("Kirim lokasi")
            await expect(chat.locator(".wa-item[data-type=image] img.picture")).to_have_count(1)
            await page.wait_for_function("document.querySelector('.wa-item[data-type=image] img').naturalWidth > 0")
            # The person has the chat open: the bot's messages are read (blue ticks, and "read" for the bot).
            await expect(chat.locator(".wa-item.bot .wa-ticks[data-status=read]")).to_have_count(5, timeout=10000)

            # A reply button: the bot's webhook hears WhatsApp's button_reply with the button's id.
            await buttons.filter(has_text="Cek status").click()
            tapped = await _eventually(lambda: [m for m in receiver.messages() if m["type"] == "interactive"])
            assert tapped[0]["interactive"] == {"type": "button_reply", "button_reply": {"id": "status:AB12C", "title": "🔎 Cek status"}}
            assert tapped[0]["context"]["id"] == whatsapp.bot_messages(SAMPLE_PHONE)[1]["wamid"]
            await expect(chat.locator(".wa-buttons.answered button.chosen")).to_have_text("↩🔎 Cek status")

            # A list: its button opens the rows (title and description); one is picked and sent.
            await chat.get_by_role("button", name="Pilih kategori").click()
            sheet = page.locator("#washeet")
            await expect(sheet.locator("label.row")).to_have_count(3)
            await expect(sheet.locator("label.row").first).to_contain_text("Jalan rusak, berlubang, longsor")
            await page.screenshot(path=SCREENSHOTS.format("list"))
            await sheet.get_by_text("Air bersih").click()
            await sheet.get_by_role("button", name="Kirim").click()
            await expect(sheet).to_have_count(0)
            picked = await _eventually(lambda: [m for m in receiver.messages() if m["type"] == "interactive"
                                                and m["interactive"]["type"] == "list_reply"])
            assert picked[0]["interactive"]["list_reply"]["id"] == "cat:air"

            # The location request opens the page's map; a sample place is shared as WhatsApp's location message.
            await chat.get_by_role("button", name="Kirim lokasi").click()
            await page.select_option("#preset", label="Kota Padang")
            await page.click("#sendloc")
            place = await _eventually(lambda: [m for m in receiver.messages() if m["type"] == "location"])
            assert abs(place[0]["location"]["latitude"] - -0.9492) < 1e-6
            await expect(chat.locator(".wa-item.me .msg").last).to_contain_text("-0.94920, 100.35430")

            # A photo and a voice note from the 📎 menu (no Telegram sticker there): each a WhatsApp message of its kind.
            await page.set_input_files("#file", files=[{"name": "lubang.png", "mimeType": "image/png", "buffer": _png()}])
            await expect(chat.locator(".wa-item.me[data-type=image] img.picture")).to_have_count(1)
            await page.get_by_role("button", name="Lampiran").click()
            await expect(page.get_by_role("menuitem", name="Stiker")).to_be_hidden()
            await page.get_by_role("menuitem", name="Pesan suara").click()
            await expect(chat.locator(".wa-item.me[data-type=audio]")).to_contain_text("pesan suara")
            sent = await _eventually(lambda: [m for m in receiver.messages() if m["type"] in ("image", "audio")][1:])
            assert sent[0]["audio"]["voice"] is True

            # A day later the window is closed: a plain text fails (131047), the template arrives as a template.
            await page.get_by_role("button", name="⏩ +1 hari").click()
            await expect(page.locator("#waahead")).to_have_text("(+1 hari)")
            await expect(page.locator("#wawindow")).to_have_text("jendela 24 jam: tertutup (bot hanya boleh mengirim template)")
            await expect(chat.locator(".wa-day")).to_have_count(1)
            await api.send(_to("text", {"body": "Status laporan AB12C berubah: Terverifikasi"}))
            await api.send(_to("template", {"name": "lapor_kabar_laporan", "language": {"code": "id"}, "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Status laporan AB12C berubah: Terverifikasi"}]}]}))
            await expect(chat.locator(".wa-error")).to_contain_text("131047")
            template = chat.locator(".wa-item[data-type=template] .msg")
            await expect(template.locator(".wa-template-tag")).to_contain_text("Template: lapor_kabar_laporan")
            await expect(template.locator(".wa-template-tag")).to_contain_text("utility · id")
            await expect(template.locator(".wa-text")).to_contain_text("Status laporan AB12C berubah: Terverifikasi")
            await expect(template.locator(".wa-ticks")).to_have_attribute("data-status", "read", timeout=10000)
            await expect(chat.locator(".wa-day")).to_have_count(2)  # the next day's messages under their date
            await page.screenshot(path=SCREENSHOTS.format("desktop"))

            # On a phone's screen: nothing runs off the side, the clock and the composer fit.
            await page.set_viewport_size({"width": 390, "height": 844})
            await page.wait_for_timeout(300)
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            for control in (page.locator("#advance"), page.locator("#text"), page.locator("#persona")):
                box = await control.bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, await control.evaluate("e => e.id")
            await page.screenshot(path=SCREENSHOTS.format("phone"))
            await chat.evaluate("log => log.scrollTop = 0")
            await page.screenshot(path=SCREENSHOTS.format("phone-top"))

            # English, and back to Telegram's citizen: the Telegram page is as it was.
            await page.select_option("#language", "en")
            await expect(page.locator("#persona option", has_text="Citizen on WhatsApp")).to_have_count(1)
            await expect(page.get_by_role("button", name="⏩ +1 day")).to_be_visible()
            await _play_as(page, "Warga Sandbox")
            await expect(page.locator("#clockbar")).to_be_hidden()
            await expect(page.locator("body")).not_to_have_class("wa")
        finally:
            await browser.close()


async def test_the_whatsapp_routes_send_as_the_sample_person_and_refuse_when_the_emulator_is_off():
    import aiohttp

    from bot.sandbox.webchat_whatsapp import SAMPLE_PHONE

    async with _sandbox_with_whatsapp() as (telegram, whatsapp, api, receiver), aiohttp.ClientSession() as http:
        base = telegram.base_url + "/sandbox/whatsapp/api"
        async with http.post(f"{base}/text", json={"text": "halo", "client_id": "one"}) as response:
            assert response.status == 200
        async with http.post(f"{base}/text", json={"text": "halo", "client_id": "one"}) as response:
            assert (await response.json()) == {"duplicate": True}  # a resend after an outage is not a second message
        form = aiohttp.FormData()
        form.add_field("file", _png(), filename="lubang.png", content_type="image/png")
        form.add_field("file", b"%PDF-1.4 sample", filename="surat.pdf", content_type="application/pdf")
        async with http.post(f"{base}/files", data=form) as response:
            assert response.status == 200
        async with http.post(f"{base}/voice", json={}) as response:
            assert response.status == 200
        kinds = [entry["type"] for entry in whatsapp.conversation(SAMPLE_PHONE)]
        assert kinds == ["text", "image", "document", "audio"]
        messages = await _eventually(lambda: len(receiver.messages()) == 4 and receiver.messages())
        assert messages[3]["audio"]["voice"] is True
        async with http.get(f"{base}/chat", params={"version": "-1"}) as response:
            state = await response.json()
        assert state["window_open"] and state["person"] == {"phone": SAMPLE_PHONE, "name": "Siti (WhatsApp)"}
        image = state["messages"][1]["wa"]["media"]
        async with http.get(telegram.base_url + image["url"]) as response:
            assert await response.read() == _png()
        async with http.post(f"{base}/advance", json={"hours": 24}) as response:
            assert (await response.json())["clock"]["offset_hours"] == 24
        async with http.get(f"{base}/chat", params={"version": "-1"}) as response:
            assert not (await response.json())["window_open"]
        async with http.post(f"{base}/tap", json={"id": "nothing"}) as response:
            assert response.status == 400
        async with http.get(telegram.base_url + "/sandbox/api/personas") as response:
            assert (await response.json())[0]["role"] == "whatsapp"

        telegram.whatsapp = None  # SANDBOX_WHATSAPP=0: the page does not offer it, its routes say why
        async with http.get(f"{base}/chat") as response:
            assert response.status == 404
        async with http.get(telegram.base_url + "/sandbox/api/personas") as response:
            assert all(person["role"] != "whatsapp" for person in await response.json())
