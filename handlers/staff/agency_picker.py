"""The agency picker of a staff action (verify and forward, send on): the staff member types a name and taps
one of the closest agencies: those serving the report's area, and another area's only when its area is typed too
(routing/agency_search.py); each button names its agency's area, shortened where it is common."""

from __future__ import annotations

from bot.channels.markup import Choices
from bot.db.models import Conversation
from bot.domain.actions import Action
from bot.domain.conversation_state import PendingAction
from bot.services.agency_picking import report_area
from bot.services.conversations import save_state
from handlers import keyboards
from bot.domain.choices import AgencyPick
from handlers.staff.roles import staff_roles
from handlers.turn import Turn
from routing import agency_search

FOUND_AGENCIES = 6
AGENCY_LABEL_CHARS = 60


async def offer_agencies(turn: Turn, conversation: Conversation, pending: PendingAction, typed: str) -> None:
    """Search for what was typed and offer the agencies found; ``pending`` keeps them, for the tapped index."""
    grants = await staff_roles(turn)
    if grants is None:
        return
    router = turn.services.router
    area = await report_area(turn.session, grants, router.directory, pending.tracking_id)
    pending.found = agency_search.search(router.directory, router.hierarchy, typed, area,
                                         hubs_too=pending.action is Action.FORWARD, limit=FOUND_AGENCIES)
    save_state(conversation, pending)
    if not pending.found:  # nothing typed, or a report without an area and no area typed
        turn.say(turn._("Please type the agency's name with its area, for example "
                        "<i>dinas kesehatan kota padang</i>."))
        return
    turn.say(turn._("Which one? (Or type another name.)"), agency_buttons(turn, pending.found))


def agency_buttons(turn: Turn, codes: list[str]) -> Choices | None:
    router = turn.services.router
    agencies = [router.directory.agencies[code] for code in codes]
    labels = agency_search.labels(agencies, router.hierarchy, AGENCY_LABEL_CHARS)
    buttons = [keyboards.button(label, AgencyPick(index)) for index, label in enumerate(labels)]
    return Choices(keyboards.rows(buttons, 1)) if buttons else None
