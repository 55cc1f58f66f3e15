"""The line between the flows and the messengers: typed choice data within every channel's limits, Telegram's
updates read into neutral messages, neutral markup rendered within Telegram's limits, and no messenger library
above the adapters."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.channels.incoming import CommandSent, Edited, MediaSent, MembershipChanged, PlaceSent, Said, Tapped, Unsupported
from bot.channels.markup import AskPlace, AskText, Choice, Choices, ClearRequest
from bot.channels.telegram.inbound import to_incoming
from bot.channels.telegram.keyboards import reply_markup
from bot.channels.telegram.limits import TELEGRAM_LIMITS
from bot.domain import choices
from bot.domain.choices import REGISTRY, IntakeChoice, Rating, StaffActionChoice, longest_packing, unpack
from bot.textlimits import shorten

ROOT = Path(__file__).resolve().parent.parent
NEUTRAL = ("handlers", "bot/services", "bot/domain", "bot/delivery", "bot/jobs")


@pytest.mark.parametrize("kind", REGISTRY.values(), ids=lambda kind: kind.__name__)
def test_every_kind_of_choice_fits_the_channels_callback_data_and_comes_back_whole(kind):
    longest = longest_packing(kind)
    assert len(longest.encode()) <= TELEGRAM_LIMITS.choice_data, longest
    assert unpack(longest) == kind(**{item.name: getattr(unpack(longest), item.name) for item in dataclasses.fields(kind)})
    assert type(unpack(longest)) is kind


def test_a_prefix_is_registered_once():
    with pytest.raises(ValueError, match="taken"):
        @choices.choice("rate")
        class Again(choices.ChoiceData):
            stars: int = choices.bounded(1)
    assert REGISTRY["rate"] is Rating


def test_old_buttons_read_as_before_and_forged_ones_read_as_nothing():
    assert unpack("rate:K7MQ9-TRXZS:4") == Rating("K7MQ9-TRXZS", 4)
    assert unpack("in:summary:edit-category") == IntakeChoice("summary", "edit-category")
    assert unpack("sac:take:K7MQ9-TRXZS:3:dengan_pemeriksaan") == StaffActionChoice("take", "K7MQ9-TRXZS", 3,
                                                                                    "dengan_pemeriksaan")
    for forged in ("rate:K7MQ9-TRXZS:lots", "sac:verify:K7MQ9-TRXZS", "nope:1", "skn:extra", ""):
        assert unpack(forged) is None, forged


def test_a_value_past_its_bound_is_refused_when_packed_not_sent_cut():
    with pytest.raises(ValueError):
        Rating("K7MQ9-TRXZS" * 3, 4).pack()
    with pytest.raises(ValueError):
        IntakeChoice("a:b", "x").pack()  # only the last field may hold the separator


def test_no_messenger_library_above_the_adapters():
    importers = []
    for folder in NEUTRAL:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if any(name == "telegram" or name.startswith("telegram.") for name in names):
                    importers.append(str(path.relative_to(ROOT)))
    assert importers == []
    loaded = subprocess.run([sys.executable, "-c", "import sys, handlers, bot.delivery.sender, bot.jobs.deadlines; "
                             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram'))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_the_flows_import_no_sqlalchemy_but_for_type_hints():
    importers = []
    for path in (ROOT / "handlers").rglob("*.py"):
        for node in _imports_outside_type_checking(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(name.split(".")[0] == "sqlalchemy" for name in names):
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []


def _imports_outside_type_checking(node: ast.AST):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _imports_outside_type_checking(child)


def _update(**fields) -> Update:
    base = {"update_id": 7}
    chat, user = {"id": 71, "type": "private"}, {"id": 71, "is_bot": False, "first_name": "Siti"}
    message = {"message_id": 3, "date": 0, "chat": chat, "from": user}
    if "message" in fields:
        base["message"] = message | fields["message"]
    if "edited_message" in fields:
        base["edited_message"] = message | {"edit_date": 1} | fields["edited_message"]
    if "callback_query" in fields:
        base["callback_query"] = {"id": "q1", "from": user, "chat_instance": "c", "message": message} | fields["callback_query"]
    if "my_chat_member" in fields:
        member = {"user": {"id": 1, "is_bot": True, "first_name": "Bot"}, "status": fields["my_chat_member"], "until_date": 0}
        base["my_chat_member"] = {"chat": chat, "from": user, "date": 0, "old_chat_member": member | {"status": "member"},
                                  "new_chat_member": member}
    return Update.de_json(base, Bot("1:x"))


def _command(text: str) -> dict:
    return {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}


def test_telegram_updates_read_into_neutral_messages():
    def content(**fields):
        incoming = to_incoming(_update(**fields), "lapor_bot")
        return incoming.content if incoming else None

    assert content(message=_command("/Status K7MQ9-TRXZS")) == CommandSent("status", ("K7MQ9-TRXZS",), "/Status K7MQ9-TRXZS")
    assert content(message=_command("/status@lapor_bot")) == CommandSent("status", (), "/status@lapor_bot")
    assert content(message=_command("/status@other_bot")) is None  # for another bot in the group
    assert content(message={"text": "Jalan rusak"}) == Said("Jalan rusak", "Jalan rusak")
    assert content(message={"text": "tebal", "entities": [{"type": "bold", "offset": 0, "length": 5}]}).html == "<b>tebal</b>"
    photo = content(message={"photo": [{"file_id": "small", "file_unique_id": "s", "width": 1, "height": 1},
                                       {"file_id": "big", "file_unique_id": "b", "width": 9, "height": 9, "file_size": 5}],
                             "caption": "lubang", "media_group_id": "album1"})
    assert isinstance(photo, MediaSent) and photo.file.file_id == "big" and photo.album == "album1" and photo.caption == "lubang"
    venue = content(message={"location": {"latitude": -0.95, "longitude": 100.35},
                             "venue": {"location": {"latitude": -0.95, "longitude": 100.35}, "title": "Pasar Raya",
                                       "address": "Jl. Pasar Raya"}})
    assert venue == PlaceSent(-0.95, 100.35, "Pasar Raya", "Jl. Pasar Raya") and venue.venue_text == "Pasar Raya, Jl. Pasar Raya"
    assert content(callback_query={"data": "rate:K7MQ9-TRXZS:4"}) == Tapped("rate:K7MQ9-TRXZS:4", 3, "q1")
    assert content(edited_message={"location": {"latitude": 1.0, "longitude": 2.0}}) == Edited(moving=True)
    assert content(my_chat_member="kicked") == MembershipChanged(False, "kicked")
    assert content(message={"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                                         "is_animated": False, "is_video": False, "type": "regular"}}) == Unsupported("sticker")


def test_choices_past_telegrams_row_and_message_limits_are_split_and_cut_never_refused():
    wide = Choices([[Choice(f"{index}", f"sib:todo:{index}") for index in range(20)]])
    rows = reply_markup(wide)["inline_keyboard"]
    assert [len(row) for row in rows] == [8, 8, 4]
    many = Choices([[Choice("x" * 200, f"sib:todo:{index}")] for index in range(150)])
    keyboard = reply_markup(many)["inline_keyboard"]
    assert sum(map(len, keyboard)) == 100 and keyboard[99][0]["callback_data"] == "sib:todo:99"
    assert len(keyboard[0][0]["text"]) == TELEGRAM_LIMITS.choice_label
    place = reply_markup(AskPlace("📍 Kirim lokasi", ("⬅️ Kembali", "✖️ Batal"), "Atau ketik alamat"))
    assert place["keyboard"][0][0]["request_location"] and place["input_field_placeholder"] == "Atau ketik alamat"
    assert [button["text"] for button in place["keyboard"][1]] == ["⬅️ Kembali", "✖️ Batal"]


@pytest.mark.parametrize("markup", [
    Choices([[Choice("Pengaduan", "ch:0"), Choice("Aspirasi", "ch:1")], [Choice("x" * 90, "ch:2")]]),
    AskPlace("📍 Kirim lokasi", ("⬅️ Kembali", "✖️ Batal"), "Atau ketik alamat"), AskPlace("📍 Kirim lokasi", (), None),
    AskText("Tulis di sini"), AskText(None), ClearRequest(), None,
], ids=["choices", "a place", "a place, bare", "a text", "a text, bare", "a keyboard cleared", "none"])
def test_markup_is_the_json_the_librarys_objects_make(markup):
    """The JSON the library's own markup objects would have sent, for each kind: their fields, and nothing unset."""
    assert reply_markup(markup) == (_through_the_library(markup).to_dict() if markup is not None else None)


def _through_the_library(markup):
    match markup:
        case Choices(rows=rows):
            return InlineKeyboardMarkup([[InlineKeyboardButton(shorten(choice.label, TELEGRAM_LIMITS.choice_label),
                                                               callback_data=choice.data) for choice in row] for row in rows])
        case AskPlace(button, options, placeholder):
            keyboard = [[KeyboardButton(button, request_location=True)], list(options)] if options else \
                [[KeyboardButton(button, request_location=True)]]
            return ReplyKeyboardMarkup(keyboard, resize_keyboard=True, one_time_keyboard=True,
                                       input_field_placeholder=placeholder)
        case AskText(placeholder):
            return ForceReply(selective=True, input_field_placeholder=placeholder)
        case ClearRequest():
            return ReplyKeyboardRemove()
