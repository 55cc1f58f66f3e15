"""The README's first command, as a person uses it: `lapor-bot` with no token, the web chat in a real
browser (headless Chromium), a report filed by clicking, and a status change from a second process
arriving in the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.kit.sandbox import SandboxProcess

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
LAPOR_BOT = Path(sys.executable).with_name("lapor-bot")


def chromium_or_skip() -> str:
    if CHROMIUM:
        return CHROMIUM
    if IN_CI:
        pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium package)")
    pytest.skip("no Chromium on this machine: apt-get install chromium (or set CHROMIUM=/path) to run the browser test")


@pytest.fixture
async def sandbox(tmp_path):
    """The sandbox's page address, its environment (for a second command) and its folder."""
    running = SandboxProcess(tmp_path)
    await running.start()
    try:
        yield running.url, running.environment, tmp_path
    finally:
        running.stop()


async def _open_browser(playwright):
    return await playwright.chromium.launch(
        executable_path=chromium_or_skip(),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    )


async def _file_report(page) -> str:
    """File a report by clicking, as a citizen on the page; its tracking ID."""
    from playwright.async_api import expect

    chat = page.locator("#log")
    await page.fill("#text", "/start")
    await page.press("#text", "Enter")
    await page.get_by_role("button", name="📝 Buat laporan").last.click()
    await page.get_by_role("button", name="Pengaduan").last.click()
    await page.get_by_role("button", name="Jalan", exact=True).last.click()
    await page.fill("#text", "Jalan berlubang besar di depan pasar sejak dua minggu lalu.")
    await page.click("button[type=submit]")

    await page.get_by_role("button", name="📍 Kirim lokasi saya").click()
    await expect(page.locator("#map")).to_be_visible()
    await page.select_option("#preset", label="Kota Padang")
    await page.click("#sendloc")
    await expect(chat).to_contain_text("Lokasi dicatat")
    await expect(chat).to_contain_text("Jalan apa?")
    await page.fill("#text", "jln by pass")
    await page.press("#text", "Enter")
    await expect(chat).to_contain_text("adalah jalan nasional Sumatera Barat")
    await expect(chat).to_contain_text("hal serupa di dekat sini")  # the sample pothole nearby, to support instead
    await page.get_by_role("button", name="📝 Laporan saya berbeda").last.click()

    await page.set_input_files("#file", files=[{"name": "lubang.png", "mimeType": "image/png", "buffer": _png()}])
    await expect(chat).to_contain_text("1 dari 5")
    await page.get_by_role("button", name="Lanjut ➡️").last.click()
    await expect(chat).to_contain_text("Lapor secara anonim?")  # a person reads the question before tapping
    await page.get_by_role("button", name="Tidak").last.click()
    await expect(chat).to_contain_text("Rahasiakan isi laporan?")
    await page.get_by_role("button", name="Tidak").last.click()
    await expect(chat).to_contain_text("Periksa kembali laporan Anda")
    await page.get_by_role("button", name="✅ Kirim laporan").last.click()
    await expect(chat).to_contain_text("Nomor pelacakan")
    return re.search(r"Nomor pelacakan: ([0-9A-Z]{5}-[0-9A-Z]{5})", await chat.inner_text()).group(1)


async def test_file_a_report_by_clicking_in_the_sandbox(sandbox):
    from playwright.async_api import async_playwright, expect

    url, environment, workdir = sandbox
    async with async_playwright() as playwright:
        browser = await _open_browser(playwright)
        page = await browser.new_page()
        await page.goto(url)
        chat = page.locator("#log")
        tracking_id = await _file_report(page)
        await page.screenshot(path=str(workdir / "sandbox.png"))
        changed = subprocess.run(
            [str(LAPOR_BOT), "report", "set-status", tracking_id, "verified"],
            cwd=workdir, env=environment, capture_output=True, text=True, timeout=60,
        )
        assert changed.returncode == 0, changed.stderr
        await expect(chat).to_contain_text(f"Status laporan {tracking_id} berubah", timeout=15000)
        await expect(chat).to_contain_text("Terverifikasi")
        await browser.close()


