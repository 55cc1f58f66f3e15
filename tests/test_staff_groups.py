"""An agency's group chat: its liaison links it, its staff work reports there with the usual commands and
buttons, and it hears what they hear; in the group, a member acts only for that agency (a hub admin does not
show other agencies' reports there), and nobody else may link, act or read."""

from __future__ import annotations

from itertools import count

from bot.domain import Status
from bot.domain.roles import Role
from tests.conftest import eventually
from tests.test_follow_up import answered_report, report_of
from tests.test_staff_inbox import add_report, make_staff

_groups = count(-100600, -1)


class Group:
    """A group chat of the emulator, spoken in by its members."""

    def __init__(self, bot, *members) -> None:
        self.bot, self.chat_id = bot, next(_groups)
        bot.emulator.add_group(self.chat_id, "Tim PUPR Kota Padang", [member.user_id for member in members])

    @property
    def messages(self) -> list[dict]:
        return self.bot.emulator.bot_messages(self.chat_id)

    async def say(self, member, text: str) -> list[dict]:
        before = len(self.messages)
        update = await self.bot.emulator.user_sends_text(member.user_id, text, chat_id=self.chat_id)
        return await self._settled(member, update, before)

    async def tap(self, member, label: str) -> list[dict]:
        before = len(self.messages)
        message, data = next((message, key["callback_data"]) for message in reversed(self.messages)
                             for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                             for key in row if label in key["text"])
        update = await self.bot.emulator.user_taps(member.user_id, message["message_id"], data, chat_id=self.chat_id)
        return await self._settled(member, update, before)

    async def _settled(self, member, update, before: int) -> list[dict]:
        await self.bot.emulator.wait_until(lambda: self.bot.emulator.processed(update))
        await member.quiet()
        return self.messages[before:]


async def test_the_liaison_links_the_group_and_its_staff_work_a_report_there(bot, citizen):
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    colleague = await make_staff(bot, Role.STAFF, "PUPR-13.71", "Dodi")
    group = Group(bot, liaison, colleague)
    linked = await group.say(liaison, "/hubungkan PUPR-13.71")
    assert "PUPR-13.71" in linked[-1]["text"] and "/putuskan" in linked[-1]["text"]

    tracking_id = await add_report(bot, status="assigned", reporter=citizen.user_id, anonymous=True)
    assert "Kotak masuk" in (await group.say(colleague, "/kotakmasuk"))[-1]["text"]
    view = await group.say(colleague, f"/kotakmasuk {tracking_id}")
    assert tracking_id in view[0]["text"] and "Jalan rusak" in view[0]["text"]
    assert "anonim" in view[0]["text"] and f"warga{citizen.user_id}" not in str(view), "the group never learns who"
    await group.tap(colleague, "Ambil")
    await group.tap(colleague, "Ringan")
    assert (await report_of(bot, tracking_id)).status == Status.IN_PROGRESS.value

    taken = await group.say(colleague, f"/kotakmasuk {tracking_id}")  # the view as it is now, with its new buttons
    assert "Tenggat penyelesaian" in taken[0]["text"], "the clock the agency now runs against"
    prompt = await group.tap(colleague, "Tindak lanjut")
    assert prompt[-1]["chat_keyboard"]["force_reply"] and f"tg://user?id={colleague.user_id}" in prompt[-1]["text"]
    await group.say(liaison, "Ini obrolan biasa di grup, bukan jawabannya.")  # another member: not the answer
    done = await group.say(colleague, "Tim kami menambal lubang itu besok pagi.")
    assert done[-1]["text"].startswith("✅") and tracking_id in done[-1]["text"]
    report = await report_of(bot, tracking_id)
    assert report.events[-1].note == "Tim kami menambal lubang itu besok pagi."
    await eventually(lambda: "menambal lubang" in citizen.last_text)


async def test_the_group_hears_what_its_staff_hear(bot, citizen):
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    group = Group(bot, liaison)
    await group.say(liaison, "/hubungkan PUPR-13.71")
    tracking_id = await answered_report(bot, citizen)
    await citizen.tap("Balas")
    await citizen.send("Petugas belum datang sampai sore ini.")
    await eventually(lambda: any(tracking_id in message.get("text", "") and "membalas" in message.get("text", "")
                                 for message in group.messages))


async def test_in_an_agency_group_a_hub_admin_sees_only_that_agencys_reports(bot):
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    group = Group(bot, liaison, hub)
    await group.say(hub, "/hubungkan PUPR-13.71")  # a hub admin over the agency may link its group
    other_agency = await add_report(bot, agency="DLH-13.71")
    refused = await group.say(hub, f"/kotakmasuk {other_agency}")
    assert "khusus untuk staf" in refused[-1]["text"] and all(other_agency not in m["text"] for m in refused)
    in_private = await hub.send(f"/kotakmasuk {other_agency}")
    assert "Status" in in_private[0]["text"], "in private, the hub admin still reads its whole area"


async def test_nobody_else_links_or_works_in_a_group(bot, citizen):
    other_liaison = await make_staff(bot, Role.LIAISON, "DLH-13.71", "Dewi")
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    group = Group(bot, citizen, other_liaison, liaison)
    assert "Hanya" in (await group.say(citizen, "/hubungkan PUPR-13.71"))[-1]["text"]
    assert "Hanya" in (await group.say(other_liaison, "/hubungkan PUPR-13.71"))[-1]["text"]
    assert "belum dihubungkan" in (await group.say(liaison, "/kotakmasuk"))[-1]["text"]

    await group.say(liaison, "/hubungkan PUPR-13.71")
    tracking_id = await add_report(bot, status="assigned")
    for outsider in (citizen, other_liaison):
        said = await group.say(outsider, f"/kotakmasuk {tracking_id}")
        assert "khusus untuk staf" in said[-1]["text"] and "Jalan rusak" not in said[-1]["text"]
    assert await group.say(citizen, "Halo semua") == [], "a linked group talks among itself"
    assert "Hanya" in (await group.say(other_liaison, "/putuskan"))[-1]["text"]
    assert "tidak lagi" in (await group.say(liaison, "/putuskan"))[-1]["text"]
    assert "belum dihubungkan" in (await group.say(liaison, "/kotakmasuk"))[-1]["text"]
