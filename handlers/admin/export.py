"""``/ekspor [xlsx|csv] [period]``: the reports of the admin's reach as a spreadsheet, sent as a document.

The file is ordered here and written by the file job (``bot.services.generated``), which then queues it as a
document, so a large export does not hold this turn; the admin is told at once how many reports it will hold.
"""

from __future__ import annotations


from bot.i18n import N_
from bot.services import exports, generated
from bot.services.export_files import Format
from bot.services.exports import ExportRequest
from handlers.admin.reach import admin_reach, reach_name, typed_period
from handlers.commands import Command
from handlers.turn import Turn

# A chat export is written by the file job: 100,000 reports are about 30 MB of CSV (Telegram takes 50 MB) and 15 s
# of XLSX. Larger ones are for the command line.
CHAT_EXPORT_LIMIT = 100_000


async def export(turn: Turn) -> None:
    reach = await admin_reach(turn)
    if reach is None:
        turn.say(turn._("Exports are for admins: the national admin, complaint hub admins and agency liaisons."))
        return
    words = [word.lower() for word in turn.args]
    kind = next((Format(word) for word in words if word in tuple(Format)), Format.XLSX)
    typed = " ".join(word for word in words if word not in tuple(Format))
    period = typed_period(turn, typed)
    if period is None:
        turn.say(turn._("I did not understand that period. Type for example /ekspor 2026, /ekspor csv 2026-11 or "
                        "/ekspor 2026-01-01..2026-03-31."))
        return
    count = await exports.count(turn.session, ExportRequest(reach, period, turn._.zone))
    dates = {"area": reach_name(turn, reach), "first": turn._.day(period.first), "last": turn._.day(period.last)}
    if not count:
        turn.say(turn._("📊 No reports were received in {area} from {first} to {last}.").format(**dates))
        return
    if count > CHAT_EXPORT_LIMIT:
        turn.say(turn._("That is {count} reports: more than a chat export holds ({limit}). Choose a shorter period, or "
                        "ask the operator for <code>lapor-bot export</code>.").format(
            count=turn._.number(count), limit=turn._.number(CHAT_EXPORT_LIMIT)))
        return
    turn.say(turn._("📥 Preparing the export of {count} reports ({area}, {first} to {last}). Anonymous reporters' "
                    "names are not in it, nor the text of confidential reports.").format(count=turn._.number(count), **dates))
    await generated.order(turn.session, turn.chat_id, generated.ExportRecipe(
        reach, period.first.isoformat(), period.last.isoformat(), kind.value,
        str(turn._.zone), f"lapor-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{kind.value}",
        turn._("Reports received from {first} to {last}").format(**dates),
        turn._("The export is larger than Telegram lets a bot send (50 MB). Choose a shorter period, or ask the "
               "operator for <code>lapor-bot export</code>."),
        turn._.locale,
    ), turn.user.id)


COMMANDS = (Command("ekspor", "export", N_("Export reports as a spreadsheet"), export, menu=False),)