@asynccontextmanager
async def _sandbox_page(url: str, height: int):
    """The sandbox's page in headless Chromium, 900 px wide."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await _open_browser(playwright)
        try:
            page = await browser.new_page(viewport={"width": 900, "height": height})
            await page.goto(url)
            yield page
        finally:
            await browser.close()


async def _play_as(page, persona: str) -> None:
    """Switch the page to another person of the sandbox (it reloads as them)."""
    option = page.locator("#persona option", has_text=persona).first
    async with page.expect_navigation():
        await page.select_option("#persona", value=await option.get_attribute("value"))


async def _say(page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def test_a_citizen_files_the_hub_forwards_the_agency_answers_and_the_citizen_replies(sandbox):
    """The README's promise for a newcomer: every role played in one page, no token."""
    from playwright.async_api import expect

    url, _environment, workdir = sandbox
    async with _sandbox_page(url, height=1000) as page:
        chat = page.locator("#log")
        tracking_id = await _file_report(page)

        await _play_as(page, "Admin Koordinator")
        await _say(page, f"/kotakmasuk {tracking_id}")
        await page.get_by_role("button", name="✅ Verifikasi").last.click()
        await expect(chat).to_contain_text("Ketik nama instansi")
        await _say(page, "PUPR Kota Padang")
        await page.get_by_role("button", name="Dinas Pekerjaan Umum dan Penataan Ruang Kota Padang", exact=True).last.click()
        await expect(chat).to_contain_text("Diteruskan ke instansi")
        await page.screenshot(path=str(workdir / "hub.png"))

        await _play_as(page, "Penghubung PUPR")
        await expect(chat).to_contain_text(tracking_id)  # told of the new report
        await _say(page, f"/kotakmasuk {tracking_id}")
        await page.get_by_role("button", name="📥 Ambil").last.click()
        await page.get_by_role("button", name="Ringan").last.click()
        await page.get_by_role("button", name="💬 Tindak lanjut").last.click()
        await expect(chat).to_contain_text("ketik jawaban untuk pelapor")
        await _say(page, "Lubang sudah kami tambal sementara; pengaspalan pekan depan.")
        await expect(chat.get_by_text("Pelapor diberi tahu")).to_have_count(2)  # taken, then answered
        await page.screenshot(path=str(workdir / "agency.png"))

        await _play_as(page, "Warga Sandbox")
        await expect(chat).to_contain_text("pengaspalan pekan depan")
        await page.get_by_role("button", name="💬 Balas").last.click()
        await expect(chat).to_contain_text("Ketik balasan Anda")
        await _say(page, "Terima kasih, kami tunggu pengaspalannya.")
        await expect(chat).to_contain_text("Balasan Anda sudah ditambahkan")
        await page.screenshot(path=str(workdir / "citizen.png"))


async def test_the_sample_hub_admin_reads_statistics_as_charts_and_saves_an_export(sandbox):
    """The sandbox's sample reports give the admin figures on a fresh machine: charts show as images."""
    from playwright.async_api import expect

    url, _environment, workdir = sandbox
    async with _sandbox_page(url, height=1400) as page:
        chat = page.locator("#log")
        await _play_as(page, "Admin Koordinator")
        await _say(page, "/statistik")
        await expect(chat).to_contain_text("Tingkat tindak lanjut", timeout=15000)
        charts = chat.locator("img.picture")
        await expect(charts).to_have_count(5, timeout=20000)
        widths = await charts.evaluate_all("images => images.map(image => image.naturalWidth)")
        assert all(width >= 600 for width in widths), "every chart loaded as a real image"
        await page.screenshot(path=str(workdir / "statistik.png"), full_page=True)
        await _say(page, "/ekspor csv")
        await expect(chat.locator("a[download$='.csv']")).to_have_count(1, timeout=20000)


def _png() -> bytes:
    from tests.flows import png

    return png(7)
