"""The staff inbox (``/kotakmasuk``, ``/inbox``) and the report view (``/kotakmasuk K7MQ9-TRXZS`` or a button).

Thin: the service decides what the reader may see (bot/services/inbox.py); a button's data is only a
wish, checked against the reader's roles again, so a forged button finds nothing it should not.
"""

from __future__ import annotations

from html import escape

from bot.channels.markup import Choices
from bot.domain.roles import Grant
from bot.i18n import N_
from bot.services import inbox
from bot.services.tracking import InvalidTrackingId, parse_tracking_id
from handlers import keyboards
from bot.domain.choices import InboxPage, OpenReport
from handlers.citizen.status import EXAMPLE_ID
from handlers.commands import Command, Tap
from handlers.staff.action_buttons import find_view, show_view
from handlers.staff.report_view import VIEW_LABELS, inbox_text
from handlers.staff.roles import staff_roles
from handlers.turn import Turn

REPORTS_PER_ROW = 2


async def inbox_command(turn: Turn) -> None:
    grants = await staff_roles(turn)
    if grants is None:
        return
    typed = " ".join(turn.args)
    if typed:
        await _open_report(turn, grants, typed)
    else:
        text, markup = await _inbox_page(turn, grants, inbox.View.TO_DO, 0)
        turn.say(text, markup)


async def inbox_button(turn: Turn) -> None:
    grants = await staff_roles(turn)
    if grants is None:
        return
    choice: InboxPage = turn.choice
    try:
        chosen, number = inbox.View(choice.view), choice.page
    except ValueError:  # an old or forged button: show the first page of what waits for the reader
        chosen, number = inbox.View.TO_DO, 0
    text, markup = await _inbox_page(turn, grants, chosen, number)
    turn.edit_tapped(text, markup)


async def report_button(turn: Turn) -> None:
    grants = await staff_roles(turn)
    if grants is not None:
        await _open_report(turn, grants, turn.choice.tracking_id)


async def _inbox_page(turn: Turn, grants: list[Grant], view: inbox.View, page: int) -> tuple[str, Choices]:
    found = await inbox.inbox(turn.session, grants, turn.services.router.directory, view=view, page=page)
    return inbox_text(turn._, found), _keyboard(turn, found)


def _keyboard(turn: Turn, page: inbox.InboxPage) -> Choices:
    _ = turn._
    reports = [keyboards.button(item.tracking_id, OpenReport(item.tracking_id)) for item in page.items]
    paging = []
    if page.page > 0:
        paging.append(keyboards.button("◀️", InboxPage(page.view.value, page.page - 1)))
    if page.has_next:
        paging.append(keyboards.button("▶️", InboxPage(page.view.value, page.page + 1)))
    views = [keyboards.button(_(label) + (" •" if view is page.view else ""), InboxPage(view.value, 0))
             for view, label in VIEW_LABELS.items()]
    return Choices([*keyboards.rows(reports, REPORTS_PER_ROW), *([paging] if paging else []),
                                 *keyboards.rows(views, 2)])


async def _open_report(turn: Turn, grants: list[Grant], typed: str) -> None:
    _ = turn._
    try:
        tracking_id = parse_tracking_id(typed)
    except InvalidTrackingId:
        turn.say(_("<code>{typed}</code> is not a valid tracking ID: one character seems mistyped. "
                   "Please check it; it looks like <code>{example}</code>.").format(typed=escape(typed[:40]),
                                                                                    example=EXAMPLE_ID))
        return
    view = await find_view(turn, grants, tracking_id)
    if view is None:  # missing or outside the reader's scope: the same answer, so nothing is confirmed
        turn.say(_("No report has the tracking ID <code>{tracking_id}</code>.").format(tracking_id=tracking_id))
        return
    show_view(turn, view)


COMMANDS = (Command("kotakmasuk", "inbox", N_("Staff inbox"), inbox_command, menu=False, groups=True),)


TAPS = (Tap(InboxPage, inbox_button, groups=True), Tap(OpenReport, report_button, groups=True))
