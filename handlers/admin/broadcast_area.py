"""Narrowing an announcement to one province or regency inside the admin's own area: the admin types a name,
and picks with a button when it fits several. The area is checked against the admin's reach again at sending."""

from __future__ import annotations

from bot.channels.markup import Choices
from bot.domain.roles import area_inside
from handlers import keyboards
from bot.domain.choices import BroadcastChoice
from handlers.citizen.announcements import area_name
from handlers.turn import Turn
from routing.regions import PROVINCE, REGENCY

MAX_CHOICES = 8
ALL = "all"


def inside(code: str | None, scope: str | None) -> bool:
    """Whether ``code`` (None: all of Indonesia) lies in the admin's ``scope`` (None: everywhere)."""
    return scope is None or area_inside(code, scope)


def ask(turn: Turn, scope: str | None) -> None:
    """The question, with a button back to the admin's whole area."""
    whole = keyboards.button(turn._("📍 All of {area}").format(area=area_name(turn, scope)), BroadcastChoice("area", ALL))
    turn.say(turn._("Type a province or a regency/city within {area}, for example <i>Kota Padang</i>.").format(
        area=area_name(turn, scope)), Choices([[whole]]))


def candidates(turn: Turn, text: str, scope: str | None) -> list[str]:
    """The provinces and regencies the typed name may mean, inside ``scope``."""
    match = turn.services.router.places.match(text)
    regions = [match.region] if match.region and not match.ambiguous else match.alternatives
    codes = [region.ancestor_code(min(region.level, REGENCY)) for region in regions
             if region is not None and region.level >= PROVINCE]
    return [code for code in dict.fromkeys(codes) if inside(code, scope)]


def offer(turn: Turn, codes: list[str]) -> None:
    """Several areas fit: one button each."""
    buttons = [keyboards.button(area_name(turn, code), BroadcastChoice("area", code)) for code in codes[:MAX_CHOICES]]
    turn.say(turn._("Which one do you mean?"), Choices(keyboards.rows(buttons, 1)))


def not_found(turn: Turn, scope: str | None) -> None:
    turn.say(turn._("I do not know that province or regency within {area}. Type its name, for example "
                    "<i>Kota Padang</i>, or /batal to stop.").format(area=area_name(turn, scope)))
