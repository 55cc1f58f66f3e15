"""WhatsApp's rendering of neutral messages (bot.channels.whatsapp.render, templates): pure, no I/O. Every body
keeps within WhatsApp's limits, and nothing the flows wrote is lost on the way."""

from __future__ import annotations

import random
from html import escape

import pytest

from bot.channels.markup import AskPlace, AskText, Choice, Choices, ClearRequest
from bot.channels.whatsapp import limits, templates
from bot.channels.whatsapp.render import SAID, render
from bot.channels.whatsapp.text import split_text, to_whatsapp
from bot.config import WhatsAppSettings
from bot.delivery.messages import Album, Edit, Location, Media, Text
from bot.delivery.transport import Purpose


def choices(*labels: str) -> Choices:
    return Choices([[Choice(label, f"c:{number}")] for number, label in enumerate(labels)])


def interactive(body: dict) -> dict:
    assert body["type"] == "interactive"
    return body["interactive"]


def assert_within_limits(bodies: list[dict]) -> None:
    """What WhatsApp would refuse, checked on every body."""
    for body in bodies:
        kind = body["type"]
        if kind == "text":
            assert 0 < len(body["text"]["body"]) <= limits.TEXT
        elif kind in ("image", "video", "document"):
            assert len(body[kind].get("caption", "")) <= limits.BODY
            assert body[kind]["id"]
        elif kind == "interactive":
            shown = body["interactive"]
            assert 0 < len(shown["body"]["text"]) <= limits.BODY
            if shown["type"] == "button":
                buttons = shown["action"]["buttons"]
                assert 1 <= len(buttons) <= limits.BUTTONS
                assert all(0 < len(b["reply"]["title"].strip()) <= limits.BUTTON_TITLE for b in buttons)
                assert all("\n" not in b["reply"]["title"] for b in buttons)
                assert len({b["reply"]["title"] for b in buttons}) == len(buttons)
                assert all(len(b["reply"]["id"]) <= limits.REPLY_ID for b in buttons)
            elif shown["type"] == "list":
                rows = [row for section in shown["action"]["sections"] for row in section["rows"]]
                assert 1 <= len(rows) <= limits.LIST_ROWS
                assert 0 < len(shown["action"]["button"]) <= limits.LIST_BUTTON
                for row in rows:
                    assert 0 < len(row["title"].strip()) <= limits.ROW_TITLE and "\n" not in row["title"]
                    assert len(row.get("description", "")) <= limits.ROW_DESCRIPTION
                    assert len(row["id"]) <= limits.ROW_ID
            else:
                assert shown["type"] == "location_request_message"
                assert shown["action"] == {"name": "send_location"}


# --- HTML to WhatsApp ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("html", "shown"), [
    ("<b>Status</b>: baru", "*Status*: baru"),
    ("<strong>a</strong> <em>b</em> <i>c</i>", "*a* _b_ _c_"),
    ("<s>lama</s> <del>x</del> <strike>y</strike>", "~lama~ ~x~ ~y~"),
    ("<u>garis</u> <ins>bawah</ins>", "garis bawah"),
    ("ID <code>LAPOR-2025-000123</code>", "ID ```LAPOR-2025-000123```"),
    ("<pre>baris 1\nbaris 2</pre>", "```baris 1\nbaris 2```"),
    ('<a href="https://lapor.go.id/pengaduan/1">lihat laporan</a>', "lihat laporan (https://lapor.go.id/pengaduan/1)"),
    ('<a href="https://lapor.go.id">https://lapor.go.id</a>', "https://lapor.go.id"),
    ('<a href="tg://user?id=42">Rina</a>', "Rina"),
    ("<tg-spoiler>rahasia</tg-spoiler>", "rahasia"),
    ('<span class="tg-spoiler">rahasia</span>', "rahasia"),
    ("<blockquote>kutipan\nbaris dua</blockquote>", "> kutipan\n> baris dua"),
    ("A &amp; B &lt;3 &gt; &quot;x&quot; &#39;y&#39;", "A & B <3 > \"x\" 'y'"),
    ("<b>Status: </b>baru", "*Status:* baru"),
    ("<b>dua\nbaris</b>", "*dua*\n*baris*"),
    ("<b><i>keduanya</i></b>", "*_keduanya_*"),
    ("<b>luar <b>dalam</b></b>", "*luar dalam*"),
    ("<b></b>kosong", "kosong"),
    ("<code><b>x</b></code>", "```x```"),
    ("<b>tidak ditutup", "*tidak ditutup*"),
    ("tanpa </i>pembuka", "tanpa pembuka"),
    ("teks biasa, 3 < 4", "teks biasa, 3 < 4"),
])
def test_telegram_html_becomes_whatsapp_text(html, shown):
    assert to_whatsapp(html) == shown


