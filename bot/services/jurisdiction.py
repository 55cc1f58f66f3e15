"""Where a draft report goes: the routing engine applied to what the citizen told us.

The result is kept in the draft as a plain record (JSON), shown in the summary and stored with the
report, so that staff later see the same explanation the citizen saw.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.domain import CATEGORY_BY_CODE
from bot.services.intake import NONE_OF_THESE, Draft, Step
from routing.engine import Jurisdiction, Router


@lru_cache(maxsize=4)
def load_router(data_dir: Path | None, polygons: bool = True) -> Router:
    """Loaded once per process (a few seconds: the hierarchy, matcher and boundaries)."""
    return Router.load(data_dir, polygons)


def route_draft(router: Router, draft: Draft) -> Jurisdiction:
    location = draft["location"]
    category = CATEGORY_BY_CODE[draft["category"]]
    point = (location["latitude"], location["longitude"]) if location.get("latitude") is not None else None
    choice = draft.get("place_choice")
    return router.route(
        category.code,
        category.is_road,
        point=point,
        address=location.get("address") if point is None else None,
        chosen_code=choice if choice and choice != NONE_OF_THESE else None,
        road_text=draft.get("road_answer"),
    )


def question_for(draft: Draft, jurisdiction: Jurisdiction) -> Step | None:
    """The question still to ask about the place, if any."""
    if jurisdiction.alternatives and "place_choice" not in draft:
        return Step.PLACE
    if jurisdiction.needs_road and "road_answer" not in draft:
        return Step.ROAD
    return None


def record(router: Router, jurisdiction: Jurisdiction) -> dict[str, Any]:
    """The jurisdiction as JSON-able data, for the draft and the report."""
    describe = router.hierarchy.describe
    code = lambda region: region.code if region else None  # noqa: E731
    road = jurisdiction.road
    return {
        "province": code(jurisdiction.province),
        "regency": code(jurisdiction.regency),
        "district": code(jurisdiction.district),
        "village": code(jurisdiction.village),
        "area_name": describe(jurisdiction.area) if jurisdiction.area else None,
        "province_name": jurisdiction.province.name if jurisdiction.province else None,
        "regency_name": jurisdiction.regency.name if jurisdiction.regency else None,
        "road_name": road.name if road else None,
        "road_status": road.status if road else None,
        "road_source": road.source if road else None,
        "sample_road": jurisdiction.sample_road,
        "agency_code": jurisdiction.agency.code,
        "agency_name": jurisdiction.agency.name,
        "confidence": jurisdiction.confidence,
        "reason": jurisdiction.reason,
        "alternatives": [{"code": region.code, "label": describe(region)} for region in jurisdiction.alternatives],
    }
