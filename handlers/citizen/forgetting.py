"""/lupakan: a person asks the bot to forget their contact (a phone number is personal data). What that means for
their open reports is said plainly before they confirm (bot.services.forgetting)."""

from __future__ import annotations

from bot.channels.markup import Choice, Choices
from bot.domain.choices import ForgetChoice
from bot.i18n import N_
from bot.services import forgetting
from handlers.commands import Command, Tap
from handlers.turn import Turn


async def ask(turn: Turn) -> None:
    _ = turn._
    open_ids = await forgetting.open_reports_from(turn.session, turn.user.id, turn.chat_id)
    text = _("🗑️ <b>Forget your contact?</b>\n\nThe bot will forget this chat (your WhatsApp number or your Telegram "
             "account) and the name it keeps, and announcements to you end.")
    if open_ids:
        ids = ", ".join(f"<code>{tracking_id}</code>" for tracking_id in open_ids)
        text += "\n\n" + _.plural(
            "Your open report {ids} stays with the agency and will still be handled, but you will hear nothing more "
            "about it here. Keep its tracking ID: anyone can check its status with /status.",
            "Your open reports {ids} stay with the agencies and will still be handled, but you will hear nothing "
            "more about them here. Keep their tracking IDs: anyone can check their status with /status.",
            len(open_ids)).format(ids=ids)
    turn.say(text, Choices([[Choice.of(_("🗑️ Yes, forget me"), ForgetChoice("yes")),
                             Choice.of(_("✖️ No, keep it"), ForgetChoice("no"))]]))


async def answer(turn: Turn) -> None:
    _ = turn._
    if turn.choice.answer != "yes":
        turn.settle_button(_("👍 Nothing changed."))
        return
    await forgetting.forget(turn.session, turn.user, turn.chat_id)
    turn.settle_button(_("🗑️ Yes, forget me"))
    turn.say(_("✅ Done. This is the last message the bot sends to this chat; your number and name are "
                         "removed within the hour. Write /start whenever you want to begin again."))


COMMANDS = (Command("lupakan", "forget", N_("Forget my contact"), ask),)
TAPS = (Tap(ForgetChoice, answer),)
