"""Announcements: a citizen opts in (an area, from their reports, typed, or all of Indonesia, and topics),
changes what they get, and opts out at once with ``/berhenti`` or a button."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot.channels.markup import Choices
from bot.db.models import Subscription, utcnow
from bot.domain.announcements import TOPICS, EndReason
from bot.domain.conversation_state import AreaQuestion
from bot.domain.flows import Flow
from bot.i18n import N_, Translator
from bot.services import subscriptions
from bot.services.conversations import end_conversation, load_conversation, other_flow_open, start_conversation
from handlers import keyboards
from bot.domain.choices import SubscriptionChoice
from handlers.commands import Command, Tap
from handlers.turn import Turn, end_flow
from routing.regions import REGENCY

AREA_WAIT = timedelta(minutes=30)
ALL_INDONESIA = "all"
MAX_AREA_CHOICES = 8


def area_name(turn: Turn, regency_code: str | None) -> str:
    region = turn.services.router.hierarchy.get(regency_code)
    return escape(region.name) if region else turn._("all of Indonesia")


async def show(turn: Turn) -> None:
    """``/langganan``: the subscription and its buttons, or the choice of an area to subscribe."""
    subscription = await subscriptions.active(turn.session, turn.user.id)
    if subscription is None:
        await _offer_areas(turn, turn._(
            "📣 <b>Announcements</b>: public services tell you about schedules, disruptions and emergencies in "
            "your area. You can stop them at any time with /berhenti.\n\nWhich area?"))
    else:
        _show_settings(turn, subscription)


async def stop(turn: Turn) -> None:
    """``/berhenti``: no more announcements, at once."""
    if await subscriptions.end(turn.session, turn.user.id, EndReason.OPTED_OUT):
        turn.say(turn._("🔕 You will get no more announcements. /langganan subscribes you again."))
    else:
        turn.say(turn._("You are not subscribed to announcements. /langganan subscribes you."))


async def on_button(turn: Turn) -> None:
    choice: SubscriptionChoice = turn.choice
    verb, rest = choice.verb, [choice.value] if choice.value else []
    subscription = await subscriptions.active(turn.session, turn.user.id)
    if verb == "area" and rest:
        await _subscribe(turn, None if rest[0] == ALL_INDONESIA else rest[0], edit=True)
    elif verb == "type":
        await _ask_typed_area(turn)
    elif verb == "change":
        await _offer_areas(turn, turn._("Which area?"))
    elif verb == "stop":
        await stop(turn)
        turn.settle_button(turn._("🔕 Unsubscribed."))
    elif verb == "topic" and rest and rest[0] in TOPICS and subscription is not None:
        subscriptions.toggle_topic(subscription, rest[0])
        turn.edit_tapped(*_settings(turn, subscription))
    else:
        turn.notify_callback(turn._("That button is no longer active."))


async def take(turn: Turn) -> bool:
    """A message while a typed area is awaited; False lets it go where it would otherwise."""
    conversation = await load_conversation(turn.session, turn.chat_id, Flow.SUBSCRIPTION_AREA)
    if conversation is None:
        return False
    if utcnow() - conversation.updated_at > AREA_WAIT or not turn.incoming.typed:
        await end_conversation(turn.session, turn.chat_id)  # forgotten, or something else: it goes its own way
        return False
    match = turn.services.router.places.match(turn.incoming.typed)
    regencies = [region for region in ([match.region] if match.region and not match.ambiguous else match.alternatives)
                 if region is not None and region.level >= REGENCY]
    codes = list(dict.fromkeys(region.ancestor_code(REGENCY) for region in regencies))
    if len(codes) == 1:
        await end_conversation(turn.session, turn.chat_id)
        await _subscribe(turn, codes[0], edit=False)
    elif codes:
        buttons = [keyboards.button(area_name(turn, code), SubscriptionChoice("area", code)) for code in codes[:MAX_AREA_CHOICES]]
        turn.say(turn._("Which one do you mean?"), Choices(keyboards.rows(buttons, 1)))
    else:
        turn.say(turn._("I do not know that regency or city. Please type its name, for example <i>Kota Padang</i> "
                        "or <i>Kabupaten Bogor</i>, or /batal to stop."))
    return True


async def stop_typing(turn: Turn) -> bool:
    """``/batal`` while a typed area is awaited; False when none is."""
    return await end_flow(turn, Flow.SUBSCRIPTION_AREA, turn._("Stopped. /langganan shows your announcements."))


async def _offer_areas(turn: Turn, text: str) -> None:
    _ = turn._
    codes = await subscriptions.areas_reported_in(turn.session, turn.user.id)
    buttons = [keyboards.button(area_name(turn, code), SubscriptionChoice("area", code)) for code in codes]
    buttons += [keyboards.button(_("🇮🇩 All of Indonesia"), SubscriptionChoice("area", ALL_INDONESIA)),
                keyboards.button(_("⌨️ Type a regency or city"), SubscriptionChoice("type"))]
    turn.say(text, Choices(keyboards.rows(buttons, 1)))


async def _ask_typed_area(turn: Turn) -> None:
    if await other_flow_open(turn.session, turn.chat_id, Flow.SUBSCRIPTION_AREA):  # never replace a draft
        turn.say(turn._("Please finish or cancel (/batal) your report first."))
        return
    await start_conversation(turn.session, turn.chat_id, turn.user.id, AreaQuestion())
    turn.say(turn._("Type the name of your regency or city, for example <i>Kota Padang</i>."))


async def _subscribe(turn: Turn, regency_code: str | None, edit: bool) -> None:
    subscription = await subscriptions.subscribe(turn.session, turn.user.id, regency_code)
    if edit:
        turn.settle_button(turn._("📍 {area}").format(area=area_name(turn, regency_code)))
    _show_settings(turn, subscription)


def _show_settings(turn: Turn, subscription: Subscription) -> None:
    turn.say(*_settings(turn, subscription))


def _settings(turn: Turn, subscription: Subscription) -> tuple[str, Choices]:
    _ = turn._
    text = _("🔔 <b>You get announcements</b> for {area}.\nTap a topic to turn it on or off; /berhenti stops them all.").format(
        area=f"<b>{area_name(turn, subscription.regency_code)}</b>")
    return text, _settings_buttons(_, subscription)


def _settings_buttons(_: Translator, subscription: Subscription) -> Choices:
    topics = [keyboards.button(("✅ " if code in subscription.topics else "⬜ ") + _(label), SubscriptionChoice("topic", code))
              for code, label in TOPICS.items()]
    last = [keyboards.button(_("📍 Change area"), SubscriptionChoice("change")),
            keyboards.button(_("🔕 Unsubscribe"), SubscriptionChoice("stop"))]
    return Choices(keyboards.rows(topics, 1) + [last])


COMMANDS = (
    Command("langganan", "subscribe", N_("Announcements for your area"), show),
    Command("berhenti", "unsubscribe", N_("Stop announcements"), stop),
)


TAPS = (Tap(SubscriptionChoice, on_button),)
