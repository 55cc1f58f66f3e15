"""Domain services: they own state and take an open session; the caller owns the transaction."""

from sqlalchemy.ext.asyncio import AsyncSession as Session  # what a handler holds and hands to services, never queries

__all__ = ["Session"]
