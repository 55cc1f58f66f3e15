"""``/siaran``: an admin composes an announcement (text in Telegram's HTML, or a photo or document with a
caption), narrows the audience (language, topic, reporters of a category), sees it as subscribers will and
the exact number of recipients, and confirms. The national admin reaches everyone; a hub admin its area.
While it goes out, the confirmation turns into a live progress message with pause, resume and stop."""

from __future__ import annotations

from html import escape

from bot.channels.incoming import Said
from bot.channels.markup import Choices
from bot.db.models import Broadcast
from bot.domain.announcements import TOPICS
from bot.domain.conversation_state import BroadcastComposition
from bot.domain.flows import Flow
from bot.domain.reach import Reach
from bot.domain.vocabulary import CATEGORIES, CATEGORY_BY_CODE
from bot.i18n import LANGUAGE_NAMES, N_
from bot.notices.announcements import renderer
from bot.services import broadcasts
from bot.services.broadcasts import Audience
from bot.services.conversations import (end_conversation, load_conversation, save_state,
                                        start_conversation, state_of)
from bot.services.reach import reach_of
from bot.textlimits import CAPTION_LIMIT, MESSAGE_LIMIT, HtmlError, parsed_text
from handlers import keyboards
from handlers.admin import broadcast_area as area
from bot.domain.choices import BroadcastChoice
from handlers.citizen.announcements import area_name
from handlers.commands import Command, Tap
from handlers.openings import room_for
from handlers.turn import Turn, end_flow
from routing.agencies import NATIONAL_ADMIN

ROOM_FOR_THE_WAY_OUT = 250  # characters kept free for the sender's and the /berhenti lines every copy ends with
LANGUAGES = (None, "id", "en")


def _audience(compose: BroadcastComposition) -> Audience:
    return Audience(compose.reach, compose.language, compose.topic, compose.category)


async def _reach(turn: Turn) -> Reach:
    return await reach_of(turn.session, turn.user.id, turn.services.router.directory)


def areas_of(reach: Reach) -> tuple[str | None, ...]:
    """The areas an admin announces to, one at a time: everyone (None) for the national admin, each of its hubs'
    areas for a hub admin (the copy names that hub's office); none for liaisons and staff."""
    return (None,) if reach.everything else reach.areas


async def start(turn: Turn) -> None:
    scopes = areas_of(await _reach(turn))
    if not scopes:
        turn.say(turn._("Only the national admin and complaint hub admins send announcements."))
        return
    if not await room_for(turn, Flow.BROADCAST, "siaran"):
        return
    if len(scopes) == 1:
        await _begin(turn, scopes[0])
        return
    buttons = [keyboards.button(area_name(turn, code), BroadcastChoice("scope", code or "all")) for code in scopes]
    turn.say(turn._("Which area is the announcement for?"), Choices(keyboards.rows(buttons, 1)))


async def take(turn: Turn) -> bool:
    """The announcement itself, while one is being composed; False when none is."""
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.BROADCAST)
    if conversation is None or conversation.step not in ("message", "area"):
        return False
    compose, problem = state_of(conversation, BroadcastComposition), None
    if conversation.step == "area":
        await _take_area(turn, conversation, compose)
        return True
    media, said = turn.incoming.media, turn.incoming.content
    if media is not None and media.file.kind in ("photo", "document"):
        compose.media_kind, compose.media_file_id = media.file.kind, media.file.file_id
        compose.text = media.caption_html or ""
        problem = _problem(turn, compose.text, CAPTION_LIMIT)
    elif isinstance(said, Said):
        compose.text = said.html or said.text
        problem = _problem(turn, compose.text, MESSAGE_LIMIT)
    else:
        problem = turn._("Please send the announcement as text, or as a photo or document with a caption.")
    if problem:
        turn.say(problem)
        return True
    save_state(conversation, compose, "audience")
    await _show_audience(turn, compose, edit=False)
    return True


