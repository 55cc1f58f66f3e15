"""The buttons under a resolved report's notification: the reporter rates the final answer, or says it is not
fixed (within the reopen window), which sends the report back to the same agency with its hub told."""

from __future__ import annotations

from bot.channels.markup import Choices
from bot.services import closing
from handlers import keyboards
from bot.domain.choices import NotFixed, Rating
from handlers.citizen import follow_up
from handlers.commands import Tap
from handlers.turn import Turn

def _refusal(turn: Turn, outcome: closing.Closing) -> str:
    _ = turn._
    return {
        closing.Closing.NOT_FOUND: _("That button is no longer active."),
        closing.Closing.NOT_RESOLVED: _("This report is no longer marked resolved."),
        closing.Closing.TOO_LATE: _("The time to reopen this report has passed; please file a new report."),
    }[outcome]


async def on_rating(turn: Turn) -> None:
    choice: Rating = turn.choice
    tracking_id, stars = choice.tracking_id, choice.stars
    outcome = await closing.rate(turn.session, turn.user.id, tracking_id, stars)
    if outcome is not closing.Closing.DONE:
        turn.notify_callback(_refusal(turn, outcome))
        return
    turn.notify_callback(turn._("Thank you for your rating!"))
    text = turn._("⭐ Thank you: you rated the answer to report <code>{tracking_id}</code> {stars} of 5.").format(
        tracking_id=tracking_id, stars=max(1, min(5, stars)))
    if await follow_up.invite_comment(turn, tracking_id):
        text += "\n" + turn._("If you like, type a comment on the answer now (or /batal).")
    turn.say(text)


async def on_not_fixed(turn: Turn) -> None:
    """``nfx:<id>`` asks first; ``nfx:<id>:yes`` reopens, ``nfx:<id>:no`` leaves it closed."""
    choice: NotFixed = turn.choice
    tracking_id, answer = choice.tracking_id, choice.answer
    if answer == "no":
        turn.settle_button(turn._("Report <code>{tracking_id}</code> stays closed.").format(tracking_id=tracking_id))
        return
    if answer != "yes":
        await _confirm_reopen(turn, tracking_id)
        return
    outcome, _event = await closing.not_fixed(turn.session, turn.user.id, tracking_id, turn.services.notices)
    if outcome is not closing.Closing.DONE:
        turn.notify_callback(_refusal(turn, outcome))
        return
    turn.settle_button(turn._("🔁 Reopened."))
    turn.say(turn._("We are sorry it is not fixed. Report <code>{tracking_id}</code> is reopened and goes back to "
                    "the agency; you will hear here when it moves on.").format(tracking_id=tracking_id))


async def _confirm_reopen(turn: Turn, tracking_id: str) -> None:
    outcome = await closing.may_reopen(turn.session, turn.user.id, tracking_id)
    if outcome is not closing.Closing.DONE:
        turn.notify_callback(_refusal(turn, outcome))
        return
    _ = turn._
    turn.say(_("Reopen report <code>{tracking_id}</code>? It goes back to the agency as not fixed, and its staff and "
               "hub are told.").format(tracking_id=tracking_id),
             Choices([[keyboards.button(_("🔁 Yes, reopen it"), NotFixed(tracking_id, "yes")),
                                    keyboards.button(_("No, keep it closed"), NotFixed(tracking_id, "no"))]]))


TAPS = (Tap(Rating, on_rating), Tap(NotFixed, on_not_fixed))
