"""Whoever causes a change, everyone it concerns hears the same: a status set from the command line (``lapor-bot
report set-status ... --by``) tells the reporter and the report's new holder exactly what the same change made in
the chat tells them (same recipients, same texts and buttons, each in their own language), and nobody else."""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy import select, update

from bot.cli import report_set_status
from bot.db.models import AuditEntry, ReportEvent, User
from bot.domain.roles import Role
from tests.conftest import eventually
from tests.test_staff_inbox import add_report, make_staff

PADANG_ROADS = "Dinas Pekerjaan Umum dan Penataan Ruang Kota Padang"
QUIET_SECONDS = 1.0  # after the expected messages, how long nothing more may arrive


async def set_status(bot, tracking_id: str, status: str, by: int | None, note: str | None = None) -> int:
    arguments = argparse.Namespace(tracking_id=tracking_id, status=status, note=note, by=by)
    return await report_set_status(bot.settings, arguments)


class Heard:
    """What each person was sent from now on, the tracking ID written as <ID> (two reports compare as one)."""

    def __init__(self, people: dict[str, object]) -> None:
        self.people = people
        self.before = {name: len(person.messages) for name, person in people.items()}

    def of(self, tracking_id: str) -> dict[str, list[tuple[str, object]]]:
        return {name: [((message.get("text") or "").replace(tracking_id, "<ID>"), message.get("reply_markup"))
                       for message in person.messages[self.before[name]:]]
                for name, person in self.people.items()}

    async def settled(self, tracking_id: str, counts: dict[str, int]) -> dict[str, list[tuple[str, object]]]:
        """Once each person has at least ``counts`` messages (others none), and a moment later no more came."""
        await eventually(lambda: all(len(self.of(tracking_id)[name]) >= count for name, count in counts.items()))
        await asyncio.sleep(QUIET_SECONDS)
        return self.of(tracking_id)


async def _people(bot):
    hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.71", "Hana")
    liaison = await make_staff(bot, Role.LIAISON, "PUPR-13.71", "Lina")
    other_hub = await make_staff(bot, Role.HUB_ADMIN, "HUB-13.06", "Hadi")  # another area's hub: never concerned
    await liaison.send("/kotakmasuk")  # known to the bot from now on
    async with bot.sessions() as session, session.begin():  # the liaison reads English, the others Indonesian
        assert (await session.execute(update(User).where(User.id == liaison.user_id).values(locale="en"))).rowcount
    return hub, liaison, other_hub


async def test_a_status_set_from_the_command_line_tells_the_same_people_the_same_as_the_chat(bot):
    hub, liaison, other_hub = await _people(bot)
    by_chat, by_cli = bot.citizen("Siti"), bot.citizen("Sari")
    chat_id = await add_report(bot, reporter=by_chat.user_id, agency_name=PADANG_ROADS)  # as routing files them
    cli_id = await add_report(bot, reporter=by_cli.user_id, agency_name=PADANG_ROADS)

    # The hub verifies and forwards to the routed agency, in the chat: the acting hub's own replies aside.
    heard = Heard({"reporter": by_chat, "liaison": liaison, "other hub": other_hub})
    await hub.send(f"/kotakmasuk {chat_id}")
    await hub.tap("Verifikasi dan teruskan")
    done = await hub.tap(PADANG_ROADS)
    assert "Diteruskan ke instansi" in done[-1]["text"]
    from_chat = await heard.settled(chat_id, {"reporter": 2, "liaison": 1})

    # The same change from the command line, on behalf of the same hub admin.
    heard = Heard({"reporter": by_cli, "liaison": liaison, "other hub": other_hub, "acting hub": hub})
    assert await set_status(bot, cli_id, "verified", by=hub.user_id) == 0
    assert await set_status(bot, cli_id, "assigned", by=hub.user_id) == 0
    from_cli = await heard.settled(cli_id, {"reporter": 2, "liaison": 1})

    assert from_cli.pop("acting hub") == [], "the actor is not told of their own change"
    assert from_cli == from_chat
    assert [text.split("\n")[0] for text, _markup in from_cli["reporter"]] == [
        "🔔 <b>Status laporan <ID> berubah</b>"] * 2
    assert "Diteruskan ke:</b> " + PADANG_ROADS in from_cli["reporter"][1][0]
    assert from_cli["liaison"] == [("📥 <b>A report for you</b>: <ID>.\nOpen it: /kotakmasuk <ID>", None)], "in English"
    assert from_cli["other hub"] == []

    async with bot.sessions() as session:  # honest about who acted
        actors = await session.scalars(select(ReportEvent.actor).join(ReportEvent.report).where(
            ReportEvent.to_status.in_(("verified", "assigned"))).order_by(ReportEvent.id))
        assert list(actors) == [f"staff:{hub.user_id}"] * 4
        audited = await session.scalars(select(AuditEntry.actor_user_id).where(AuditEntry.subject == cli_id))
        assert list(audited) == [hub.user_id] * 2


async def test_the_command_line_refuses_to_act_for_someone_who_does_not_hold_the_report(bot):
    _hub, _liaison, other_hub = await _people(bot)
    reporter = bot.citizen("Siti")
    tracking_id = await add_report(bot, reporter=reporter.user_id)
    assert await set_status(bot, tracking_id, "verified", by=other_hub.user_id) == 1
    assert await set_status(bot, tracking_id, "verified", by=reporter.user_id) == 1, "not staff at all"
    await asyncio.sleep(QUIET_SECONDS)
    assert reporter.messages == []
