"""Linking a group chat to an agency or hub (``/hubungkan CODE``, ``/putuskan``): its staff then work reports in
the group with the usual commands and buttons, and the group hears what its staff hear. In the group, a
member acts only for that agency, whatever else they hold, so the group never sees another agency's reports."""

from __future__ import annotations

from html import escape

from bot.i18n import N_
from bot.services import staff_groups
from bot.services.staff_groups import Linking
from handlers.commands import Command
from handlers.staff.roles import describe_agency
from handlers.turn import Turn


def _not_here(turn: Turn) -> bool:
    if turn.in_group:
        return False
    turn.say(turn._("Use this command in the group chat you want to link, after adding me to it."))
    return True


async def link_group(turn: Turn) -> None:
    if _not_here(turn):
        return
    args = list(turn.args)
    if len(args) != 1:
        turn.say(turn._("Write <code>/hubungkan AGENCY_CODE</code>, for example <code>/hubungkan PUPR-13.71</code>."))
        return
    outcome, agency = await staff_groups.link(turn.session, turn.services.router.directory, turn.chat_id, args[0],
                                              turn.user.id)
    if outcome is Linking.UNKNOWN_AGENCY:
        turn.say(turn._("There is no agency or hub with the code {code}.").format(code=escape(args[0][:64])))
    elif outcome is Linking.NOT_ALLOWED:
        turn.say(_refused(turn, agency.code))
    else:
        turn.say(turn._("🔗 This group now works for {agency}. Its staff can use /kotakmasuk here, and the group "
                        "hears of new reports, deadlines and the reporters' replies. Everyone in this group can read "
                        "the reports shown here: keep it to the agency's staff. /putuskan unlinks it.").format(
            agency=describe_agency(turn, agency.code)))


async def unlink_group(turn: Turn) -> None:
    if _not_here(turn):
        return
    outcome, agency = await staff_groups.unlink(turn.session, turn.services.router.directory, turn.chat_id, turn.user.id)
    if outcome is Linking.UNKNOWN_AGENCY:
        turn.say(turn._("This group is not linked to an agency."))
    elif outcome is Linking.NOT_ALLOWED:
        turn.say(_refused(turn, agency.code))
    else:
        turn.say(turn._("This group no longer works for {agency}.").format(agency=describe_agency(turn, agency.code)))


def _refused(turn: Turn, code: str) -> str:
    return turn._("Only the liaison or an admin of {agency} may link or unlink its group.").format(
        agency=describe_agency(turn, code))


COMMANDS = (
    Command("hubungkan", "linkgroup", N_("Link this group to an agency"), link_group, menu=False, groups=True),
    Command("putuskan", "unlinkgroup", N_("Unlink this group"), unlink_group, menu=False, groups=True),
)
