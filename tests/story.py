"""The whole story, once, for any channel: a citizen reports a pothole with a photo and a pin, the hub verifies and
forwards it, the road office asks for more, the citizen answers with a photo, the office answers with a
document, the citizen rates it; then an admin's announcement reaches a subscriber and /statistik answers with
charts. Only what people see is asserted, so that two drivers (the memory channel, the Telegram emulator) run
the same function with the same assertions. Imports nothing of Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.roles import Role
from bot.sandbox.personas import PERSONAS, Persona, grant_roles
from routing.engine import Router
from tests.flows import TRACKING_ID
from tests.harness import eventually

PADANG = (-0.9492, 100.3543)  # Jl. By Pass, Kota Padang: a national road, answered by BPJN Sumatera Barat
DESCRIPTION = "Jalan berlubang besar di depan pasar, sudah dua minggu dan membahayakan pengendara motor."
QUESTION = "Mohon kirim foto lubangnya dari dekat, dengan patokan yang terlihat."
FINAL_ANSWER = "Lubang sudah ditambal dan dipadatkan, terima kasih atas laporannya."
ANNOUNCEMENT = "Posyandu keliling hadir di Kelurahan Jati hari Sabtu."
NOTICE_SECONDS = 15.0  # what goes to another chat goes out in the background


@dataclass(frozen=True)
class Seen:
    """One message as its reader sees it: a text, or a file (its caption as text) by the channel's reference."""

    kind: str  # text, photo, video, document, location
    text: str
    buttons: tuple[str, ...] = ()
    file_id: str | None = None


class Person(Protocol):
    user_id: int

    async def send(self, text: str) -> list[Seen]: ...
    async def tap(self, label: str) -> list[Seen]: ...
    async def share_location(self, latitude: float, longitude: float) -> list[Seen]: ...
    async def send_file(self, kind: str, name: str, caption: str | None = None) -> str: ...  # returns its file id

    @property
    def seen(self) -> list[Seen]: ...

    @property
    def last_text(self) -> str: ...

    def buttons(self) -> list[str]: ...


class Stage(Protocol):
    """A running bot on some channel, and the people who talk to it there."""

    engine: AsyncEngine
    router: Router

    def citizen(self, first_name: str) -> Person: ...

    def persona(self, persona: Persona) -> Person: ...


def sample(role: Role | None, agency_code: str | None = None, subscribed_to: str | None = None) -> Persona:
    return next(persona for persona in PERSONAS if persona.role is role and persona.agency_code == agency_code
                and persona.subscribed_to == subscribed_to)


def offers(person: Person, label: str) -> bool:
    """Whether the newest message with choices offers one labelled with ``label``."""
    return any(label in button for button in person.buttons())


def files_of(person: Person, kind: str) -> list[str | None]:
    return [seen.file_id for seen in person.seen if seen.kind == kind]


async def the_whole_story(stage: Stage) -> None:
    await grant_roles(stage.engine, stage.router.directory)
    citizen = stage.citizen("Siti")
    tracking_id, photo = await file_a_report(citizen)
    await the_hub_verifies_and_forwards(stage.persona(sample(Role.HUB_ADMIN, "HUB-13.71")), tracking_id, photo)
    liaison = stage.persona(sample(Role.LIAISON, "BPJN-13"))
    await eventually(lambda: f"/kotakmasuk {tracking_id}" in liaison.last_text, NOTICE_SECONDS)  # told of it
    closer_photo = await the_office_asks_and_the_citizen_answers(liaison, citizen, tracking_id)
    await the_office_sees_the_answer_and_resolves_with_a_document(liaison, citizen, tracking_id, closer_photo)
    hub = stage.persona(sample(Role.HUB_ADMIN, "HUB-13.71"))
    await an_announcement_reaches_a_subscriber(hub, stage.persona(sample(None, subscribed_to="13.71")))
    await the_statistics_have_charts(hub)


