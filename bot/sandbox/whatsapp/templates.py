"""Message templates: the emulator's list of approved ones, and the checks the Cloud API makes on a template send.

A template is known by name and language code; its body has ``{{1}}`` ... ``{{n}}`` placeholders, and a send
must give exactly n body parameters (132000), each without newlines, tabs or more than four spaces in a row
(132018); an unknown name or language is 132001; the body with its parameters in it may not exceed 1,024
characters (132005). Quick-reply buttons come back as a ``button`` message when a person taps one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.whatsapp.errors import MetaError, invalid

HYDRATED_BODY = 1024
_BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")


@dataclass(frozen=True)
class Template:
    name: str
    language: str  # Meta's code: "id", "en", "en_US" ...
    body: str  # with {{1}} ... {{n}}
    category: str = "UTILITY"  # UTILITY, MARKETING, AUTHENTICATION
    quick_replies: tuple[str, ...] = field(default=())  # button texts

    @property
    def parameters(self) -> int:
        return len(set(re.findall(r"\{\{(\d+)\}\}", self.body)))

    def render(self, values: list[str]) -> str:
        return re.sub(r"\{\{(\d+)\}\}", lambda match: values[int(match.group(1)) - 1], self.body)


# As the bot submits them (bot/channels/whatsapp/templates.py), so that the hydrated length is checked as Meta would.
_NOTICE = {"id": "Ada kabar baru tentang laporan Anda di LAPOR!:\n\n{{1}}\n\n"
                 "Balas pesan ini untuk melihat rinciannya atau melanjutkan.",
           "en": "There is news about your LAPOR! report:\n\n{{1}}\n\n"
                 "Reply to this message to see the details or to continue."}
_ANNOUNCEMENT = {"id": "Pengumuman layanan publik dari LAPOR!:\n\n{{1}}\n\nAnda menerima pesan ini karena "
                       "berlangganan pengumuman LAPOR!. Balas /berhenti untuk berhenti berlangganan.",
                 "en": "A public service announcement from LAPOR!:\n\n{{1}}\n\nYou receive this because you "
                       "subscribed to LAPOR! announcements. Reply /berhenti to unsubscribe."}
DEFAULT_TEMPLATES: tuple[Template, ...] = (
    *(Template("lapor_kabar_laporan", language, body) for language, body in _NOTICE.items()),
    *(Template("lapor_pengumuman", language, body, "MARKETING") for language, body in _ANNOUNCEMENT.items()),
    Template("hello_world", "en_US", "Hello World", "UTILITY"),
)


def check_template(spec: Any, approved: dict[tuple[str, str], Template]) -> tuple[Template, list[str]]:
    """The approved template a send names and its body parameters' texts, or the Cloud API's error."""
    if not isinstance(spec, dict):
        raise invalid("Param template must be a JSON object", 131008)
    name, language = spec.get("name"), spec.get("language")
    if not isinstance(name, str) or not name:
        raise invalid("Param template['name'] is required", 131008)
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str) or not code:
        raise invalid("Param template['language']['code'] is required", 131008)
    template = approved.get((name, code))
    if template is None:
        raise MetaError(132001, f"template name ({name}) does not exist in {code}")
    values: list[str] = []
    components = spec.get("components") or []
    if not isinstance(components, list):
        raise invalid("Param template['components'] must be an array")
    for component in components:
        if not isinstance(component, dict) or component.get("type") not in ("header", "body", "button"):
            raise invalid("Param template['components'][]['type'] must be one of {HEADER, BODY, BUTTON}")
        if component["type"] != "body":
            continue
        for parameter in component.get("parameters") or []:
            if not isinstance(parameter, dict) or parameter.get("type") != "text" or not isinstance(parameter.get("text"), str):
                raise MetaError(132012, "Parameter format does not match format in the created template")
            if _BAD_PARAMETER.search(parameter["text"]):
                raise MetaError(132018, "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
            values.append(parameter["text"])
    if len(values) != template.parameters:
        raise MetaError(132000, f"body: number of localizable_params ({len(values)}) does not match the expected "
                        f"number of params ({template.parameters})")
    if any(not value.strip() for value in values):
        raise MetaError(131008, "Param template['components'][0]['parameters'][]['text'] is required")
    if len(template.render(values)) > HYDRATED_BODY:
        raise MetaError(132005)
    return template, values
