"""The questions of the intake conversation: the text and buttons of each step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.channels.markup import Choices
from bot.delivery.messages import Media
from bot.domain import (
    CATEGORY_GROUP_LABELS,
    DESCRIPTION_MIN_CHARS,
    MALADMINISTRATION,
    MAX_ATTACHMENTS,
    REPORT_TYPE_LABELS,
    categories_in,
    category_groups_for,
)
from bot.domain.answers import DIFFERENT, NONE_OF_THESE
from bot.domain.draft import Draft
from bot.domain.steps import Step
from bot.i18n import N_, Translator
from bot.notices.text import shown, status_label
from bot.services.support import EXCERPT
from handlers import keyboards, render
from bot.domain.choices import IntakeChoice
from handlers.keyboards import CANCEL, button, rows, step_keyboard
from handlers.replies import say_in_parts
from handlers.turn import Turn

SUBMIT, EDIT = "submit", "edit-"
UNKNOWN_ROAD = "unknown"
FILES_DONE = "done"
MORE_GROUP_PREFIX = "@"

Prompt = tuple[str, Any]


def prompt(turn: Turn, step: Step, draft: Draft, preface: str | None = None) -> None:
    if step is Step.SIMILAR:  # each suggestion's first photo, numbered as the question lists them
        for number, suggestion in enumerate(draft.suggestions or [], start=1):
            if suggestion.photo:
                turn.send(Media("photo", suggestion.photo, caption=f"{number}."))
    say_in_parts(turn, *prompt_content(turn._, step, draft, preface))


def prompt_content(_: Translator, step: Step, draft: Draft, preface: str | None = None) -> Prompt:
    """The question of a step, after an optional preface (a hint, a confirmation)."""
    text, markup = PROMPTS[step](_, draft)
    return join(preface, text), markup


def join(preface: str | None, text: str) -> str:
    return f"{preface}\n\n{text}" if preface else text


def type_prompt(_: Translator, draft: Draft) -> Prompt:
    choices = [(_(label), report_type.value) for report_type, label in REPORT_TYPE_LABELS.items()]
    return _("<b>What kind of report is it?</b>"), step_keyboard(_, Step.TYPE, choices, back=False)


def category_prompt(_: Translator, draft: Draft, group: str | None = None) -> Prompt:
    """The categories of the report's type; maladministration, for complaints, behind one more button."""
    groups = category_groups_for(draft.report_type)
    if group == MALADMINISTRATION:
        choices = [(_(category.label), category.code) for category in categories_in(MALADMINISTRATION)]
        choices.append((_("⬅️ Other categories"), MORE_GROUP_PREFIX))
        text = _("<b>What did the official do wrong?</b>")
    else:
        choices = [
            (_(category.label), category.code)
            for group_code in groups
            if group_code != MALADMINISTRATION
            for category in categories_in(group_code)
        ]
        if MALADMINISTRATION in groups:
            choices.append((f"⚖️ {_(CATEGORY_GROUP_LABELS[MALADMINISTRATION])}…", MORE_GROUP_PREFIX + MALADMINISTRATION))
        text = _("<b>Which category fits best?</b>")
    return text, step_keyboard(_, Step.CATEGORY, choices, width=2)


def description_prompt(_: Translator, draft: Draft) -> Prompt:
    text = _(
        "<b>What happened?</b> Describe it in your own words: what, where exactly, and since when. "
        "At least {minimum} characters."
    ).format(minimum=DESCRIPTION_MIN_CHARS)
    return text, Choices([keyboards.navigation_row(_, Step.DESCRIPTION)])


def location_prompt(_: Translator, draft: Draft) -> Prompt:
    text = _(
        "<b>Where is it?</b> Tap <i>📍 Send my location</i> if you are there, share a pin "
        "(📎 → Location), or type the address: street, village, district, city."
    )
    return text, keyboards.location_keyboard(_)


def place_prompt(_: Translator, draft: Draft) -> Prompt:
    offered = draft.routing.alternatives if draft.routing else []
    choices = [(option.label, option.code) for option in offered]
    choices.append((_("None of these"), NONE_OF_THESE))
    if draft.place is not None and draft.place.point is not None:  # a pin, not a name: where is it, exactly?
        question = _("<b>Your pin is near the border of these districts.</b> Which one is the place in?")
    else:
        question = _("<b>Which place do you mean?</b>")
    return question, step_keyboard(_, Step.PLACE, choices)


def road_prompt(_: Translator, draft: Draft) -> Prompt:
    text = _(
        "<b>Which road is it?</b> Type its name, for example: Jl. Sudirman. Whether it is a national, "
        "provincial or regency road decides which office must fix it."
    )
    return text, step_keyboard(_, Step.ROAD, [(_("I do not know"), UNKNOWN_ROAD)])


