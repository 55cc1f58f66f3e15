"""``/statistik [period]``: the figures for the admin's reach, as a short summary and a set of charts.

The period is the last 12 months unless typed: a year ("2026"), a month ("2026-11") or two dates
("2026-01-01..2026-03-31"). The charts are ordered as figures; the file job draws them and queues the images.
"""

from __future__ import annotations

from html import escape

from bot.db.models import utcnow
from bot.domain.vocabulary import CATEGORY_BY_CODE, REPORT_TYPE_LABELS, STATUS_LABELS, Status
from bot.i18n import N_, Translator
from bot.services import generated, statistics
from bot.services.charts import Chart, Series
from bot.services.statistics import Statistics
from handlers.admin.reach import admin_reach, reach_name, typed_period
from handlers.commands import Command
from handlers.turn import Turn

TOP = 10  # bars in a chart of categories, areas or agencies
THEME_AREAS = 5  # areas whose top themes the summary names


async def show(turn: Turn) -> None:
    reach = await admin_reach(turn)
    if reach is None:
        turn.say(turn._("Statistics are for admins: the national admin, complaint hub admins and agency liaisons."))
        return
    period = typed_period(turn, " ".join(turn.args))
    if period is None:
        turn.say(turn._("I did not understand that period. Type for example /statistik 2026, /statistik 2026-11 or "
                        "/statistik 2026-01-01..2026-03-31."))
        return
    figures = await statistics.compute(turn.services.sessions, reach, period, turn._.zone, utcnow())
    name = reach_name(turn, reach)
    if not figures.received and not figures.overdue:
        turn.say(turn._("📊 No reports were received in {area} from {first} to {last}.").format(
            area=name, first=turn._.day(period.first), last=turn._.day(period.last)))
        return
    def area_name(code: str) -> str:
        return _area(turn, code)

    turn.say(summary(turn._, name, figures, area_name))
    charts = draw_list(turn._, figures, area_name)
    if charts:
        await generated.order(turn.session, turn.chat_id, generated.ChartsRecipe(tuple(charts)), turn.user.id)


def _area(turn: Turn, code: str) -> str:
    region = turn.services.router.hierarchy.get(code) if code else None
    return region.name if region else turn._("(no area)")


def summary(_: Translator, name: str, figures: Statistics, area_name) -> str:
    """The summary in the reader's language: the counts, the follow-up rate, timing, satisfaction, themes."""
    types = " · ".join(f"{_(REPORT_TYPE_LABELS[kind])}: {_.number(count)}"
                       for kind, count in sorted(figures.by_type.items(), key=lambda item: -item[1]) if kind in REPORT_TYPE_LABELS)
    lines = [
        _("📊 <b>Statistics: {area}</b>").format(area=name),
        _("Reports received from {first} to {last}").format(first=_.day(figures.period.first), last=_.day(figures.period.last)),
        "",
        _("Received: <b>{count}</b> ({types})").format(count=_.number(figures.received), types=types) if figures.received
        else _("Received: <b>0</b>"),
    ]
    if figures.follow_up_rate is not None:
        lines.append(_("Follow-up rate: <b>{rate}</b> ({answered} answered)").format(
            rate=_.percent(figures.follow_up_rate), answered=_.number(figures.answered)))
    if figures.in_time_share is not None:
        lines.append(_("Answered within {days} working days of assignment: <b>{share}</b>").format(
            days=statistics.ANSWER_WORKING_DAYS, share=_.percent(figures.in_time_share)))
    for label, median in ((N_("Median working days to verify: {days}"), figures.median_days_to_verify),
                          (N_("Median working days to answer: {days}"), figures.median_days_to_answer)):
        if median is not None:
            lines.append(_(label).format(days=_.number(median)))
    if figures.mean_rating is not None:
        lines.append(_("Satisfaction: <b>{mean}</b> of 5 ({count} ratings)").format(
            mean=_.number(round(figures.mean_rating, 1)), count=_.number(figures.rated)))
    lines.append(_("Overdue now: <b>{count}</b>").format(count=_.number(figures.overdue)))
    if figures.supports:
        lines.append(_("Supported by others who had the same problem: <b>{reports}</b> reports, {supports} "
                       "supports").format(reports=_.number(figures.supported), supports=_.number(figures.supports)))
    themes = [f"• {escape(area_name(area))}: " + ", ".join(f"{_(CATEGORY_BY_CODE[code].label)} ({_.number(count)})"
                                                         for code, count in top if code in CATEGORY_BY_CODE)
              for area, top in list(figures.themes.items())[:THEME_AREAS]]
    if themes:
        lines += ["", _("<b>Top themes</b>"), *themes]
    if figures.confidential_left_out:
        lines += ["", _("{count} confidential reports are counted in the totals and timing only, never by category or "
                        "place.").format(count=_.number(figures.confidential_left_out))]
    return "\n".join(lines)


def draw_list(_: Translator, figures: Statistics, area_name) -> list[Chart]:
    """The charts worth drawing: status, months, categories, areas, agencies (each only when it has data)."""
    statuses = [(status, figures.by_status[status.value]) for status in Status if figures.by_status.get(status.value)]
    categories = sorted(figures.by_category.items(), key=lambda item: -item[1])[:TOP]
    areas = sorted(figures.by_area.items(), key=lambda item: -item[1])[:TOP]
    agencies = figures.agencies[:TOP]
    charts = [
        _bars(_, _("Reports by status"), [_(STATUS_LABELS[status]) for status, _count in statuses],
              [(_("Reports"), [count for _status, count in statuses])]),
        _bars(_, _("Reports per month"), [_.month(month.month) for month in figures.months],
              [(_("Received"), [month.received for month in figures.months]),
               (_("Answered"), [month.answered for month in figures.months])], horizontal=False),
        _bars(_, _("Top categories"), [_(CATEGORY_BY_CODE[code].label) if code in CATEGORY_BY_CODE else code for code, _c in categories],
              [(_("Reports"), [count for _code, count in categories])]),
        _bars(_, _("Reports by area"), [area_name(code) for code, _count in areas], [(_("Reports"), [count for _code, count in areas])]),
        _bars(_, _("Agencies: received, answered, overdue now"), [agency.name for agency in agencies],
              [(_("Received"), [agency.received for agency in agencies]), (_("Answered"), [agency.answered for agency in agencies]),
               (_("Overdue now"), [agency.overdue for agency in agencies])]),
    ]
    return [chart for chart in charts if chart.labels]


def _bars(_: Translator, title: str, labels: list[str], series: list[tuple[str, list[int]]], horizontal: bool = True) -> Chart:
    return Chart(title, tuple(_short(label) for label in labels),
                 tuple(Series(name, tuple(values), tuple(_.number(value) for value in values)) for name, values in series),
                 horizontal)


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


COMMANDS = (Command("statistik", "statistics", N_("Statistics with charts"), show, menu=False),)
