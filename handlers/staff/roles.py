"""Joining as staff through an invitation (``/start <token>``), inviting (``/undang``) and one's roles (``/peran``)."""

from __future__ import annotations

from html import escape

from bot.domain.roles import Grant, Role, group_grants, parse_role
from bot.i18n import N_, Translator
from bot.notices.roles import agency_text, describe_in
from bot.services import staff, staff_groups
from handlers.commands import Command
from handlers.turn import Turn

REFUSALS = {
    staff.Refusal.UNKNOWN: N_("I do not know this invitation. Please check the link, or ask for a new one."),
    staff.Refusal.EXPIRED: N_("This invitation has expired. Please ask whoever invited you for a new one."),
    staff.Refusal.USED: N_("This invitation has already been used: each one works only once. Please ask for a new one."),
    staff.Refusal.REVOKED: N_("This invitation was withdrawn. Please ask whoever invited you for a new one."),
}


def describe(turn: Turn, role: Role, agency_code: str | None) -> str:
    """"agency liaison (admin penghubung) — Dinas ... (PUPR-13.71)", in the reader's language."""
    return describe_in(turn._, turn.services.router.directory, role, agency_code)


def describe_agency(turn: Turn, agency_code: str) -> str:
    return agency_text(turn.services.router.directory, agency_code)


def staff_only(turn: Turn) -> None:
    turn.say(turn._("This command is for agency staff and complaint hub admins. To file a report, tap /lapor."))


async def staff_roles(turn: Turn) -> list[Grant] | None:
    """The reader's active roles; a citizen (typing a staff command, or forging a staff button) is told
    politely that this is for staff. In a linked group, only what the member may do for its agency."""
    grants = await staff.roles_of(turn.session, turn.user.id)
    if turn.in_group:
        return await _group_roles(turn, grants)
    if not grants:
        staff_only(turn)
        return None
    return grants


async def _group_roles(turn: Turn, grants: list[Grant]) -> list[Grant] | None:
    directory = turn.services.router.directory
    agency = await staff_groups.linked_agency(turn.session, directory, turn.chat_id)
    if agency is None:
        turn.say(turn._("This group is not linked to an agency. An admin links it with "
                        "<code>/hubungkan AGENCY_CODE</code>; until then, staff commands work in a private chat."))
        return None
    in_group = group_grants(grants, agency, directory)
    if not in_group:
        turn.say(turn._("In this group, staff commands are for the staff of {agency}.").format(
            agency=describe_agency(turn, agency.code)))
    return in_group or None


async def redeem_invitation(turn: Turn) -> None:
    token = turn.args[0]
    try:
        redeemed = await staff.redeem(turn.session, token, turn.user.id)
    except staff.InvitationRefused as refused:
        turn.say(turn._(REFUSALS[refused.reason]))
        return
    turn.say(
        turn._("Welcome, {name}! You are now {role}.\n\n/peran shows your roles; /undang invites someone to the "
               "agencies or hubs under you.").format(
            name=escape(turn.user.first_name), role=describe(turn, redeemed.role, redeemed.agency_code)
        )
    )


async def show_roles(turn: Turn) -> None:
    grants = await staff.roles_of(turn.session, turn.user.id)
    if not grants:
        staff_only(turn)
        return
    lines = [f"• {describe(turn, grant.role, grant.agency_code)}" for grant in grants]
    turn.say(turn._("<b>Your roles</b>") + "\n" + "\n".join(lines))


async def invite(turn: Turn) -> None:
    grants = await staff.roles_of(turn.session, turn.user.id)
    if not grants:
        staff_only(turn)
        return
    args = list(turn.args)
    role = parse_role(args[0]) if args else None
    if role is None or len(args) > 2:
        turn.say(_usage(turn._))
        return
    code = args[1] if len(args) > 1 else None
    try:
        invitation = await staff.create_invitation(turn.session, turn.services.router.directory, role, code,
                                                   actor=turn.user.id, days=turn.services.settings.invitation_days)
    except staff.UnknownAgency as unknown:
        turn.say(turn._("There is no agency or hub with the code {code}.").format(code=escape(unknown.code)))
        return
    except staff.RoleDoesNotFit:
        turn.say(_usage(turn._))
        return
    except staff.NotAllowed:
        turn.say(turn._("You may invite only to the agencies and hubs under you: {role} is not one of them.").format(
            role=describe(turn, role, code and code.upper())))
        return
    link = turn.channel.start_link(invitation.token)
    turn.say(
        turn._("Invitation for {role}. It works once and expires on {date}. Send this link to the person you "
               "invite:\n{link}").format(
            role=describe(turn, role, invitation.agency_code), date=turn._.datetime(invitation.expires_at), link=link
        )
    )


def _usage(_: Translator) -> str:
    return _(
        "Write <code>/undang ROLE AGENCY_CODE</code>, for example <code>/undang penghubung PUPR-13.71</code>.\n"
        "Roles: <code>hub_admin</code> (a hub's code, HUB-…), <code>liaison</code> and <code>staff</code> "
        "(an agency's code), <code>national_admin</code> (no code)."
    )


COMMANDS = (
    Command("peran", "roles", N_("Your staff roles"), show_roles, menu=False),
    Command("undang", "invite", N_("Invite staff"), invite, menu=False),
)