def similar_prompt(_: Translator, draft: Draft) -> Prompt:
    """Reports like it nearby, to support instead of filing the same again (what they say, never who filed)."""
    now = datetime.now(UTC)
    lines = [_("<b>Others have reported something like this nearby.</b> Is yours one of these? Support it instead "
               "of filing it again: you get every change of its status in this chat, and the agency sees how many "
               "people it matters to.")]
    for number, suggestion in enumerate(draft.suggestions or [], start=1):
        facts = [_.ago(datetime.fromisoformat(suggestion.filed_at), now), status_label(_, suggestion.status),
                 _.plural("👍 {count} supporter", "👍 {count} supporters", suggestion.supporters).format(
                     count=_.number(suggestion.supporters))]
        if suggestion.photos:
            facts.append(_.plural("📷 {count} photo", "📷 {count} photos", suggestion.photos).format(
                count=_.number(suggestion.photos)))
        lines.append(f"\n<b>{number}.</b> <i>{shown(suggestion.excerpt, EXCERPT)}</i>\n" + " · ".join(facts))
    choices = [(_("👍 Support no. {number}").format(number=number), suggestion.tracking_id)
               for number, suggestion in enumerate(draft.suggestions or [], start=1)]
    choices.append((_("📝 Mine is different"), DIFFERENT))
    return "\n".join(lines), step_keyboard(_, Step.SIMILAR, choices)


def attachments_prompt(_: Translator, draft: Draft) -> Prompt:
    count = len(draft.attachments)
    text = _(
        "<b>Photos or files</b> (optional): send up to {maximum} photos, videos or documents; an album is fine. "
        "Then tap <i>Continue</i>."
    ).format(maximum=MAX_ATTACHMENTS)
    if count:
        text += "\n" + _("Received so far: {count} of {maximum}.").format(count=count, maximum=MAX_ATTACHMENTS)
    label = _("Continue ➡️") if count else _("Skip, no photos ➡️")
    return text, step_keyboard(_, Step.ATTACHMENTS, [(label, FILES_DONE)])


def anonymous_prompt(_: Translator, draft: Draft) -> Prompt:
    text = _(
        "<b>Report anonymously?</b> If yes, the agency and the public will not learn who you are. "
        "You still get every update in this chat."
    )
    return text, step_keyboard(_, Step.ANONYMOUS, [(_("Yes, anonymous"), "1"), (_("No"), "0")], width=2)


def confidential_prompt(_: Translator, draft: Draft) -> Prompt:
    text = _(
        "<b>Keep the content confidential?</b> If yes, what you wrote is never made public; "
        "only the agencies handling it can read it."
    )
    return text, step_keyboard(_, Step.CONFIDENTIAL, [(_("Yes, confidential"), "1"), (_("No"), "0")], width=2)


EDITABLE = (
    (Step.TYPE, N_("✏️ Type")),
    (Step.CATEGORY, N_("✏️ Category")),
    (Step.DESCRIPTION, N_("✏️ Description")),
    (Step.LOCATION, N_("✏️ Place")),
    (Step.ATTACHMENTS, N_("✏️ Photos")),
    (Step.ANONYMOUS, N_("✏️ Anonymous")),
    (Step.CONFIDENTIAL, N_("✏️ Confidential")),
)


def summary_prompt(_: Translator, draft: Draft) -> Prompt:
    edit_buttons = [button(_(label), IntakeChoice(Step.SUMMARY, EDIT + step)) for step, label in EDITABLE]
    markup = Choices(
        [
            *rows(edit_buttons, 2),
            [button(_("✅ Send report"), IntakeChoice(Step.SUMMARY, SUBMIT))],
            [button(_("✖️ Cancel"), IntakeChoice(Step.SUMMARY, CANCEL))],
        ]
    )
    return render.draft_summary(_, draft), markup


PROMPTS: dict[Step, Callable[[Translator, Draft], Prompt]] = {
    Step.TYPE: type_prompt,
    Step.CATEGORY: category_prompt,
    Step.DESCRIPTION: description_prompt,
    Step.LOCATION: location_prompt,
    Step.PLACE: place_prompt,
    Step.ROAD: road_prompt,
    Step.SIMILAR: similar_prompt,
    Step.ATTACHMENTS: attachments_prompt,
    Step.ANONYMOUS: anonymous_prompt,
    Step.CONFIDENTIAL: confidential_prompt,
    Step.SUMMARY: summary_prompt,
}
