"""The ``lapor-bot`` command."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace

from pathlib import Path

from bot import cli_api, cli_export, cli_forwarding, cli_report, cli_staff, routing_data
from bot.cli_report import report_set_status  # noqa: F401 (tests call it)
from bot.config import ConfigError, Settings, configure_logging, sandbox_settings
from bot.db import create_engine, migrate
from bot.event_loop import run_loop
from bot.inbox.cleaning import storable_text

log = logging.getLogger("lapor-bot")


# Commands that run for long and say what they do; the others print their answer, without alembic's INFO lines.
LOGGING_COMMANDS = ("run", "sandbox", "db")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    # The command line is an edge too: bytes that are not UTF-8 arrive as lone surrogates, which no database takes.
    arguments = parser.parse_args([storable_text(argument) for argument in (sys.argv[1:] if argv is None else argv)])
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"lapor-bot: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if arguments.name not in LOGGING_COMMANDS and not settings.debug:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    command: Callable[[Settings, argparse.Namespace], Awaitable[int]] = arguments.command
    try:
        return run_loop(command(settings, arguments))
    except KeyboardInterrupt:
        return 0
    except PortInUse as error:
        print(f"lapor-bot: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lapor-bot", description="Telegram intake bot for SP4N-LAPOR!")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.set_defaults(command=run, name="run")
    commands = parser.add_subparsers(title="commands", dest="name")

    run_parser = commands.add_parser("run", help="run the bot (the sandbox when TELEGRAM_BOT_TOKEN is not set)")
    run_parser.add_argument("--role", choices=["all", "web", "worker"], default="all",
                            help="web: receive and handle updates; worker: send and run jobs; all (default): both, "
                                 "and migrate the schema first (web and worker need `lapor-bot db upgrade` run before)")
    run_parser.set_defaults(command=run)
    sandbox_parser = commands.add_parser("sandbox", help="local Telegram emulator, web chat and the bot")
    sandbox_parser.add_argument("--port", type=int, help="web chat port (default: PORT or 8080)")
    sandbox_parser.set_defaults(command=sandbox)

    database = commands.add_parser("db", help="database schema").add_subparsers(title="db commands", required=True)
    database.add_parser("upgrade", help="apply pending migrations").set_defaults(command=db_upgrade)

    regions = commands.add_parser("regions", help="administrative boundaries").add_subparsers(title="regions commands", required=True)
    boundaries = regions.add_parser("import-boundaries", help="import boundary polygons (GeoJSON with Kemendagri codes)")
    boundaries.add_argument("file", type=Path, help="a GeoJSON FeatureCollection whose features carry a `code` property")
    boundaries.add_argument("--level", choices=["province", "regency", "district"], required=True)
    boundaries.set_defaults(command=regions_import_boundaries)
    gazetteer = regions.add_parser("build-gazetteer", help="district reference points for GPS lookups without polygons")
    gazetteer.add_argument("--output", type=Path, help="default: ROUTING_DIR/district-points.csv.gz")
    gazetteer.set_defaults(command=regions_build_gazetteer)

    roads = commands.add_parser("roads", help="the road registry").add_subparsers(title="roads commands", required=True)
    roads_import = roads.add_parser("import", help="import a road registry (CSV or GeoJSON, see README)")
    roads_import.add_argument("file", type=Path, help="a CSV or GeoJSON file of roads (columns: see README)")
    roads_import.set_defaults(command=roads_import_file)

    agencies = commands.add_parser("agencies", help="the agency directory").add_subparsers(title="agencies commands", required=True)
    agencies_import = agencies.add_parser("import", help="import agencies or routing rules (CSV, see README)")
    agencies_import.add_argument("file", type=Path, help="a CSV of agencies or of routing rules (columns: see README)")
    agencies_import.set_defaults(command=agencies_import_file)

    cli_report.add_parser(commands)
    cli_staff.add_parser(commands)
    cli_export.add_parser(commands)
    cli_api.add_parser(commands)
    cli_forwarding.add_parser(commands)
    return parser


async def run(settings: Settings, arguments: argparse.Namespace) -> int:
    if settings.sandbox:
        print("TELEGRAM_BOT_TOKEN is not set: starting the local sandbox instead of Telegram.")
        return await sandbox(settings, arguments)
    from bot.app import ProcessRole, serve
    from bot.db import SchemaBehind

    role = ProcessRole(getattr(arguments, "role", "all"))
    if role is not ProcessRole.WORKER or not settings.webhook_url:  # a worker with a webhook URL listens nowhere
        ensure_port_free(settings.port, "PORT", shared=bool(settings.webhook_url))
    try:
        await serve(settings, _stop_on_signal(), role=role)
    except SchemaBehind as error:
        print(f"lapor-bot: {error}", file=sys.stderr)
        return 2
    return 0


async def sandbox(settings: Settings, arguments: argparse.Namespace) -> int:
    import os

    from bot.app import serve
    from bot.sandbox import personas
    from bot.sandbox.emulator import BotApiEmulator
    from bot.sandbox.persistence import state_dir_for

    port = getattr(arguments, "port", None) or settings.port
    # Another port, another sandbox, whose database a command in another terminal must be told.
    commands_url, settings = settings.database_url, sandbox_settings(settings, os.environ, port)
    command = "lapor-bot" if settings.database_url == commands_url else f"DATABASE_URL={settings.database_url} lapor-bot"
    state_dir = state_dir_for(os.environ, settings.database_url, port)  # chats and files survive a restart
    emulator = BotApiEmulator(host="127.0.0.1", port=port, state_dir=state_dir)
    try:
        await emulator.start()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(port, "--port or PORT") from None
        raise
    personas.seat(emulator)
    # The bot's web side (the Open311 API, and the WhatsApp webhook) on a port of its own, PORT+1 where it is
    # free: the page has PORT.
    bot_settings, web_port, whatsapp = settings.without_token(), _free_port(port + 1), None
    if os.environ.get("SANDBOX_WHATSAPP", "1").strip().lower() not in ("0", "false", "no", "off"):
        # The citizen on WhatsApp: a WhatsApp Cloud API emulator (its chats in a subfolder of the state folder)
        # whose webhooks go to the bot's WhatsApp webhook.
        from bot.sandbox import webchat_whatsapp
        from bot.sandbox.whatsapp import WhatsAppEmulator

        whatsapp = WhatsAppEmulator(state_dir=state_dir / "whatsapp")
        whatsapp.webhook_url = f"http://127.0.0.1:{web_port}{settings.whatsapp.webhook_path}"
        try:
            await whatsapp.start()
        except BaseException:
            await emulator.stop()
            raise
        webchat_whatsapp.seat(whatsapp)
        emulator.whatsapp = whatsapp
        bot_settings = replace(bot_settings, whatsapp=whatsapp.bot_settings())
    print(f"\n  lapor-bot sandbox: open {emulator.base_url}/ in your browser and chat as a citizen; switch to a")
    print("  sample admin or agency liaison at the top of the page to work the reports.")
    if whatsapp is not None:
        print("  \"Warga di WhatsApp\" there plays a citizen on WhatsApp (its ⏩ +1 hari control closes the 24-hour window).")
    print(f"  The sandbox keeps its chats in {state_dir.resolve()} and its reports in {settings.database_url}")
    print(f"  Change a report's status from another terminal: {command} report set-status ID verified")
    print(f"  Other systems: the Open311 API at http://127.0.0.1:{web_port}/open311/v2/services.json (a key:")
    print(f"  {command} api-key create NAME --scope write)\n")
    try:
        await serve(bot_settings, _stop_on_signal(), api_base_url=emulator.base_url,
                    prepare=_prepare_sandbox, web_port=web_port)
    finally:
        emulator.whatsapp = None
        if whatsapp is not None:
            await whatsapp.stop()
        await emulator.stop()
    return 0


def _free_port(preferred: int) -> int:
    """``preferred`` when no one listens on it (the same from one start to the next, for a script calling the
    sandbox's API), else any free port: the bot's web side in the sandbox."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _prepare_sandbox(engine, router) -> None:
    """The sample staff and subscribers, then the sample reports they file (so the admins' figures show)."""
    from bot.sandbox import personas, sample_reports

    await personas.grant_roles(engine, router.directory)
    await sample_reports.seed(engine, router)


async def db_upgrade(settings: Settings, arguments: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0


async def regions_import_boundaries(settings: Settings, arguments: argparse.Namespace) -> int:
    return _report_import(lambda hierarchy: routing_data.import_boundaries(arguments.file, arguments.level, hierarchy, settings.routing_dir))


async def regions_build_gazetteer(settings: Settings, arguments: argparse.Namespace) -> int:
    from routing.engine import gps_boundaries

    target = arguments.output or settings.routing_dir / "district-points.csv.gz"
    return _report_import(lambda hierarchy: routing_data.build_gazetteer(gps_boundaries(settings.routing_dir), target))


async def roads_import_file(settings: Settings, arguments: argparse.Namespace) -> int:
    return _report_import(lambda hierarchy: routing_data.import_roads(arguments.file, hierarchy, settings.routing_dir))


async def agencies_import_file(settings: Settings, arguments: argparse.Namespace) -> int:
    return _report_import(lambda hierarchy: routing_data.import_directory(arguments.file, hierarchy, settings.routing_dir))


def _report_import(run) -> int:
    """Run an import against the hierarchy and print what was kept and what was rejected, and why."""
    from routing.regions import Hierarchy

    try:
        report = run(Hierarchy.from_lokal())
    except (OSError, ValueError) as error:
        print(f"cannot import: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 1 if report.problems else 0


class PortInUse(Exception):
    def __init__(self, port: int, variable: str) -> None:
        super().__init__(f"port {port} is already in use (is another lapor-bot running?); set {variable} to a free port")


def ensure_port_free(port: int, variable: str, *, shared: bool = False) -> None:
    """Raise PortInUse, naming the setting to change, when another process listens on ``port``. ``shared``: a
    webhook, whose web processes may share their port (SO_REUSEPORT), so only a listener that does not share
    it is in the way."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does: a closing socket is no obstacle
        if shared:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(port, variable) from None
            raise


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lapor-bot")
    except PackageNotFoundError:  # run from a checkout that was not installed
        return "(not installed)"


def _stop_on_signal() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


if __name__ == "__main__":
    sys.exit(main())
