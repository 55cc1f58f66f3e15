"""The product ships the product: no test code in the package, and nothing in it that only tests use.

The scripted citizen and the fault plan live in tests/kit/; the sandbox (bot/sandbox/) is what
`lapor-bot` starts without a token, so every module in it must serve that command.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages, find_packages

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "routing")
NOT_PRODUCT = ("tests", "bench")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_modules() -> dict[str, Path]:
    return {module_name(path): path for top in PRODUCT for path in (ROOT / top).rglob("*.py")}


def imported_names(path: Path, name: str) -> set[str]:
    """Every module a file imports, at the top or inside a function, with relative imports resolved; for
    ``from package import a`` both ``package`` and ``package.a`` (which may be a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_the_product_imports_nothing_from_the_tests_or_the_benchmarks():
    offenders = [
        f"{path.relative_to(ROOT)} imports {imported}"
        for name, path in product_modules().items()
        for imported in imported_names(path, name)
        if imported.split(".")[0] in NOT_PRODUCT
    ]
    assert offenders == []


def test_importing_every_product_module_loads_no_test_module():
    """In a fresh interpreter, so that what this test run imported does not count."""
    script = (
        "import importlib, pkgutil, sys\n"
        f"for top in {PRODUCT!r}:\n"
        "    package = importlib.import_module(top)\n"
        "    for found in pkgutil.walk_packages(package.__path__, top + '.'):\n"
        "        importlib.import_module(found.name)\n"
        f"print(sorted(name for name in sys.modules if name.split('.')[0] in {NOT_PRODUCT!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_every_sandbox_module_serves_the_command_that_starts_the_sandbox():
    """Followed from the console script (`lapor-bot`, which starts the sandbox without a token) through
    every import: a module nothing reaches is one only tests or benchmarks use, and belongs with them."""
    modules = product_modules()
    entry_points = {target.split(":")[0] for target in PYPROJECT["project"]["scripts"].values()}
    reached, waiting = set(), list(entry_points)
    while waiting:
        name = waiting.pop()
        if name in reached or name not in modules:
            continue
        reached.add(name)
        waiting.extend(imported_names(modules[name], name))
    sandbox = {name for name in modules if name.startswith("bot.sandbox.")}
    assert "bot.sandbox.emulator" in reached and "bot.sandbox.webchat" in reached, "the walk finds the sandbox"
    assert sorted(sandbox - reached) == [], "only tests or benchmarks use these: move them to tests/kit/"


def test_the_package_ships_no_tests_and_does_ship_the_sandbox():
    """The packages setuptools finds with pyproject.toml's settings, as `pip install .` would."""
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    finder = find_namespace_packages if found.get("namespaces", True) else find_packages
    packages = finder(str(ROOT), include=found.get("include", ("*",)), exclude=found.get("exclude", ()))
    assert [package for package in packages if package.split(".")[0] in NOT_PRODUCT] == []
    assert {"bot", "bot.sandbox", "bot.sandbox.static", "handlers", "routing"} <= set(packages)
