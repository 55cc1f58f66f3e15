"""Our categories as Open311 services, grouped as the chat groups them, and our questions as their attributes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.vocabulary import (CATEGORIES, CATEGORY_BY_CODE, CATEGORY_GROUP_LABELS, REPORT_TYPE_LABELS, Category,
                                   ReportType, category_groups_for)
from bot.i18n import N_, Translator

REPORT_TYPE, CONFIDENTIAL, ROAD_NAME = "report_type", "confidential", "road_name"
YES, NO = "true", "false"


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    description: str


@dataclass(frozen=True)
class Attribute:
    """One question of a service (Open311's attribute): ``values`` for a choice, none for free text."""

    code: str
    description: str
    required: bool
    order: int
    values: tuple[tuple[str, str], ...] = ()  # (key, name)

    @property
    def datatype(self) -> str:
        return "singlevaluelist" if self.values else "string"


def services(_: Translator) -> list[Service]:
    return [_service(_, category) for category in CATEGORIES]


def service(_: Translator, code: str) -> Service | None:
    category = CATEGORY_BY_CODE.get(code)
    return _service(_, category) if category else None


def _service(_: Translator, category: Category) -> Service:
    group = _(CATEGORY_GROUP_LABELS[category.group])
    return Service(category.code, _(category.label), group, f"{group}: {_(category.label)}")


def attributes(_: Translator, code: str) -> list[Attribute]:
    """The questions a report of service ``code`` may answer beyond Open311's own fields."""
    category = CATEGORY_BY_CODE[code]
    types = tuple((kind.value, _(REPORT_TYPE_LABELS[kind])) for kind in ReportType
                  if category.group in category_groups_for(kind))
    found = [
        Attribute(REPORT_TYPE, _(N_("Type of report (default: complaint)")), False, 1, types),
        Attribute(CONFIDENTIAL, _(N_("Confidential: the content is not made public (default: no)")), False, 2,
                  ((YES, _(N_("Yes"))), (NO, _(N_("No"))))),
    ]
    if category.is_road:
        found.append(Attribute(ROAD_NAME, _(N_("The road's name, where known (e.g. Jl. Sudirman)")), False, 3))
    return found

