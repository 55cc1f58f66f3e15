"""Exports and charts are made by a job, not by delivery: a turn orders them, the file job builds them and queues a
plain message naming the stored files, which delivery only uploads. Export and chart messages still waiting in an
outbox written before (drawn at sending then) become orders when the schema is migrated (0019)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import func, insert, select

from bot.db import alembic_config, create_engine, migrate
from bot.db.models import FileOrder, GeneratedFile, OutboxMessage, User
from bot.delivery.messages import Files, from_payload
from bot.jobs import files as file_job
from bot.services import generated
from bot.services.charts import Chart, Series
from tests.conftest import eventually

CHART = Chart("Laporan per bulan", ("Jan", "Feb"), (Series("Diterima", (3.0, 5.0), ("3", "5")),), horizontal=False)
EXPORT = {"type": "export", "area_code": "13.71", "agency_code": None, "first": "2026-01-01", "last": "2026-12-31",
          "format": "csv", "time_zone": "Asia/Jakarta", "file_name": "lapor-2026.csv", "caption": "Laporan 2026",
          "too_large": "Terlalu besar", "language": "id"}
CHARTS = {"type": "charts", "charts": [{"title": "Laporan per bulan", "labels": ["Jan", "Feb"], "horizontal": False,
                                        "series": [{"name": "Diterima", "values": [3, 5], "value_labels": ["3", "5"]}]}]}


async def test_ordered_charts_are_drawn_by_the_job_and_sent_as_stored_photos(bot):
    admin = bot.citizen("Ani")
    async with bot.services.transactions.begin() as session:
        await generated.order(session, admin.user_id, generated.ChartsRecipe((CHART, CHART)))
    await eventually(lambda: len([message for message in admin.messages if message.get("photo")]) == 2)
    async with bot.sessions() as session:
        sent = (await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == admin.user_id))).one()
        assert from_payload(sent.payload) == Files("photo", tuple(sent.payload["file_ids"]))
        stored = list(await session.scalars(select(GeneratedFile).order_by(GeneratedFile.position)))
        assert [file.caption for file in stored] == ["Laporan per bulan"] * 2 and stored[0].content[:4] == b"\x89PNG"
        assert (await session.scalars(select(FileOrder.state))).one() == generated.BUILT


async def test_an_order_that_cannot_be_built_is_given_up_after_a_few_tries(bot):
    async with bot.services.transactions.begin() as session:
        order = await generated.order(session, 42, generated.recipe_from_json({**EXPORT, "format": "pdf"}))
    for _attempt in range(generated.MAX_ATTEMPTS):  # the bot's own job may try meanwhile: it gives up all the same
        await file_job.run_once(bot.services.transactions, holder=bot.process_name)  # under the job's lease
    async with bot.sessions() as session:
        failed = await session.get(FileOrder, order.id)
        assert (failed.state, failed.attempts) == (generated.FAILED, generated.MAX_ATTEMPTS) and "pdf" in failed.last_error
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0, "nothing half made is sent"


async def test_export_and_chart_messages_waiting_at_the_upgrade_become_orders(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0017"))
            created = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
            await connection.execute(insert(User.__table__), [dict(id=7, first_name="Ani", reachable=True, lookups=0,
                                                                     created_at=created)])
            rows = [(EXPORT, "pending"), (CHARTS, "held"), ({"type": "text", "text": "Halo", "markup": None}, "pending"),
                    (EXPORT, "sent")]
            await connection.execute(insert(OutboxMessage.__table__), [
                dict(chat_id=7, user_id=7, kind="message", payload=payload, priority=0, state=state, attempts=0,
                     next_attempt_at=created, created_at=created + timedelta(minutes=index))
                for index, (payload, state) in enumerate(rows)])
        await migrate(engine)
        async with engine.connect() as connection:
            orders = (await connection.execute(select(FileOrder.chat_id, FileOrder.user_id, FileOrder.recipe,
                                                      FileOrder.state).order_by(FileOrder.id))).all()
            left = (await connection.execute(select(OutboxMessage.payload, OutboxMessage.state)
                                             .order_by(OutboxMessage.id))).all()
    finally:
        await engine.dispose()
    assert [(chat, user, recipe["type"], state) for chat, user, recipe, state in orders] == [
        (7, 7, "export", "pending"), (7, 7, "charts", "pending")]
    assert generated.recipe_from_json(orders[0].recipe) == generated.recipe_from_json(EXPORT)
    assert generated.recipe_from_json(orders[1].recipe) == generated.ChartsRecipe((CHART,))
    assert [(payload["type"], state) for payload, state in left] == [("text", "pending"), ("export", "sent")]