async def on_button(turn: Turn) -> None:
    choice: BroadcastChoice = turn.choice
    verb, rest = choice.verb, [choice.value] if choice.value else []
    if verb in ("pause", "resume", "stop") and rest and rest[0].isdigit():
        await _steer(turn, verb, int(rest[0]))
        return
    if verb == "scope" and rest:
        scope = None if rest[0] == "all" else rest[0]
        if scope in areas_of(await _reach(turn)):
            turn.settle_button(area_name(turn, scope))
            await _begin(turn, scope)
            return
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.BROADCAST)
    if conversation is None or not _fits(conversation.step, verb, bool(rest)):
        turn.notify_callback(turn._("That button is no longer active."))
        return
    compose = state_of(conversation, BroadcastComposition)
    if verb == "area":
        await _choose_area(turn, conversation, compose, rest[0] if rest else None)
    elif verb == "cancel":
        await end_conversation(turn.session, turn.chat_id)
        turn.settle_button(turn._("Announcement discarded."))
    elif verb == "preview":
        await _preview(turn, compose)
    elif verb == "filters":  # from the preview, back to the filters
        await _show_audience(turn, compose, edit=True)
    elif verb == "send":
        await _send(turn, compose)
    elif verb in ("lang", "topic", "cat"):
        _cycle(compose, verb)
        save_state(conversation, compose)
        await _show_audience(turn, compose, edit=True)


def _fits(step: str, verb: str, with_value: bool) -> bool:
    """The audience message's buttons work while it is current; an area's buttons while one is being chosen."""
    return step in ("audience", "area") and (step == "area") == (verb == "area" and with_value)


def _cycle(compose: BroadcastComposition, verb: str) -> None:
    """Each tap moves a filter on to its next value, "all" included."""
    options = {"lang": LANGUAGES, "topic": (None, *TOPICS), "cat": (None, *(c.code for c in CATEGORIES))}[verb]
    field = {"lang": "language", "topic": "topic", "cat": "category"}[verb]
    current = options.index(getattr(compose, field)) if getattr(compose, field) in options else 0
    setattr(compose, field, options[(current + 1) % len(options)])


async def _begin(turn: Turn, scope: str | None) -> None:
    await start_conversation(turn.session, turn.chat_id, turn.user.id, BroadcastComposition(scope), "message")
    turn.say(turn._(
        "📣 New announcement for {area}. Send it now: text (bold, italic and links as Telegram formats them, or "
        "HTML tags such as &lt;b&gt;), or a photo or document with a caption. /batal stops."
    ).format(area=area_name(turn, scope)))


async def _take_area(turn: Turn, conversation, compose: BroadcastComposition) -> None:
    """The area the admin typed: taken when one fits, offered as buttons when several do."""
    codes = area.candidates(turn, turn.incoming.typed or "", compose.scope)
    if len(codes) == 1:
        await _choose_area(turn, conversation, compose, codes[0])
    elif codes:
        area.offer(turn, codes)
    else:
        area.not_found(turn, compose.scope)


async def _choose_area(turn: Turn, conversation, compose: BroadcastComposition, code: str | None) -> None:
    """No code: ask for one. ``area.ALL``: the whole scope again. Otherwise the area, if it is inside the scope."""
    if code is None:
        conversation.step = "area"
        area.ask(turn, compose.scope)
        return
    chosen = None if code == area.ALL else code
    if not area.inside(chosen or compose.scope, compose.scope):
        turn.notify_callback(turn._("That button is no longer active."))
        return
    if turn.incoming.tap:
        turn.settle_button(f"📍 {area_name(turn, chosen or compose.scope)}")
    compose.area = chosen
    save_state(conversation, compose, "audience")
    await _show_audience(turn, compose, edit=False)


async def _show_audience(turn: Turn, compose: BroadcastComposition, edit: bool) -> None:
    _ = turn._
    everyone = _("all")
    count = await broadcasts.count(turn.session, _audience(compose), turn.services.settings.default_locale)
    text = _("<b>Who gets it</b> ({area}): {count} subscribers.\nTap a filter to change it.").format(
        area=area_name(turn, compose.reach), count=_.number(count))
    buttons = [
        [keyboards.button(_("📍 Area: {value}").format(value=area_name(turn, compose.reach)), BroadcastChoice("area"))],
        [keyboards.button(_("🌐 Language: {value}").format(value=LANGUAGE_NAMES.get(compose.language or "", everyone)), BroadcastChoice("lang"))],
        [keyboards.button(_("🏷 Topic: {value}").format(value=_(TOPICS[compose.topic]) if compose.topic else everyone), BroadcastChoice("topic"))],
        [keyboards.button(_("📂 Reported in: {value}").format(
            value=_(CATEGORY_BY_CODE[compose.category].label) if compose.category else everyone), BroadcastChoice("cat"))],
        [keyboards.button(_("👁 Preview"), BroadcastChoice("preview")), keyboards.button(_("✖️ Discard"), BroadcastChoice("cancel"))],
    ]
    (turn.edit_tapped if edit else turn.say)(text, Choices(buttons))


