"""Where an agency's or hub's reports are forwarded: the operator's FORWARDING_FILE (TOML), one ``[[target]]`` per
system. Secrets are never in the file: it names the environment variables that hold them.

    [[target]]
    name = "padang"                      # letters, digits, - and _: in logs, URLs and the admins' list
    kind = "open311"                     # or "webhook"
    agencies = ["PUPR-13.71"]            # agency or hub codes whose reports go there
    keep_in_bot = true                   # false: instead of the bot (its staff are not told in the chat)
    url = "https://e-lapor.padang.go.id/open311/v2/"
    api_key_env = "PADANG_OPEN311_KEY"   # open311: the key they gave us
    jurisdiction_id = "padang.go.id"     # open311, optional
    pull_minutes = 10                    # open311: how often their statuses are read
    service_codes = { jalan = "ROAD" }   # open311: our category -> their service code
    default_service_code = "OTHER"       # open311: for a category not in service_codes
    secret_env = "PADANG_HOOK_SECRET"    # webhook: the HMAC secret both sides hold
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

OPEN311, WEBHOOK = "open311", "webhook"
KINDS = (OPEN311, WEBHOOK)
NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class ForwardingConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    agencies: frozenset[str]
    url: str
    keep_in_bot: bool = True
    secret: str = ""  # the API key (open311) or the HMAC secret (webhook)
    jurisdiction_id: str | None = None
    pull_minutes: float = 10.0
    service_codes: Mapping[str, str] = field(default_factory=dict)
    default_service_code: str | None = None

    def service_code_for(self, category: str) -> str | None:
        return self.service_codes.get(category, self.default_service_code)


@dataclass(frozen=True)
class Targets:
    targets: tuple[Target, ...] = ()

    def for_agency(self, *codes: str | None) -> list[Target]:
        """The targets of any of ``codes`` (a report's agency and its hub)."""
        return [target for target in self.targets if target.agencies & {code for code in codes if code}]

    def instead_of_bot(self, code: str) -> bool:
        """Whether ``code``'s reports go to a system instead of its staff in the chat."""
        return any(not target.keep_in_bot for target in self.for_agency(code))

    def named(self, name: str) -> Target | None:
        return next((target for target in self.targets if target.name == name), None)


def load(path: Path | None, env: Mapping[str, str] | None = None) -> Targets:
    """The targets of the file at ``path`` (none when unset); ForwardingConfigError names what is wrong."""
    if path is None:
        return Targets()
    env = os.environ if env is None else env
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ForwardingConfigError(f"FORWARDING_FILE={path}: {error}") from None
    targets = tuple(_target(item, env, number) for number, item in enumerate(data.get("target", []), start=1))
    names = [target.name for target in targets]
    if len(set(names)) != len(names):
        raise ForwardingConfigError(f"FORWARDING_FILE={path}: two targets share a name")
    return Targets(targets)


def _target(item: dict, env: Mapping[str, str], number: int) -> Target:
    where = f"target {number} ({item.get('name', '?')})"
    kind, name, url = item.get("kind"), str(item.get("name", "")), str(item.get("url", ""))
    if kind not in KINDS:
        raise ForwardingConfigError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if not NAME.match(name):
        raise ForwardingConfigError(f"{where}: name must be 1-32 letters, digits, - or _")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ForwardingConfigError(f"{where}: url must be an http(s) address")
    agencies = item.get("agencies") or []
    if not agencies or not all(isinstance(code, str) for code in agencies):
        raise ForwardingConfigError(f"{where}: agencies must list agency or hub codes")
    secret_variable = item.get("api_key_env" if kind == OPEN311 else "secret_env")
    secret = env.get(secret_variable or "", "")
    if not secret:
        raise ForwardingConfigError(f"{where}: the environment variable {secret_variable or '(not named)'} is empty")
    codes = item.get("service_codes") or {}
    if kind == OPEN311 and not codes and not item.get("default_service_code"):
        raise ForwardingConfigError(f"{where}: an open311 target needs service_codes or default_service_code")
    return Target(name, kind, frozenset(agencies), url.rstrip("/") + "/", bool(item.get("keep_in_bot", True)), secret,
                  item.get("jurisdiction_id"), float(item.get("pull_minutes", 10)),
                  {str(ours): str(theirs) for ours, theirs in codes.items()}, item.get("default_service_code"))
