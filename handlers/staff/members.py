"""Who works in the agencies and hubs under an admin (``/staf``), and ending a role in the chat
(``/cabut USER_ID ROLE [CODE]``): whoever may invite to a role may end it, and the person is told."""

from __future__ import annotations

from html import escape


from bot.domain.roles import Role, may_invite, parse_role
from bot.i18n import N_
from bot.services import staff
from handlers.commands import Command
from handlers.replies import say_in_parts
from handlers.staff.roles import describe, staff_roles
from handlers.turn import Turn

LISTED = 100  # an admin of a big province reads the rest with the command line's `staff list`


async def list_staff(turn: Turn) -> None:
    grants = await staff_roles(turn)
    if grants is None:
        return
    directory = turn.services.router.directory
    rows = [row for row in await staff.active_roles(turn.session)
            if may_invite(grants, Role(row.role), directory.agencies.get(row.agency_code or ""), directory)]
    names = await staff.first_names(turn.session, {row.user_id for row in rows[:LISTED]})
    lines = [f"• {escape(names.get(row.user_id) or '?')} · <code>{row.user_id}</code> · "
             f"{describe(turn, Role(row.role), row.agency_code)}" for row in rows[:LISTED]]
    if not lines:
        turn.say(turn._("Nobody holds a role in the agencies and hubs under you yet. Invite someone with /undang."))
        return
    more = [turn._("… and {count} more.").format(count=turn._.number(len(rows) - LISTED))] if len(rows) > LISTED else []
    say_in_parts(turn, "\n".join([turn._("<b>Staff under you</b> (end a role: <code>/cabut USER_ID ROLE CODE</code>)"),
                                  *lines, *more]))


async def revoke(turn: Turn) -> None:
    grants = await staff_roles(turn)
    if grants is None:
        return
    args = list(turn.args)
    role = parse_role(args[1]) if len(args) > 1 else None
    if role is None or len(args) > 3 or not args[0].isdigit():
        turn.say(_usage(turn))
        return
    user_id, code = int(args[0]), args[2] if len(args) > 2 else None
    try:
        await staff.revoke_role(turn.session, turn.services.notices, user_id, role, code, actor=turn.user.id)
    except staff.UnknownAgency as unknown:
        turn.say(turn._("There is no agency or hub with the code {code}.").format(code=escape(unknown.code[:64])))
        return
    except staff.RoleDoesNotFit:
        turn.say(_usage(turn))
        return
    except staff.NotAllowed:
        turn.say(turn._("You may end roles only in the agencies and hubs under you: {role} is not one of them.").format(
            role=describe(turn, role, code and code.upper())))
        return
    except staff.NoSuchRole:
        turn.say(turn._("User {user_id} does not hold that role.").format(user_id=user_id))
        return
    code = code and code.upper()
    turn.say(turn._("Ended: user {user_id} is no longer {role}.").format(user_id=user_id, role=describe(turn, role, code)))


def _usage(turn: Turn) -> str:
    return turn._("Write <code>/cabut USER_ID ROLE AGENCY_CODE</code>, for example "
                  "<code>/cabut 123456789 staf PUPR-13.71</code>; /staf lists the staff under you with their ids.")


COMMANDS = (
    Command("staf", "staff", N_("Staff under you"), list_staff, menu=False),
    Command("cabut", "revoke", N_("End a staff role"), revoke, menu=False),
)
