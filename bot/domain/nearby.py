"""What counts as the same problem reported again: a report of the same category near the place (within
``RADIUS_METRES`` of a pin, or in the same village, or district, when the place was typed) whose text is alike.

Nearness is found through a grid column, ``reports.grid_cell``: cells ``CELL_DEGREES`` on a side, each at least
``RADIUS_METRES`` wide anywhere in Indonesia (it lies within 6°N and 11°S, where a degree of longitude is at least
109 km), so every point within the radius of a pin lies in the pin's cell or one of its eight neighbours. A plain
index on an integer finds them on SQLite and PostgreSQL alike; no spatial extension is needed."""

from __future__ import annotations

import math
from functools import cache

import stopwordsiso
from rapidfuzz import fuzz, utils

RADIUS_METRES = 250
CELL_DEGREES = 0.0025  # 278 m of latitude; 273 m of longitude at 11°S
_COLUMNS = 2**18  # more than 360 / CELL_DEGREES: a row of cells fits below the next
# The least alikeness of two descriptions (rapidfuzz's token set ratio of their words that carry meaning, 0-100) to
# suggest one as the other's report: near a pin the place says much already; in a village or district, more is
# needed. (Measured on pairs of one problem told twice, 62-88, and of two problems of a category, 46-56.)
ALIKE_NEAR_PIN, ALIKE_IN_AREA = 55, 65
SUGGESTIONS = 3
METRES_PER_DEGREE = 111_195  # on a sphere of the Earth's mean radius


def grid_cell(latitude: float, longitude: float) -> int:
    """The grid cell of a point, as one integer."""
    row = math.floor((latitude + 90) / CELL_DEGREES)
    column = math.floor((longitude + 180) / CELL_DEGREES)
    return row * _COLUMNS + column


def cells_around(latitude: float, longitude: float) -> list[int]:
    """The point's cell and its eight neighbours: every point within ``RADIUS_METRES`` lies in one of them."""
    centre = grid_cell(latitude, longitude)
    return [centre + rows * _COLUMNS + columns for rows in (-1, 0, 1) for columns in (-1, 0, 1)]


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The distance of two nearby points (equirectangular: off by less than a metre over a few kilometres)."""
    north = (b[0] - a[0]) * METRES_PER_DEGREE
    east = (b[1] - a[1]) * METRES_PER_DEGREE * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


def alikeness(description: str, other: str) -> float:
    """How alike two descriptions are, 0-100, in the words that carry meaning (Indonesian's function words such as
    "di", "sudah", "yang" left out; order and case aside)."""
    return fuzz.token_set_ratio(_meaningful(description), _meaningful(other))


def _meaningful(text: str) -> str:
    return " ".join(word for word in utils.default_process(text).split() if word not in _stop_words())


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(stopwordsiso.stopwords("id"))
