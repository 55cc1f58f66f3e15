"""``/siaran``: an admin composes an announcement (text in Telegram's HTML, or a photo or document with a
caption), narrows the audience (language, topic, reporters of a category), sees it as subscribers will and
the exact number of recipients, and confirms. The national admin reaches everyone; a hub admin its area.
While it goes out, the confirmation turns into a live progress message with pause, resume and stop."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import Application, CallbackQueryHandler

from bot.db.models import Broadcast
from bot.domain.announcements import TOPICS
from bot.domain.roles import Grant, Role
from bot.domain.vocabulary import CATEGORIES, CATEGORY_BY_CODE
from bot.i18n import LANGUAGE_NAMES, N_
from bot.notices.announcements import renderer
from bot.services import broadcasts, staff
from bot.services.broadcasts import Audience
from bot.services.conversations import (BROADCAST as FLOW, end_conversation, load_conversation, other_flow_open,
                                        start_conversation)
from bot.textlimits import CAPTION_LIMIT, MESSAGE_LIMIT, HtmlError, parsed_text
from handlers import keyboards
from handlers.admin import broadcast_area as area
from handlers.citizen.announcements import area_name
from handlers.commands import Command, add_commands
from handlers.turn import Turn, end_flow, turn_handler
from routing.agencies import NATIONAL_ADMIN

ROOM_FOR_THE_WAY_OUT = 250  # characters kept free for the sender's and the /berhenti lines every copy ends with
LANGUAGES = (None, "id", "en")


@dataclass
class Compose:
    """The announcement being written (the conversation's draft)."""

    scope: str | None  # the admin's area; None: everyone
    area: str | None = None  # narrowed to a province or regency inside the scope; None: the whole scope
    text: str = ""
    media_kind: str | None = None
    media_file_id: str | None = None
    language: str | None = None
    topic: str | None = None
    category: str | None = None

    @property
    def reach(self) -> str | None:
        return self.area or self.scope

    def audience(self) -> Audience:
        return Audience(self.reach, self.language, self.topic, self.category)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Compose":
        return cls(**data)


async def scopes_of(turn: Turn, grants: list[Grant]) -> list[str | None]:
    """The areas an admin may reach: everyone for the national admin, its hub's area for a hub admin."""
    if any(grant.role is Role.NATIONAL_ADMIN for grant in grants):
        return [None]
    agencies = turn.services.router.directory.agencies
    return [agencies[grant.agency_code].area_code for grant in grants
            if grant.role is Role.HUB_ADMIN and grant.agency_code in agencies and agencies[grant.agency_code].area_code]


async def start(turn: Turn) -> None:
    scopes = await scopes_of(turn, await staff.roles_of(turn.session, turn.user.id))
    if not scopes:
        turn.say(turn._("Only the national admin and complaint hub admins send announcements."))
        return
    if await other_flow_open(turn.session, turn.chat_id, FLOW):
        turn.say(turn._("Please finish or cancel (/batal) your report first."))
        return
    if len(scopes) == 1:
        await _begin(turn, scopes[0])
        return
    buttons = [keyboards.button(area_name(turn, code), keyboards.BROADCAST, "scope", code or "all") for code in scopes]
    turn.say(turn._("Which area is the announcement for?"), InlineKeyboardMarkup(keyboards.rows(buttons, 1)))


async def take(turn: Turn) -> bool:
    """The announcement itself, while one is being composed; False when none is."""
    conversation = await load_conversation(turn.session, turn.chat_id, FLOW)
    if conversation is None or conversation.step not in ("message", "area"):
        return False
    compose, problem = Compose.from_json(conversation.draft), None
    if conversation.step == "area":
        await _take_area(turn, conversation, compose)
        return True
    message = turn.message
    if message.photo or message.document:
        compose.media_kind = "photo" if message.photo else "document"
        compose.media_file_id = message.photo[-1].file_id if message.photo else message.document.file_id
        compose.text = message.caption_html if message.caption_entities else (message.caption or "")
        problem = _problem(turn, compose.text, CAPTION_LIMIT)
    elif message.text:
        compose.text = message.text_html if message.entities else message.text
        problem = _problem(turn, compose.text, MESSAGE_LIMIT)
    else:
        problem = turn._("Please send the announcement as text, or as a photo or document with a caption.")
    if problem:
        turn.say(problem)
        return True
    conversation.draft, conversation.step = asdict(compose), "audience"
    await _show_audience(turn, compose, edit=False)
    return True


async def on_button(turn: Turn) -> None:
    _prefix, verb, *rest = turn.update.callback_query.data.split(":")
    if verb in ("pause", "resume", "stop") and rest and rest[0].isdigit():
        await _steer(turn, verb, int(rest[0]))
        return
    if verb == "scope" and rest:
        scopes = await scopes_of(turn, await staff.roles_of(turn.session, turn.user.id))
        scope = None if rest[0] == "all" else rest[0]
        if scope in scopes:
            turn.settle_button(area_name(turn, scope))
            await _begin(turn, scope)
            return
    conversation = await load_conversation(turn.session, turn.chat_id, FLOW)
    if conversation is None or not _fits(conversation.step, verb, bool(rest)):
        turn.notify_callback(turn._("That button is no longer active."))
        return
    compose = Compose.from_json(conversation.draft)
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
        conversation.draft = asdict(compose)
        await _show_audience(turn, compose, edit=True)


def _fits(step: str, verb: str, with_value: bool) -> bool:
    """The audience message's buttons work while it is current; an area's buttons while one is being chosen."""
    return step in ("audience", "area") and (step == "area") == (verb == "area" and with_value)


def _cycle(compose: Compose, verb: str) -> None:
    """Each tap moves a filter on to its next value, "all" included."""
    options = {"lang": LANGUAGES, "topic": (None, *TOPICS), "cat": (None, *(c.code for c in CATEGORIES))}[verb]
    field = {"lang": "language", "topic": "topic", "cat": "category"}[verb]
    current = options.index(getattr(compose, field)) if getattr(compose, field) in options else 0
    setattr(compose, field, options[(current + 1) % len(options)])


async def _begin(turn: Turn, scope: str | None) -> None:
    conversation = await start_conversation(turn.session, turn.chat_id, turn.user.id, FLOW)
    conversation.step, conversation.draft = "message", asdict(Compose(scope))
    turn.say(turn._(
        "📣 New announcement for {area}. Send it now: text (bold, italic and links as Telegram formats them, or "
        "HTML tags such as &lt;b&gt;), or a photo or document with a caption. /batal stops."
    ).format(area=area_name(turn, scope)))


async def _take_area(turn: Turn, conversation, compose: Compose) -> None:
    """The area the admin typed: taken when one fits, offered as buttons when several do."""
    codes = area.candidates(turn, turn.message.text or "", compose.scope)
    if len(codes) == 1:
        await _choose_area(turn, conversation, compose, codes[0])
    elif codes:
        area.offer(turn, codes)
    else:
        area.not_found(turn, compose.scope)


async def _choose_area(turn: Turn, conversation, compose: Compose, code: str | None) -> None:
    """No code: ask for one. ``area.ALL``: the whole scope again. Otherwise the area, if it is inside the scope."""
    if code is None:
        conversation.step = "area"
        area.ask(turn, compose.scope)
        return
    chosen = None if code == area.ALL else code
    if not area.inside(chosen or compose.scope, compose.scope):
        turn.notify_callback(turn._("That button is no longer active."))
        return
    if turn.update.callback_query:
        turn.settle_button(f"📍 {area_name(turn, chosen or compose.scope)}")
    compose.area, conversation.step = chosen, "audience"
    conversation.draft = asdict(compose)
    await _show_audience(turn, compose, edit=False)


async def _show_audience(turn: Turn, compose: Compose, edit: bool) -> None:
    _ = turn._
    everyone = _("all")
    count = await broadcasts.count(turn.session, compose.audience(), turn.services.settings.default_locale)
    text = _("<b>Who gets it</b> ({area}): {count} subscribers.\nTap a filter to change it.").format(
        area=area_name(turn, compose.reach), count=_.number(count))
    buttons = [
        [keyboards.button(_("📍 Area: {value}").format(value=area_name(turn, compose.reach)), keyboards.BROADCAST, "area")],
        [keyboards.button(_("🌐 Language: {value}").format(value=LANGUAGE_NAMES.get(compose.language or "", everyone)),
                          keyboards.BROADCAST, "lang")],
        [keyboards.button(_("🏷 Topic: {value}").format(value=_(TOPICS[compose.topic]) if compose.topic else everyone),
                          keyboards.BROADCAST, "topic")],
        [keyboards.button(_("📂 Reported in: {value}").format(
            value=_(CATEGORY_BY_CODE[compose.category].label) if compose.category else everyone), keyboards.BROADCAST, "cat")],
        [keyboards.button(_("👁 Preview"), keyboards.BROADCAST, "preview"), keyboards.button(_("✖️ Discard"), keyboards.BROADCAST, "cancel")],
    ]
    (turn.edit_tapped if edit else turn.say)(text, InlineKeyboardMarkup(buttons))


async def _preview(turn: Turn, compose: Compose) -> None:
    """The copy exactly as a subscriber in the admin's language gets it, then the confirmation."""
    _ = turn._
    draft = Broadcast(id=0, text=compose.text, media_kind=compose.media_kind, media_file_id=compose.media_file_id,
                      sender=await sender_office(turn, compose.scope))
    turn.send(renderer(lambda _locale: turn._)(draft)(turn.user.locale or ""))
    count = await broadcasts.count(turn.session, compose.audience(), turn.services.settings.default_locale)
    turn.say(_("This is what subscribers will get. Send it to {count} subscribers?").format(count=_.number(count)),
             InlineKeyboardMarkup([[keyboards.button(_("✅ Send to {count}").format(count=_.number(count)), keyboards.BROADCAST, "send")],
                                   [keyboards.button(_("⬅️ Back to the filters"), keyboards.BROADCAST, "filters"),
                                    keyboards.button(_("✖️ Discard"), keyboards.BROADCAST, "cancel")]]))


async def sender_office(turn: Turn, scope: str | None) -> str | None:
    """The office an announcement comes from (the national admin's, or the hub's whose area is ``scope``): never
    the person who wrote it."""
    agencies = turn.services.router.directory.agencies
    if scope is None:
        national = agencies.get(NATIONAL_ADMIN)
        return national.name if national else None
    hubs = (agencies.get(grant.agency_code) for grant in await staff.roles_of(turn.session, turn.user.id)
            if grant.role is Role.HUB_ADMIN)
    return next((hub.name for hub in hubs if hub is not None and hub.area_code == scope), None)


async def _send(turn: Turn, compose: Compose) -> None:
    if compose.scope not in await scopes_of(turn, await staff.roles_of(turn.session, turn.user.id)) \
            or not area.inside(compose.reach, compose.scope):
        turn.notify_callback(turn._("That button is no longer active."))  # the admin lost the role meanwhile
        return
    media = (compose.media_kind, compose.media_file_id) if compose.media_kind and compose.media_file_id else None
    broadcast = await broadcasts.start(turn.session, turn.user.id, compose.audience(), compose.text,
                                       turn.services.settings.default_locale, media)
    broadcast.sender = await sender_office(turn, compose.scope)
    broadcast.progress_chat_id, broadcast.progress_message_id = turn.chat_id, turn.update.callback_query.message.message_id
    await end_conversation(turn.session, turn.chat_id)
    turn.settle_button(turn._("📣 Announcement #{number}: sending to {count} subscribers…").format(
        number=broadcast.id, count=turn._.number(broadcast.recipients)))


async def _steer(turn: Turn, verb: str, broadcast_id: int) -> None:
    """Pause, resume or stop: the admin who sent it, or the national admin."""
    broadcast = await turn.session.get(Broadcast, broadcast_id)
    grants = await staff.roles_of(turn.session, turn.user.id)
    allowed = broadcast is not None and (broadcast.created_by == turn.user.id or any(g.role is Role.NATIONAL_ADMIN for g in grants))
    steer = {"pause": broadcasts.pause, "resume": broadcasts.resume, "stop": broadcasts.cancel}[verb]
    done = allowed and await steer(turn.session, broadcast)
    if not done:
        turn.notify_callback(turn._("That button is no longer active."))
        return
    broadcast.progress_shown_at = None  # the progress message shows the change at the job's next round
    turn.notify_callback(turn._(ACKNOWLEDGED[verb]))


async def stop(turn: Turn) -> bool:
    """``/batal`` while an announcement is being composed; False when none is."""
    return await end_flow(turn, FLOW, turn._("Announcement discarded."))


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


def register(application: Application) -> None:
    add_commands(application, COMMANDS)
    application.add_handler(CallbackQueryHandler(turn_handler(on_button), pattern=f"^{keyboards.BROADCAST}:"))
