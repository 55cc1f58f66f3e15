"""Pure rules of SP4N-LAPOR!, free of Telegram and SQL.

- ``vocabulary``: report types, categories, statuses and their transitions, limits of the intake;
- ``flows``: the kinds of conversation a chat can have open (``Flow``);
- ``conversation_state``: what each kind holds, typed, tagged and versioned (the intake's is the ``Draft``);
- ``draft``: the citizen's draft report (``Draft``) and the routing record it carries;
- ``steps``: the steps of the intake conversation and the one function that decides the next one;
- ``answers``: what each step accepts;
- ``calendar``: working days (weekends, holidays, cuti bersama) in a province's time zone (WIB, WITA, WIT);
- ``deadlines``: the working-day deadlines of a report (verification, first answer, resolution, auto-close).

The vocabulary is importable from ``bot.domain`` itself, as it always was.
"""

from bot.domain.vocabulary import (
    ADDRESS_MAX_CHARS,
    ADDRESS_MIN_CHARS,
    CATEGORIES,
    CATEGORY_BY_CODE,
    CATEGORY_GROUP_LABELS,
    DESCRIPTION_MAX_CHARS,
    DESCRIPTION_MIN_CHARS,
    FILE_NAME_MAX_CHARS,
    INFRASTRUCTURE,
    MALADMINISTRATION,
    MAX_ATTACHMENTS,
    MAX_DOWNLOAD_BYTES,
    PUBLIC_SERVICE,
    REPORT_TYPE_LABELS,
    ROAD_NAME_MAX_CHARS,
    STATUS_LABELS,
    STATUS_TRANSITIONS,
    STATUSES_NEEDING_NOTE,
    CLOSED_STATUSES,
    Category,
    ReportType,
    Status,
    categories_in,
    category_groups_for,
)

__all__ = [
    "ADDRESS_MAX_CHARS",
    "ADDRESS_MIN_CHARS",
    "CATEGORIES",
    "CATEGORY_BY_CODE",
    "CATEGORY_GROUP_LABELS",
    "DESCRIPTION_MAX_CHARS",
    "DESCRIPTION_MIN_CHARS",
    "FILE_NAME_MAX_CHARS",
    "INFRASTRUCTURE",
    "MALADMINISTRATION",
    "MAX_ATTACHMENTS",
    "MAX_DOWNLOAD_BYTES",
    "PUBLIC_SERVICE",
    "REPORT_TYPE_LABELS",
    "ROAD_NAME_MAX_CHARS",
    "STATUS_LABELS",
    "STATUS_TRANSITIONS",
    "STATUSES_NEEDING_NOTE",
    "CLOSED_STATUSES",
    "Category",
    "ReportType",
    "Status",
    "categories_in",
    "category_groups_for",
]
