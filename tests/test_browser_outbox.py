"""Nothing typed in the sandbox page is lost: the page keeps the history and an outbox in the browser,
and the sandbox keeps its chats on disk, so a message typed while `lapor-bot` is down is answered
after it starts again, with the whole history still there."""

from __future__ import annotations

import pytest

from tests.kit.sandbox import SandboxProcess
from tests.test_browser import chromium_or_skip

pytestmark = pytest.mark.browser


@pytest.fixture
async def sandbox(tmp_path):
    sandbox = SandboxProcess(tmp_path)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


async def test_a_message_typed_while_the_sandbox_is_down_is_sent_when_it_is_back(sandbox):
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_or_skip(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = await browser.new_page()
        await page.goto(sandbox.url)
        chat = page.locator("#log")
        await page.fill("#text", "/start")
        await page.press("#text", "Enter")
        # The page is up as soon as the emulator is; the bot answers once its routing data is loaded.
        await expect(chat).to_contain_text("Saya bot SP4N-LAPOR!", timeout=30000)
        await page.get_by_role("button", name="Lampiran").click()
        await page.get_by_role("menuitem", name="Stiker").click()
        await expect(chat).to_contain_text("👍 stiker")
        assert await page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # it keeps the page for reloads

        sandbox.stop()
        await page.fill("#text", "/bantuan")
        await page.press("#text", "Enter")
        waiting = page.locator(".msg.pending")
        await expect(waiting).to_have_text("/bantuan")
        await expect(page.locator("#status")).to_contain_text("menunggu sandbox")

        await page.reload()  # the sandbox is still down: the page shows what it kept
        await expect(chat).to_contain_text("Saya bot SP4N-LAPOR!")
        await expect(waiting).to_have_text("/bantuan")

        await sandbox.start()
        await expect(chat).to_contain_text("Cara memakai lapor-bot", timeout=20000)
        await expect(waiting).to_have_count(0)
        await expect(chat).to_contain_text("Saya bot SP4N-LAPOR!")  # the history from before the restart
        assert (await chat.inner_text()).count("/bantuan") == 1  # sent once
        await browser.close()
