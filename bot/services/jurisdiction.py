"""Where a draft report goes: the routing engine applied to what the citizen told us.

The result is kept in the draft as a ``RoutingRecord``, shown in the summary and stored with the
report, so that staff later see the same explanation the citizen saw.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.domain.answers import NONE_OF_THESE
from bot.domain.draft import Draft, PlaceOption, RoutingRecord
from bot.domain.steps import Step
from routing.engine import Jurisdiction, Router


@lru_cache(maxsize=4)
def load_router(data_dir: Path | None, polygons: bool = True) -> Router:
    """Loaded once per process (a few seconds: the hierarchy, matcher and boundaries)."""
    return Router.load(data_dir, polygons)


def route_draft(router: Router, draft: Draft) -> Jurisdiction:
    place, category, choice = draft.place, draft.category_info, draft.place_choice
    return router.route(
        category.code,
        category.is_road,
        point=place.point,
        address=place.address if place.point is None else None,
        chosen_code=choice if choice and choice != NONE_OF_THESE else None,
        road_text=draft.road_answer,
    )


def questions(jurisdiction: Jurisdiction) -> tuple[Step, ...]:
    """What routing cannot settle alone: which of several places, which road."""
    return tuple(
        step
        for step, unsettled in ((Step.PLACE, bool(jurisdiction.alternatives)), (Step.ROAD, jurisdiction.needs_road))
        if unsettled
    )


def record(router: Router, jurisdiction: Jurisdiction) -> RoutingRecord:
    """The jurisdiction as plain data, for the draft and the report."""
    describe = router.hierarchy.describe
    code = lambda region: region.code if region else None  # noqa: E731
    name = lambda region: region.name if region else None  # noqa: E731
    road = jurisdiction.road
    return RoutingRecord(
        province=code(jurisdiction.province),
        regency=code(jurisdiction.regency),
        district=code(jurisdiction.district),
        village=code(jurisdiction.village),
        area_name=describe(jurisdiction.area) if jurisdiction.area else None,
        province_name=name(jurisdiction.province),
        regency_name=name(jurisdiction.regency),
        road_name=road.name if road else None,
        road_status=road.status if road else None,
        road_source=road.source if road else None,
        sample_road=jurisdiction.sample_road,
        agency_code=jurisdiction.agency.code,
        agency_name=jurisdiction.agency.name,
        confidence=jurisdiction.confidence,
        reason=jurisdiction.reason,
        alternatives=[PlaceOption(region.code, describe(region)) for region in jurisdiction.alternatives],
    )
