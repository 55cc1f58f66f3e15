"""Typed values as plain data (bot.domain.plain): what ``dataclasses.asdict`` gives, without copying each leaf."""

from __future__ import annotations

from dataclasses import asdict

from bot.channels.markup import Choice, Choices
from bot.delivery.messages import Album, Media, Text, from_payload, to_payload
from bot.domain.draft import AttachmentRef, PlaceOption, RoutingRecord
from bot.domain.plain import plain


def test_plain_data_is_asdicts_with_the_leaves_shared():
    routing = RoutingRecord("ag-1", "Dinas PU", "by_area", "high", province="13", regency_name="Kota Padang",
                            alternatives=[PlaceOption("13.71", "Kota Padang"), PlaceOption("13.72", "Kota Solok")])
    assert plain(routing) == asdict(routing)
    assert plain(routing)["alternatives"] is not routing.alternatives, "containers are new"
    assert plain(routing)["alternatives"][0]["label"] is routing.alternatives[0].label, "leaves are the same objects"
    attachment = AttachmentRef("photo", "file-1", "unique-1", 1200, None)
    assert plain((attachment, [attachment], {"a": attachment})) == (asdict(attachment), [asdict(attachment)],
                                                                    {"a": asdict(attachment)})


def test_a_payload_comes_back_as_the_message_it_was():
    choices = Choices([[Choice("Ya", "yes"), Choice("Tidak", "no")]])
    for message in (Text("Halo", choices), Media("photo", "file-1", "foto", choices),
                    Album((Media("photo", "a"), Media("video", "b", "dua")))):
        assert from_payload(to_payload(message)) == message