async def _preview(turn: Turn, compose: BroadcastComposition) -> None:
    """The copy exactly as a subscriber in the admin's language gets it, then the confirmation."""
    _ = turn._
    draft = Broadcast(id=0, text=compose.text, media_kind=compose.media_kind, media_file_id=compose.media_file_id,
                      sender=sender_office(turn, await _reach(turn), compose.scope))
    turn.send(renderer(lambda _locale: turn._)(draft)(turn.user.locale or ""))
    count = await broadcasts.count(turn.session, _audience(compose), turn.services.settings.default_locale)
    turn.say(_("This is what subscribers will get. Send it to {count} subscribers?").format(count=_.number(count)),
             Choices([[keyboards.button(_("✅ Send to {count}").format(count=_.number(count)), BroadcastChoice("send"))],
                                   [keyboards.button(_("⬅️ Back to the filters"), BroadcastChoice("filters")),
                                    keyboards.button(_("✖️ Discard"), BroadcastChoice("cancel"))]]))


def sender_office(turn: Turn, reach: Reach, scope: str | None) -> str | None:
    """The office an announcement comes from (the national admin's, or the admin's hub whose area is ``scope``):
    never the person who wrote it."""
    if scope is None:
        code = NATIONAL_ADMIN
    else:
        hub = reach.hub_of(scope)
        code = hub.code if hub else None
    office = turn.services.router.directory.agencies.get(code or "")
    return office.name if office else None


async def _send(turn: Turn, compose: BroadcastComposition) -> None:
    reach = await _reach(turn)
    if compose.scope not in areas_of(reach) or not area.inside(compose.reach, compose.scope):
        turn.notify_callback(turn._("That button is no longer active."))  # the admin lost the role meanwhile
        return
    media = (compose.media_kind, compose.media_file_id) if compose.media_kind and compose.media_file_id else None
    broadcast = await broadcasts.start(turn.session, turn.user.id, _audience(compose), compose.text,
                                       turn.services.settings.default_locale, media)
    broadcast.sender = sender_office(turn, reach, compose.scope)
    broadcast.progress_chat_id, broadcast.progress_message_id = turn.chat_id, turn.incoming.tap.message_id
    await end_conversation(turn.session, turn.chat_id)
    turn.settle_button(turn._("📣 Announcement #{number}: sending to {count} subscribers…").format(
        number=broadcast.id, count=turn._.number(broadcast.recipients)))


async def _steer(turn: Turn, verb: str, broadcast_id: int) -> None:
    """Pause, resume or stop: the admin who sent it, or the national admin."""
    broadcast = await broadcasts.get(turn.session, broadcast_id)
    allowed = broadcast is not None and (broadcast.created_by == turn.user.id or (await _reach(turn)).everything)
    steer = {"pause": broadcasts.pause, "resume": broadcasts.resume, "stop": broadcasts.cancel}[verb]
    done = allowed and await steer(turn.session, broadcast)
    if not done:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    broadcast.progress_shown_at = None  # the progress message shows the change at the job's next round
    turn.notify_callback(turn._(ACKNOWLEDGED[verb]))


async def stop(turn: Turn) -> bool:
    """``/batal`` while an announcement is being composed; False when none is."""
    return await end_flow(turn, Flow.BROADCAST, turn._("Announcement discarded."))


ACKNOWLEDGED = {"pause": N_("Paused."), "resume": N_("Resumed."), "stop": N_("Stopped: nobody else will get it.")}


def _problem(turn: Turn, text: str, limit: int) -> str | None:
    """Why Telegram would refuse the announcement, in the admin's language; None when it is fine."""
    if not text.strip():
        return None if limit == CAPTION_LIMIT else turn._("The announcement is empty.")
    try:
        visible = parsed_text(text)
    except HtmlError as error:
        return turn._("Telegram would not accept this formatting ({reason}). Use &lt;b&gt;, &lt;i&gt;, &lt;u&gt;, "
                      "&lt;a href=\"…\"&gt; or &lt;code&gt;, and write &amp;lt; for a plain &lt;.").format(reason=escape(str(error)))
    if len(visible) > limit - ROOM_FOR_THE_WAY_OUT:
        return turn._("The announcement is too long: {length} characters, at most {limit}.").format(
            length=turn._.number(len(visible)), limit=turn._.number(limit - ROOM_FOR_THE_WAY_OUT))
    return None


COMMANDS = (Command("siaran", "broadcast", N_("Send an announcement to subscribers"), start, menu=False),)


TAPS = (Tap(BroadcastChoice, on_button),)
