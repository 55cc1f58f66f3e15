"""Admins' features: announcements to subscribers (and, next, statistics and exports)."""
