"""The layers below the conversations know nothing of them: delivery, the jobs, the services and the texts they
send import nothing from ``handlers/`` (each checked in a fresh interpreter, where nothing else loaded it first),
and delivery reports a chat that blocked the bot through a callback instead of calling up into the services."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW_HANDLERS = ("bot.delivery", "bot.jobs", "bot.services", "bot.notices")


@pytest.mark.parametrize("package", BELOW_HANDLERS)
def test_a_layer_below_the_handlers_loads_no_handler(package):
    code = (
        "import importlib, pkgutil, sys\n"
        f"package = importlib.import_module({package!r})\n"
        "for module in pkgutil.iter_modules(package.__path__):\n"
        "    importlib.import_module(f'{package.__name__}.{module.name}')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'handlers'))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert output.strip() == "[]"


def test_delivery_neither_calls_up_into_the_services_nor_draws_or_writes_files():
    """Delivery sends what is stored: no module of it imports a service (a 403 goes to a callback), and it loads
    neither matplotlib nor the export writer (the file job draws and writes, bot.jobs.files)."""
    for path in (ROOT / "bot" / "delivery").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not [name for name in imported if (name or "").startswith("bot.services")], path.name
    code = (
        "import importlib, pkgutil, sys, bot.delivery\n"
        "for module in pkgutil.iter_modules(bot.delivery.__path__):\n"
        "    importlib.import_module(f'bot.delivery.{module.name}')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'openpyxl')\n"
        "             or m in ('bot.services.export_files', 'bot.services.charts', 'bot.services.generated')))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert output.strip() == "[]"


def test_the_app_hands_delivery_and_the_jobs_no_handler_renderers():
    """bot/app.py registers the handlers (``import handlers``) and nothing else of theirs: what delivery and the
    jobs send is rendered by bot.notices, below the services, not by functions handed down from the handlers."""
    tree = ast.parse((ROOT / "bot" / "app.py").read_text())
    from_handlers = [node.module for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "handlers"]
    assert from_handlers == []