def test_a_plain_text_message_is_one_text_body():
    assert render(Text("<b>Halo</b> &amp; selamat datang")) == [
        {"type": "text", "text": {"body": "*Halo* & selamat datang", "preview_url": False}}]
    assert render(Text("Lihat https://lapor.go.id"))[0]["text"]["preview_url"] is True


# --- long text -------------------------------------------------------------------------------------------------

def test_text_longer_than_4096_is_split_between_paragraphs_and_keeps_every_word():
    paragraphs = [f"Paragraf {n}: " + " ".join(f"kata{n}_{m}" for m in range(120)) for n in range(12)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 3 * limits.TEXT
    bodies = render(Text(text))
    assert len(bodies) >= 4
    assert_within_limits(bodies)
    pieces = [body["text"]["body"] for body in bodies]
    assert " ".join(pieces).split() == text.split()
    assert all(piece.startswith("Paragraf") for piece in pieces)  # cut between paragraphs


def test_a_line_longer_than_the_limit_is_cut_between_words_and_a_word_longer_still_is_cut():
    text = " ".join(["kata"] * 3000)
    pieces = split_text(text)
    assert all(len(piece) <= limits.TEXT for piece in pieces)
    assert " ".join(pieces).split() == text.split()
    word = "x" * 10_000
    assert "".join(split_text(word)) == word
    assert all(len(piece) <= limits.TEXT for piece in split_text(word))


def test_lines_are_kept_whole_when_there_are_no_paragraphs():
    text = "\n".join(f"baris {n} " + "isi " * 30 for n in range(100))
    pieces = split_text(text)
    assert len(pieces) > 1
    assert " ".join(pieces).split() == text.split()
    assert all(piece.startswith("baris") for piece in pieces)


def test_short_and_empty_texts():
    assert split_text("halo") == ["halo"]
    assert split_text("   ") == []
    assert render(Text("")) == []


# --- choices ---------------------------------------------------------------------------------------------------

def test_up_to_three_short_choices_are_reply_buttons():
    bodies = render(Text("Jenis laporan?", choices("Pengaduan", "Aspirasi", "Permintaan info")))
    assert len(bodies) == 1
    shown = interactive(bodies[0])
    assert shown["type"] == "button"
    assert shown["body"]["text"] == "Jenis laporan?"
    assert [b["reply"] for b in shown["action"]["buttons"]] == [
        {"id": "c:0", "title": "Pengaduan"}, {"id": "c:1", "title": "Aspirasi"}, {"id": "c:2", "title": "Permintaan info"}]
    assert_within_limits(bodies)


def test_four_choices_or_a_long_label_make_a_list():
    four = interactive(render(Text("Pilih", choices("a", "b", "c", "d")))[0])
    assert four["type"] == "list"
    assert [row["title"] for row in four["action"]["sections"][0]["rows"]] == ["a", "b", "c", "d"]
    long = interactive(render(Text("Pilih", choices("Ya", "Label yang lebih dari dua puluh")))[0])
    assert long["type"] == "list"


def test_buttons_with_the_same_title_become_a_list():
    shown = interactive(render(Text("?", Choices([[Choice("Dinas PU", "a:1"), Choice("Dinas PU", "a:2")]])))[0])
    assert shown["type"] == "list"


def test_whatever_the_choices_every_body_keeps_within_the_limits_and_every_choice_is_offered_once():
    generator = random.Random(25)
    alphabet = "abc defgh ijk😀\n\t&<>*_~"
    for _ in range(300):
        count = generator.choice([1, 2, 3, 4, 9, 10, 11, 25, 31])
        labels = ["".join(generator.choice(alphabet) for _ in range(generator.choice([0, 1, 5, 20, 21, 24, 25, 80])))
                  for _ in range(count)]
        text = "".join(generator.choice(alphabet) for _ in range(generator.choice([0, 10, 1024, 1025, 5000])))
        markup = Choices([[Choice(label, f"d:{n}")] for n, label in enumerate(labels)])
        bodies = render(Text(escape(text), markup))
        assert_within_limits(bodies)
        offered = [b["reply"]["id"] for body in bodies if body["type"] == "interactive"
                   for b in body["interactive"]["action"].get("buttons", [])]
        offered += [row["id"] for body in bodies if body["type"] == "interactive"
                    for section in body["interactive"]["action"].get("sections", []) for row in section["rows"]]
        assert offered == [f"d:{n}" for n in range(count)]


def test_a_label_too_long_for_a_row_title_is_shortened_and_told_in_full_in_its_description():
    label = "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Bogor"
    bodies = render(Text("Instansi?", choices(label, "Lainnya", "Batal", "Kembali")))
    assert_within_limits(bodies)
    row = interactive(bodies[0])["action"]["sections"][0]["rows"][0]
    assert row["title"].endswith("…") and len(row["title"]) <= limits.ROW_TITLE
    assert row["description"] == label
    very_long = "Kecamatan " * 20
    row = interactive(render(Text("?", choices(very_long, "a", "b", "c")))[0])["action"]["sections"][0]["rows"][0]
    assert len(row["description"]) <= limits.ROW_DESCRIPTION and row["description"].endswith("…")


def test_25_choices_page_into_three_lists_of_at_most_ten_and_every_choice_is_offered():
    labels = [f"Kabupaten nomor {n}" for n in range(25)]
    bodies = render(Text("Pilih kabupaten/kota:", choices(*labels)))
    assert_within_limits(bodies)
    assert len(bodies) == 3
    rows = [row for body in bodies for row in interactive(body)["action"]["sections"][0]["rows"]]
    assert [row["id"] for row in rows] == [f"c:{n}" for n in range(25)]
    assert [len(interactive(body)["action"]["sections"][0]["rows"]) for body in bodies] == [10, 10, 5]
    assert interactive(bodies[0])["body"]["text"].startswith("Pilih kabupaten/kota:")
    assert "(2/3)" in interactive(bodies[1])["body"]["text"]
    assert "(3/3)" in interactive(bodies[2])["body"]["text"]


def test_a_body_longer_than_1024_goes_first_as_text_and_the_interactive_shows_its_last_paragraph():
    long = "Rincian laporan. " * 100
    bodies = render(Text(f"{long}\n\nApakah sudah benar?", choices("Ya", "Tidak")))
    assert_within_limits(bodies)
    assert [body["type"] for body in bodies] == ["text", "interactive"]
    assert bodies[0]["text"]["body"] == long.strip()
    assert interactive(bodies[1])["body"]["text"] == "Apakah sudah benar?"
    one_paragraph = render(Text("kata " * 400, choices("Ya", "Tidak")))
    assert_within_limits(one_paragraph)
    assert [body["type"] for body in one_paragraph] == ["text", "interactive"]
    assert len(interactive(one_paragraph[1])["body"]["text"]) <= limits.BODY


def test_choice_ids_carry_the_choice_data():
    data = "x" * 300
    shown = interactive(render(Text("?", Choices([[Choice("Ya", data)]])))[0])
    assert shown["action"]["buttons"][0]["reply"]["id"] == data[: limits.REPLY_ID]


# --- requests --------------------------------------------------------------------------------------------------

def test_ask_place_is_a_location_request_with_its_options_as_buttons_after_it():
    bodies = render(Text("Kirim lokasi kejadian", AskPlace("📍 Kirim lokasi", ("⬅️ Kembali", "Batal"))))
    assert_within_limits(bodies)
    request, options = (interactive(body) for body in bodies)
    assert request == {"type": "location_request_message", "body": {"text": "Kirim lokasi kejadian"},
                       "action": {"name": "send_location"}}
    assert options["type"] == "button"
    assert [b["reply"] for b in options["action"]["buttons"]] == [
        {"id": SAID + "⬅️ Kembali", "title": "⬅️ Kembali"}, {"id": SAID + "Batal", "title": "Batal"}]
    alone = render(Text("Kirim lokasi", AskPlace("📍 Kirim lokasi")))
    assert len(alone) == 1 and interactive(alone[0])["type"] == "location_request_message"


@pytest.mark.parametrize("markup", [AskText("ketik di sini"), ClearRequest(), None])
def test_typed_answers_and_cleared_requests_are_plain_text(markup):
    assert render(Text("<i>Tulis</i> uraian", markup)) == [
        {"type": "text", "text": {"body": "_Tulis_ uraian", "preview_url": False}}]


def test_an_edit_is_a_new_message():
    assert render(Edit(123, "<b>Terima kasih</b>")) == render(Text("<b>Terima kasih</b>"))
    edited = render(Edit(123, "Nilai?", choices("1", "2", "3")))
    assert interactive(edited[0])["type"] == "button"


# --- media -----------------------------------------------------------------------------------------------------

def test_media_go_by_their_whatsapp_media_id_with_the_caption_converted():
    ids = {"tg-photo": "111", "tg-video": "222", "tg-doc": "333"}
    assert render(Media("photo", "tg-photo", "<b>Foto</b>"), ids) == [
        {"type": "image", "image": {"id": "111", "caption": "*Foto*"}}]
    assert render(Media("video", "tg-video"), ids.get) == [{"type": "video", "video": {"id": "222"}}]
    assert render(Media("document", "tg-doc", "berkas"), ids)[0] == {
        "type": "document", "document": {"id": "333", "caption": "berkas"}}


def test_a_long_caption_is_cut_at_1024_and_the_rest_follows_as_text():
    caption = "Keterangan foto. " * 150
    bodies = render(Media("photo", "f", caption), {"f": "9"})
    assert_within_limits(bodies)
    assert [body["type"] for body in bodies] == ["image", "text"]
    shown = bodies[0]["image"]["caption"] + " " + bodies[1]["text"]["body"]
    assert shown.split() == caption.split()


def test_media_with_choices_sends_the_choices_after_it():
    bodies = render(Media("photo", "f", "Bukti", choices("Terima", "Tolak")), {"f": "9"})
    assert_within_limits(bodies)
    assert [body["type"] for body in bodies] == ["image", "interactive"]
    assert interactive(bodies[1])["type"] == "button"


def test_an_album_is_one_message_per_file():
    album = Album((Media("photo", "a", "Tiga foto"), Media("video", "b"), Media("photo", "c")))
    bodies = render(album, {"a": "1", "b": "2", "c": "3"})
    assert bodies == [{"type": "image", "image": {"id": "1", "caption": "Tiga foto"}},
                      {"type": "video", "video": {"id": "2"}}, {"type": "image", "image": {"id": "3"}}]


def test_a_location_is_a_location_message():
    assert render(Location(-6.595, 106.816)) == [{"type": "location", "location": {"latitude": -6.595, "longitude": 106.816}}]


# --- templates -------------------------------------------------------------------------------------------------

def test_a_template_parameter_has_no_newlines_tabs_or_long_runs_of_spaces_and_fits():
    html = "<b>Status</b>: Selesai\n\nInstansi:\tDinas PUPR\n     banyak      spasi\n" + "panjang " * 300
    flat = templates.parameter(html)
    assert "\n" not in flat and "\t" not in flat and "     " not in flat
    assert flat.startswith("*Status*: Selesai · Instansi: Dinas PUPR · banyak spasi · panjang")
    assert len(flat) <= templates.PARAMETER and flat.endswith("…")


def test_the_template_for_each_purpose_and_language():
    settings = WhatsAppSettings(notice_template="kabar", announcement_template="umum",
                                template_languages=(("id", "id"), ("en", "en_US")))
    notice = templates.template_body(settings, Purpose.NOTICE, "Laporan <b>selesai</b>", "en")
    assert notice == {"type": "template", "template": {
        "name": "kabar", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Laporan *selesai*"}]}]}}
    assert templates.template_body(settings, Purpose.REPLY, "x", None)["template"]["name"] == "kabar"
    announcement = templates.template_body(settings, Purpose.ANNOUNCEMENT, "Jalan ditutup", "id")
    assert announcement["template"]["name"] == "umum"
    assert announcement["template"]["language"] == {"code": "id"}
    empty = templates.template_body(settings, Purpose.NOTICE, None, "id", "media")
    assert empty["template"]["components"][0]["parameters"][0]["text"] == templates.NOTHING_TO_SAY["id"]["media"]


def test_the_templates_to_submit_have_one_parameter_in_each_language():
    for template in templates.TEMPLATES:
        assert template.category in ("UTILITY", "MARKETING")
        assert set(template.body) == {"id", "en"} == set(template.example)
        for text in template.body.values():
            assert text.count("{{1}}") == 1
            assert not text.startswith("{{1}}") and not text.endswith("{{1}}")  # Meta refuses those


def test_the_longest_parameter_leaves_each_templates_body_within_1024_characters():
    settings = WhatsAppSettings()
    for purpose in (Purpose.NOTICE, Purpose.ANNOUNCEMENT):
        body = templates.template_body(settings, purpose, "kata " * 1000, "id")
        text = body["template"]["components"][0]["parameters"][0]["text"]
        template = templates.template_for(purpose)
        assert body["template"]["name"] == template.default_name
        for language in ("id", "en"):
            assert len(template.body[language].replace("{{1}}", text)) <= limits.TEMPLATE_BODY


def test_a_list_rows_id_keeps_within_200_characters():
    data = "y" * 300
    bodies = render(Text("?", Choices([[Choice(f"Pilihan {n}", str(n) + data)] for n in range(5)])))
    assert all(len(row["id"]) == limits.ROW_ID for row in interactive(bodies[0])["action"]["sections"][0]["rows"])


def test_the_submission_text_names_each_template_and_language():
    text = templates.submission()
    for template in templates.TEMPLATES:
        assert f"`{template.default_name}` ({template.category}" in text
    assert "WHATSAPP_TEMPLATE_NOTICE" in text and "WHATSAPP_TEMPLATE_ANNOUNCEMENT" in text
    assert text.count("{{1}}") == 2 + 4  # the heading of each template and each language's body
