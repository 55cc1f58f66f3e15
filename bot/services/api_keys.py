"""Keys for other systems (the Open311 API): made, listed and revoked from the command line, stored as a hash,
scoped to reading or to reading and filing.

A key reads ``lpr_<prefix>_<secret>``: the prefix finds its row and names it in lists and logs, the secret (32
random bytes) is never stored; its SHA-256 is, which for a random secret of that size is as safe as a slow hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ApiKey, utcnow
from bot.services import audit

READ, WRITE = "read", "write"  # write: read and file
SCOPES = (READ, WRITE)
KEY_PREFIX = "lpr_"
USE_NOTED_EVERY = timedelta(minutes=1)  # last_used_at is written about this often per key at most


class ApiKeyRefused(ValueError):
    """A command-line refusal (no such key, a bad scope)."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's id and prefix, and what it may do."""

    key_id: int
    prefix: str
    scope: str
    use_not_noted: bool = False  # last_used_at is older than USE_NOTED_EVERY

    def may(self, scope: str) -> bool:
        return scope == READ or self.scope == WRITE


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create(session: AsyncSession, name: str, scope: str) -> tuple[ApiKey, str]:
    """A new key: its row, and the key itself (shown once; only its hash is kept)."""
    if scope not in SCOPES:
        raise ApiKeyRefused(f"scope must be one of {', '.join(SCOPES)}")
    if not name.strip():
        raise ApiKeyRefused("a key needs a name saying whose it is")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(prefix=prefix, secret_hash=_hash(key), name=name.strip()[:128], scope=scope)
    session.add(row)
    await session.flush()
    audit.record(session, None, "api_key_created", prefix, scope=scope)
    return row, key


async def listed(session: AsyncSession) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).order_by(ApiKey.id)))


async def revoke(session: AsyncSession, prefix: str) -> ApiKey:
    row = await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix.removeprefix(KEY_PREFIX)[:16]))
    if row is None:
        raise ApiKeyRefused(f"no key {prefix}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, None, "api_key_revoked", row.prefix)
    return row


def prefix_of(key: str) -> str | None:
    """The prefix a presented key names, or None when it is not shaped like one of ours."""
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    prefix, _, secret = key.removeprefix(KEY_PREFIX).partition("_")
    return prefix if len(prefix) == 8 and secret else None


async def caller_of(session: AsyncSession, key: str) -> Caller | None:
    """The caller a presented key stands for, or None (unknown, forged or revoked): one look-up by prefix, then a
    comparison that takes as long whatever the key. Reads only (``note_use`` writes, now and then)."""
    prefix = prefix_of(key)
    row = await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix)) if prefix else None
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(key)) or row.revoked_at is not None:
        return None
    stale = row.last_used_at is None or utcnow() - row.last_used_at > USE_NOTED_EVERY
    return Caller(row.id, row.prefix, row.scope, stale)


async def note_use(session: AsyncSession, caller: Caller) -> None:
    """The key was used now (written at most every USE_NOTED_EVERY, so that reads do not queue for a writer)."""
    await session.execute(update(ApiKey).where(ApiKey.id == caller.key_id).values(last_used_at=utcnow()))
