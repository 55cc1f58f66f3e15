"""The sandbox page as a newcomer meets it, on a desktop and on a phone-sized screen: it follows the
conversation (charts included), fits the screen, speaks the user's language, greets a first visit, names its
controls, shows the citizen's own photo, marks answered questions, sends multi-line text, and has a map that
zooms so a pin can be placed to within a few tens of metres."""

from __future__ import annotations

import math
from contextlib import asynccontextmanager

import pytest

from tests.test_browser import _open_browser, _play_as, _png, _say, sandbox  # noqa: F401 (sandbox is a fixture)

pytestmark = pytest.mark.browser

SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
DISTANCE_TO_BOTTOM = "(() => { const log = document.getElementById('log'); return log.scrollHeight - log.scrollTop - log.clientHeight; })()"


@pytest.fixture(params=SCREENS, ids=list(SCREENS))
def screen(request) -> tuple[int, int]:
    return SCREENS[request.param]


@asynccontextmanager
async def _page(url: str, screen: tuple[int, int]):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _open_browser(playwright)
        try:
            page = await browser.new_page(viewport={"width": screen[0], "height": screen[1]})
            await page.goto(url)
            yield page
        finally:
            await browser.close()


async def test_the_view_follows_the_conversation_past_charts_and_marks_new_messages_when_scrolled_up(sandbox, screen):
    from playwright.async_api import expect

    url, _environment, _workdir = sandbox
    async with _page(url, screen) as page:
        chat = page.locator("#log")
        await _play_as(page, "Admin Koordinator")
        await _say(page, "/start")
        await expect(chat).to_contain_text("Saya bot SP4N-LAPOR!", timeout=30000)
        await _say(page, "/statistik")
        charts = chat.locator("img.picture")
        await expect(charts).to_have_count(5, timeout=30000)
        await page.wait_for_function("[...document.querySelectorAll('img.picture')].every(image => image.complete && image.naturalWidth > 0)")
        await page.wait_for_timeout(500)
        assert await page.evaluate(DISTANCE_TO_BOTTOM) < 2, "the newest chart is in view"

        # Scrolled up to the menu, a tap's answer arrives below: the view stays, and a marker says so.
        help_button = page.get_by_role("button", name="❓ Bantuan").first
        await page.mouse.move(screen[0] / 2, screen[1] / 2)
        for _ in range(100):
            if await _in_view(page, help_button):
                break
            await page.mouse.wheel(0, -400)
            await page.wait_for_timeout(50)
        before = await page.evaluate("document.getElementById('log').scrollTop")
        await help_button.click()
        await expect(chat).to_contain_text("Cara memakai lapor-bot")
        newer = page.get_by_role("button", name="Pesan baru ↓")
        await expect(newer).to_be_visible()
        assert await page.evaluate("document.getElementById('log').scrollTop") == before, "the view stays where the reader is"
        await newer.click()
        await expect(newer).to_be_hidden()
        assert await page.evaluate(DISTANCE_TO_BOTTOM) < 2


async def _in_view(page, locator) -> bool:
    box = await locator.bounding_box()
    log = await page.locator("#log").bounding_box()
    return box is not None and box["y"] >= log["y"] and box["y"] + box["height"] <= log["y"] + log["height"]


async def test_the_page_fits_the_screen_with_a_dozen_people_to_play(sandbox, screen):
    from playwright.async_api import expect

    url, _environment, _workdir = sandbox
    async with _page(url, screen) as page:
        await expect(page.locator("#persona option")).not_to_have_count(1)  # the sample staff are listed
        await page.evaluate("""() => {
            for (let i = 0; i < 12; i++) document.getElementById('persona').add(new Option(`Penghubung Dinas Lingkungan Hidup Kabupaten Kepulauan Mentawai ${i} (contoh)`, String(9990000 + i)));
        }""")
        width, height = screen
        for control in (page.locator("#persona"), page.locator("#text"), page.get_by_role("button", name="Kirim", exact=True)):
            box = await control.bounding_box()
            assert box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, await control.evaluate("e => e.outerHTML.slice(0, 80)")
        header = await page.locator("header").bounding_box()
        assert header["height"] <= 0.08 * height, f"the header takes {header['height']} px of {height}"
        assert await page.evaluate("document.documentElement.scrollWidth") <= width, "nothing runs off the side"


async def test_a_first_visit_says_to_start_in_the_users_language_with_labelled_controls(sandbox, screen):
    from playwright.async_api import expect

    url, _environment, _workdir = sandbox
    async with _page(url, screen) as page:
        chat = page.locator("#log")
        greeting = page.locator("#empty")
        await expect(greeting).to_be_visible()
        await expect(greeting).to_contain_text("/start")
        await expect(page.locator("html")).to_have_attribute("lang", "id")
        await expect(page.locator("#text")).to_have_attribute("placeholder", "Ketik pesan")
        # Without an emoji font every control still says what it does: a word, or an icon shipped in the page.
        for control in await page.locator("#composer button, #composer label").all():
            label = await control.evaluate("e => e.innerText + ' ' + (e.getAttribute('aria-label') || '')")
            assert any(letter.isalpha() for letter in label), label
            if await control.is_visible():
                words = await control.inner_text()
                assert any(letter.isalpha() for letter in words) or await control.locator("svg").count(), label

        await page.get_by_role("button", name="Mulai").click()
        await expect(chat).to_contain_text("Saya bot SP4N-LAPOR!", timeout=30000)
        await expect(greeting).to_be_hidden()

        await page.select_option("#language", "en")
        await expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()  # remembered
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("#persona option").first).to_have_text("Citizen: Warga Sandbox")
        await page.select_option("#language", "id")
        await expect(page.get_by_role("button", name="Kirim", exact=True)).to_be_visible()


