"""The citizen's own reports: /laporanku."""

from __future__ import annotations

from bot.channels.markup import Choices
from bot.i18n import N_
from bot.services.reports import reports_of
from handlers import keyboards, render
from bot.domain.choices import ShowReport
from handlers.commands import Command
from handlers.turn import Turn


async def my_reports(turn: Turn) -> None:
    """The latest reports, each with a button that shows its status."""
    reports = await reports_of(turn.session, turn.user.id)
    buttons = [keyboards.button(report.tracking_id, ShowReport(report.tracking_id)) for report in reports]
    markup = Choices(keyboards.rows(buttons, 2)) if buttons else keyboards.main_menu(turn._)
    turn.say(render.report_list(turn._, reports), markup)


COMMANDS = (Command("laporanku", "myreports", N_("My reports"), my_reports),)
