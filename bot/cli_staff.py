"""``lapor-bot staff ...``: the first national admin, invitations, revocations, the list of staff.

The command line acts as no user (``actor`` None in the audit trail): whoever runs it holds the database.
"""

from __future__ import annotations

import argparse

from bot.config import Settings
from bot.cli_transaction import in_transaction
from bot.domain.roles import Role
from bot.services import staff
from bot.services.notices import Notices


def add_parser(commands) -> None:
    group = commands.add_parser("staff", help="staff roles and invitations").add_subparsers(title="staff commands", required=True)
    make_admin = group.add_parser("make-admin", help="make a Telegram user a national admin (the first one)")
    make_admin.add_argument("user_id", type=int, help="the person's numeric Telegram user id (not their @username)")
    make_admin.set_defaults(command=make_admin_command)
    invite = group.add_parser("invite", help="a one-time invitation link to a role")
    invite.add_argument("role", choices=[role.value for role in Role], help="the role the invitation gives")
    invite.add_argument("agency_code", nargs="?", help="the hub's code for hub_admin, the agency's for liaison and staff")
    invite.add_argument("--days", type=int, help="days until it expires (default: INVITATION_DAYS)")
    invite.set_defaults(command=invite_command)
    revoke = group.add_parser("revoke", help="end a user's role")
    revoke.add_argument("user_id", type=int, help="the person's numeric Telegram user id (see `lapor-bot staff list`)")
    revoke.add_argument("role", choices=[role.value for role in Role], help="the role to end")
    revoke.add_argument("agency_code", nargs="?", help="the hub's or agency's code the role is held for (none for national_admin)")
    revoke.set_defaults(command=revoke_command)
    group.add_parser("list", help="active roles and open invitations").set_defaults(command=list_command)


async def make_admin_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        made = await staff.grant_national_admin(session, arguments.user_id)
        print(f"{arguments.user_id} is {'now' if made else 'already'} a national admin")
        return 0

    return await _in_transaction(settings, work)


async def invite_command(settings: Settings, arguments: argparse.Namespace) -> int:
    days = arguments.days or settings.invitation_days

    async def work(session) -> int:
        invitation = await staff.create_invitation(session, directory_of(settings), Role(arguments.role),
                                                   arguments.agency_code, actor=None, days=days)
        print(f"invitation: {invitation.role} {invitation.agency_code or ''}".rstrip()
              + f", valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC, works once")
        print(staff.deep_link(invitation.token, settings.bot_username))
        if not settings.bot_username:
            print("(set TELEGRAM_BOT_USERNAME to print a t.me link; meanwhile the invitee sends the line above to the bot)")
        return 0

    return await _in_transaction(settings, work)


async def revoke_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        await staff.revoke_role(session, Notices(directory_of(settings), settings.translator), arguments.user_id,
                                Role(arguments.role), arguments.agency_code, actor=None)
        print(f"{arguments.user_id} is no longer {arguments.role} {arguments.agency_code or ''}".rstrip())
        return 0

    return await _in_transaction(settings, work)


async def list_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        print("active roles:")
        for row in await staff.active_roles(session):
            print(f"  {row.user_id}  {row.role}  {row.agency_code or '-'}  since {row.granted_at:%Y-%m-%d}")
        print("open invitations:")
        for invitation in await staff.open_invitations(session):
            print(f"  {staff.shown(invitation.token)}  {invitation.role}  {invitation.agency_code or '-'}"
                  f"  until {invitation.expires_at:%Y-%m-%d %H:%M} UTC")
        return 0

    return await _in_transaction(settings, work)


def directory_of(settings: Settings):
    """The agency directory (the hubs among them), as the bot loads it, without the routing engine."""
    from routing.engine import load_directory
    from routing.regions import Hierarchy

    return load_directory(Hierarchy.from_lokal(), settings.routing_dir)


async def _in_transaction(settings: Settings, work) -> int:
    return await in_transaction(settings, work, (staff.StaffError,))
