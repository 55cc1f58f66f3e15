"""``lapor-bot api-key ...``: keys for other systems (the Open311 API), made, listed and revoked here only."""

from __future__ import annotations

import argparse

from bot.config import Settings
from bot.cli_transaction import in_transaction
from bot.services import api_keys


def add_parser(commands) -> None:
    group = commands.add_parser("api-key", help="keys for the Open311 API").add_subparsers(title="api-key commands",
                                                                                         required=True)
    create = group.add_parser("create", help="a new key (printed once; only its hash is kept)")
    create.add_argument("name", help="whose key it is, e.g. 'Kota Padang e-lapor'")
    create.add_argument("--scope", choices=api_keys.SCOPES, default=api_keys.READ,
                        help="read: read requests; write: read and file them (default: read)")
    create.set_defaults(command=create_command)
    group.add_parser("list", help="the keys, by prefix, with their scope and last use").set_defaults(command=list_command)
    revoke = group.add_parser("revoke", help="stop a key working, at once")
    revoke.add_argument("prefix", help="the key's prefix (see `lapor-bot api-key list`) or the key itself")
    revoke.set_defaults(command=revoke_command)


async def create_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        row, key = await api_keys.create(session, arguments.name, arguments.scope)
        print(f"key {row.prefix} ({row.scope}) for {row.name}; keep it now, it is not shown again:")
        print(key)
        return 0

    return await _in_transaction(settings, work)


async def list_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        for row in await api_keys.listed(session):
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            print(f"  {row.prefix}  {row.scope:<5}  {state:<18}  {used:<16}  {row.name}")
        return 0

    return await _in_transaction(settings, work)


async def revoke_command(settings: Settings, arguments: argparse.Namespace) -> int:
    async def work(session) -> int:
        row = await api_keys.revoke(session, arguments.prefix)
        print(f"key {row.prefix} ({row.name}) is revoked")
        return 0

    return await _in_transaction(settings, work)


async def _in_transaction(settings: Settings, work) -> int:
    return await in_transaction(settings, work, (api_keys.ApiKeyRefused,))
