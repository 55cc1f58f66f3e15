"""The typed draft, its JSON, and the rules of the steps: pure, no bot needed."""

from __future__ import annotations

from bot.domain import ReportType
from bot.domain.answers import NONE_OF_THESE, shorten_file_name
from bot.domain.draft import AttachmentRef, Draft, Place, PlaceOption, RoutingRecord
from bot.domain.steps import Step, missing_steps, next_step, previous_step

# A draft as the dict-based release stored it, routed and with a place chosen among two.
LEGACY_DRAFT = {
    "attachments": [{"kind": "photo", "file_id": "AgAD1", "file_unique_id": "u1", "file_size": 1234, "file_name": None}],
    "report_type": "pengaduan",
    "category": "sampah",
    "description": "Sampah menumpuk di pinggir jalan sejak dua minggu.",
    "location": {"latitude": None, "longitude": None, "address": "Kel. Padang Pasr"},
    "place_choice": "13.71.01.1001",
    "routing": {
        "province": "13", "regency": "13.71", "district": "13.71.01", "village": "13.71.01.1001",
        "area_name": "Padang Pasir, Padang Barat, Kota Padang, Sumatera Barat", "province_name": "Sumatera Barat",
        "regency_name": "Kota Padang", "road_name": None, "road_status": None, "road_source": None,
        "sample_road": False, "agency_code": "DLH-13.71", "agency_name": "Dinas Lingkungan Hidup Kota Padang",
        "confidence": "high", "reason": "by_area", "alternatives": [{"code": "13.71.01.1001", "label": "Padang Pasir"}],
    },
    "editing": False,
}


def complete_draft(**changes) -> Draft:
    draft = Draft(
        report_type=ReportType.COMPLAINT,
        category="jalan",
        description="Jalan berlubang besar di depan pasar sejak dua minggu.",
        place=Place(-0.9492, 100.3543),
        anonymous=False,
        confidential=False,
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def test_a_legacy_dict_draft_loads_and_saves_the_same_keys():
    draft = Draft.from_json(LEGACY_DRAFT)
    assert draft.report_type == ReportType.COMPLAINT and draft.place == Place(address="Kel. Padang Pasr")
    assert draft.routing.alternatives == [PlaceOption("13.71.01.1001", "Padang Pasir")]
    assert draft.attachments == [AttachmentRef("photo", "AgAD1", "u1", 1234)]
    assert draft.anonymous is None and draft.road_answer is None
    assert Draft.from_json(draft.to_json()) == draft
    saved = draft.to_json()
    assert saved["location"] == LEGACY_DRAFT["location"] and saved["routing"] == LEGACY_DRAFT["routing"]
    assert "anonymous" not in saved and "road_answer" not in saved, "an unanswered question has no key, as before"


def test_missing_and_unknown_keys_mean_defaults():
    assert Draft.from_json(None) == Draft() == Draft.from_json({"attachments": []})
    draft = Draft.from_json({"routing": {"agency_name": "Admin", "something_new": 1}, "future_key": True})
    assert draft.routing == RoutingRecord(agency_name="Admin")


def test_the_steps_in_order_for_a_sure_place():
    draft = complete_draft(anonymous=None, confidential=None)
    assert next_step(draft, Step.TYPE) == Step.CATEGORY
    assert next_step(Draft(report_type=ReportType.COMPLAINT), Step.CATEGORY) == Step.DESCRIPTION
    assert next_step(draft, Step.LOCATION) == Step.ATTACHMENTS
    assert next_step(draft, Step.ATTACHMENTS) == Step.ANONYMOUS
    draft.anonymous = draft.confidential = False
    assert next_step(draft, Step.CONFIDENTIAL) == Step.SUMMARY


def test_place_questions_come_first_and_once():
    draft = complete_draft()
    assert next_step(draft, Step.LOCATION, (Step.PLACE, Step.ROAD)) == Step.PLACE
    draft.place_choice = NONE_OF_THESE
    assert next_step(draft, Step.PLACE, (Step.PLACE, Step.ROAD)) == Step.ROAD
    draft.road_answer = ""
    assert next_step(draft, Step.ROAD, (Step.PLACE, Step.ROAD)) == Step.ATTACHMENTS


def test_a_routing_answer_once_the_place_is_known_goes_on_past_the_place_questions():
    """Back to the category and a new one: the place is known, so on to the files (or the summary)."""
    assert next_step(complete_draft(), Step.CATEGORY) == Step.ATTACHMENTS
    assert next_step(complete_draft(editing=True), Step.CATEGORY) == Step.SUMMARY


def test_an_edit_returns_to_the_summary_or_asks_what_is_missing():
    draft = complete_draft(editing=True)
    assert next_step(draft, Step.DESCRIPTION) == Step.SUMMARY and not draft.editing
    draft = complete_draft(editing=True, category=None)
    assert next_step(draft, Step.TYPE) == Step.CATEGORY and draft.editing
    assert missing_steps(Draft()) == [Step.TYPE, Step.CATEGORY, Step.DESCRIPTION, Step.LOCATION, Step.ANONYMOUS, Step.CONFIDENTIAL]


def test_back_returns_to_the_place_questions_that_were_asked():
    assert previous_step(complete_draft(), Step.ATTACHMENTS) == Step.LOCATION
    assert previous_step(complete_draft(road_answer="Jl. By Pass"), Step.ATTACHMENTS) == Step.ROAD
    assert previous_step(complete_draft(road_answer=""), Step.ATTACHMENTS) == Step.ROAD, "'I do not know' was an answer"
    assert previous_step(complete_draft(place_choice="13.71"), Step.ATTACHMENTS) == Step.PLACE
    assert previous_step(complete_draft(place_choice="13.71", road_answer=""), Step.ROAD) == Step.PLACE
    assert previous_step(complete_draft(), Step.ROAD) == Step.LOCATION
    assert previous_step(complete_draft(editing=True), Step.ROAD) == Step.SUMMARY
    assert previous_step(Draft(), Step.TYPE) is None


def test_a_long_file_name_keeps_its_extension():
    name = "laporan-" + "x" * 300 + ".pdf"
    short = shorten_file_name(name)
    assert len(short) == 256 and short.endswith("….pdf") and short.startswith("laporan-xxx")
    assert shorten_file_name("foto.jpg") == "foto.jpg" and shorten_file_name(None) is None
    assert len(shorten_file_name("y" * 400)) == 256