async def _describe_a_road_problem(page, text: str) -> None:
    from playwright.async_api import expect

    chat = page.locator("#log")
    await _say(page, "/start")
    await page.get_by_role("button", name="📝 Buat laporan").last.click()
    await page.get_by_role("button", name="Pengaduan").last.click()
    await page.get_by_role("button", name="Jalan", exact=True).last.click()
    await expect(chat).to_contain_text("Apa yang terjadi?", timeout=30000)
    lines = text.split("\n")
    await page.locator("#text").fill(lines[0])
    for line in lines[1:]:
        await page.locator("#text").press("Shift+Enter")
        await page.locator("#text").type(line)
    await page.locator("#text").press("Enter")
    await expect(chat).to_contain_text("Di mana lokasinya?")


async def test_the_attach_menu_matches_the_bots_hint_and_the_map_zooms_to_a_street(sandbox, screen):
    from playwright.async_api import expect

    url, _environment, _workdir = sandbox
    async with _page(url, screen) as page:
        chat = page.locator("#log")
        await _describe_a_road_problem(page, "Jalan berlubang besar di depan pasar sejak dua minggu lalu.")
        await expect(chat).to_contain_text("(📎 → Lokasi)")  # the bot's hint for Telegram, true on the page too
        await page.get_by_role("button", name="Lampiran").click()
        await page.get_by_role("menuitem", name="Lokasi").click()
        canvas = page.locator("#map")
        await expect(canvas).to_be_visible()

        await page.select_option("#preset", label="Kota Padang")
        for _ in range(3):
            await page.get_by_role("button", name="Perbesar").click()
        box = await canvas.bounding_box()
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert _metres(await _click(page, *centre), (-0.9492, 100.3543)) < 100, "a click lands where the map shows"
        one_pixel = _metres(await _click(page, centre[0] + 1, centre[1]), await _click(page, *centre))
        assert one_pixel < 50, f"one pixel is {one_pixel:.0f} m"

        spot = (box["x"] + box["width"] / 3, box["y"] + box["height"] / 3)
        before = await _click(page, *spot)
        await page.mouse.move(*spot)
        for _ in range(3):
            await page.mouse.wheel(0, -300)  # zooms in around the pointer
            await page.wait_for_timeout(100)
        assert _metres(await _click(page, *spot), before) < 20
        one_pixel_after = _metres(await _click(page, spot[0] + 1, spot[1]), await _click(page, *spot))
        assert one_pixel_after < one_pixel / 2, "the wheel zoomed in"

        await page.mouse.move(*centre)  # a drag moves the map with the pointer
        await page.mouse.down()
        await page.mouse.move(centre[0] + 60, centre[1] + 40, steps=5)
        await page.mouse.up()
        assert _metres(await _click(page, spot[0] + 60, spot[1] + 40), before) < 20

        await page.get_by_role("button", name="Bagikan lokasi ini").click()
        await expect(chat).to_contain_text("Lokasi dicatat")


async def _click(page, x: float, y: float) -> tuple[float, float]:
    """Click the map; the point it picked, as the latitude and longitude boxes show it."""
    await page.mouse.click(x, y)
    return float(await page.input_value("#lat")), float(await page.input_value("#lng"))


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * 111_320
    east = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)


async def test_own_photo_answered_questions_and_a_line_break(sandbox, screen):
    from playwright.async_api import expect

    url, _environment, _workdir = sandbox
    async with _page(url, screen) as page:
        chat = page.locator("#log")
        text_box = page.locator("#text")
        one_line = (await text_box.bounding_box())["height"]
        await _describe_a_road_problem(page, "Jalan berlubang besar\ndi depan pasar sejak dua minggu lalu.")
        await expect(chat.locator(".msg.me").last).to_have_text("Jalan berlubang besar\ndi depan pasar sejak dua minggu lalu.")

        await text_box.fill("satu")
        await text_box.press("Shift+Enter")
        await text_box.type("dua")
        assert (await text_box.bounding_box())["height"] > one_line * 1.5, "the box grows with its lines"
        await text_box.fill("")

        # The menu was answered (📝 Buat laporan tapped): its buttons no longer look like the live ones.
        answered = page.get_by_role("button", name="🔎 Cek status").first
        live = page.get_by_role("button", name="Kembali").last
        look = "e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor, s.borderColor]; }"
        assert await answered.evaluate(look) != await live.evaluate(look)

        await page.set_input_files("#file", files=[{"name": "lubang.png", "mimeType": "image/png", "buffer": _png()}])
        own = chat.locator(".msg.me img")
        await expect(own).to_have_count(1)
        await page.wait_for_function("document.querySelector('.msg.me img').naturalWidth > 0")