async def file_a_report(citizen: Person) -> tuple[str, str]:
    """Through every step of /start with a pin and a photo; the tracking ID and the photo's file id."""
    await citizen.send("/start")
    await citizen.tap("Buat laporan")
    await citizen.tap("Pengaduan")
    await citizen.tap("Jalan")
    await citizen.send(DESCRIPTION)
    await citizen.share_location(*PADANG)
    if "Jalan apa?" in citizen.last_text:  # a road the bot does not know by name
        await citizen.send("Jl. By Pass")
    photo = await citizen.send_file("photo", "lubang.png")
    assert offers(citizen, "Lanjut"), citizen.last_text
    await citizen.tap("Lanjut")
    await citizen.tap("Tidak")  # not anonymous
    summary = await citizen.tap("Tidak")  # not confidential
    assert offers(citizen, "Kirim laporan"), summary[-1]
    assert "Jalan By Pass Padang" in summary[-1].text and "1 berkas" in summary[-1].text, summary[-1].text
    sent = await citizen.tap("Kirim laporan")
    match = TRACKING_ID.search(sent[-1].text)
    assert match, sent
    return match.group(1), photo


async def the_hub_verifies_and_forwards(hub: Person, tracking_id: str, photo: str) -> None:
    listed = await hub.send("/kotakmasuk")
    assert any(tracking_id in seen.text or tracking_id in seen.buttons for seen in listed), listed
    opened = await hub.tap(tracking_id)
    assert photo in [seen.file_id for seen in opened], "the hub sees the citizen's photo"
    assert "✅ Verifikasi dan teruskan" in hub.buttons() and "📥 Ambil" not in hub.buttons()
    await hub.tap("Verifikasi dan teruskan")
    done = await hub.tap("Sumatera Barat")  # the routed office, one tap away
    assert "Diteruskan ke instansi" in done[-1].text, done[-1]


async def the_office_asks_and_the_citizen_answers(liaison: Person, citizen: Person, tracking_id: str) -> str:
    """The office takes the report, then holds it for the citizen's answer; the answer's photo's file id."""
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Ambil")
    taken = await liaison.tap("Ringan")
    assert "Ditindaklanjuti" in taken[-1].text, taken[-1]
    await liaison.send(f"/kotakmasuk {tracking_id}")
    await liaison.tap("Tunda")
    asked = await liaison.send(QUESTION)
    assert "✅ Berhasil" in asked[-1].text, asked[-1]
    await eventually(lambda: QUESTION in citizen.last_text, NOTICE_SECONDS)
    assert "Perlu informasi tambahan" in citizen.last_text, citizen.last_text
    photo = await citizen.send_file("photo", "dekat.png", caption="Ini fotonya dari dekat, di depan toko nomor 12")
    assert "sudah ditambahkan ke laporan" in citizen.last_text and tracking_id in citizen.last_text, citizen.last_text
    return photo


async def the_office_sees_the_answer_and_resolves_with_a_document(liaison: Person, citizen: Person, tracking_id: str,
                                                                  photo: str) -> None:
    await eventually(lambda: "📨" in liaison.last_text and tracking_id in liaison.last_text, NOTICE_SECONDS)
    opened = await liaison.send(f"/kotakmasuk {tracking_id}")
    assert photo in [seen.file_id for seen in opened], "the office sees the citizen's answer photo"
    assert any("toko nomor 12" in seen.text for seen in opened), "and what the citizen wrote with it"
    await liaison.tap("Selesai")
    document = await liaison.send_file("document", "berita-acara.pdf")
    assert "Ditambahkan (1)" in liaison.last_text, liaison.last_text
    resolved = await liaison.send(FINAL_ANSWER)
    assert "✅ Berhasil" in resolved[-1].text and "Selesai" in resolved[-1].text, resolved[-1]
    await eventually(lambda: document in files_of(citizen, "document") and offers(citizen, "⭐⭐⭐⭐"), NOTICE_SECONDS)
    assert any(FINAL_ANSWER in seen.text for seen in citizen.seen), "the citizen reads the answer"
    rated = await citizen.tap("⭐⭐⭐⭐")
    assert "4 dari 5" in rated[-1].text, rated[-1]


async def an_announcement_reaches_a_subscriber(hub: Person, subscriber: Person) -> None:
    await hub.send("/siaran")
    await hub.send(ANNOUNCEMENT)
    await hub.tap("Pratinjau")
    await hub.tap("Kirim ke 1")
    await eventually(lambda: ANNOUNCEMENT in subscriber.last_text, NOTICE_SECONDS)


async def the_statistics_have_charts(hub: Person) -> None:
    answered = await hub.send("/statistik")
    summary = next(seen.text for seen in answered if "Statistik" in seen.text)
    assert "Kota Padang" in summary and "Diterima: <b>1</b>" in summary, summary
    assert "Kepuasan: <b>4</b>" in summary, summary
    await eventually(lambda: any(seen.kind == "photo" and "status" in seen.text for seen in hub.seen), NOTICE_SECONDS)
