"""The Open311 GeoReport v2 API (http://wiki.open311.org/GeoReport_v2) under ``/open311/v2/``: see api.py."""

from bot.web.open311.api import Open311Api

__all__ = ["Open311Api"]
