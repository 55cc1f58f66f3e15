"""The durable inbox: an update is stored before Telegram is told it arrived, and handled from there once,
in order per chat, also after a crash."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select

from bot.db.models import InboxUpdate
from bot.inbox import store
from bot.inbox.receivers import Webhook
from tests.conftest import RunningBot, eventually
from tests.test_webhook import SECRET
from tests.harness import free_port


async def test_an_update_stored_before_a_crash_is_handled_on_restart(bot, citizen):
    await citizen.send("/start")
    await bot.stop()
    # What a crash right after storing leaves behind: the update is in the inbox, confirmed, not handled.
    update = await bot.emulator.user_sends_text(citizen.user_id, "/bantuan")
    bot.emulator.state.confirmed_offset = update["update_id"] + 1
    engine_url = bot.settings.database_url
    from bot.db import Transactions, create_engine

    engine = create_engine(engine_url)
    async with Transactions(engine).begin() as session:
        await store.store(session, store.received([update]))
    await engine.dispose()
    await bot.start()
    await eventually(lambda: "/lapor" in citizen.last_text and "/status" in citizen.last_text)
    async with bot.sessions() as session:
        row = await session.get(InboxUpdate, update["update_id"])
        assert row.state == "done" and row.payload == {}, "handled, and its content not kept"


async def test_one_chats_updates_are_handled_in_order(bot, citizen):
    commands = ["/start", "/bantuan", "/laporanku", "/bahasa"]
    updates = [await bot.emulator.user_sends_text(citizen.user_id, command) for command in commands]
    await bot.emulator.wait_until(lambda: all(bot.emulator.processed(update) for update in updates))
    texts = [message["text"] for message in citizen.messages]
    expected = ["SP4N-LAPOR!", "/laporanku", "belum pernah", "Pilih bahasa"]
    assert len(texts) == 4 and all(word in text for word, text in zip(expected, texts)), texts


async def test_a_redelivered_update_is_handled_once(bot, citizen):
    await citizen.send("/start")
    first = citizen.last_updates[0]
    assert await citizen.redeliver(first) == []
    async with bot.sessions() as session:
        rows = (await session.execute(select(InboxUpdate).where(InboxUpdate.update_id == first["update_id"]))).all()
        assert len(rows) == 1


async def test_the_webhook_stores_before_it_answers_and_refuses_what_is_not_an_update(emulator, migrated_url, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    running = RunningBot(emulator, migrated_url, tmp_path)
    await running.start(Webhook(url, SECRET, listen="127.0.0.1", port=port))
    header = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        await eventually(lambda: emulator.state.webhook_url == url)
        async with aiohttp.ClientSession() as http:
            for body, status in ((b"not json", 400), (b"[1, 2]", 400), (b'{"update_id": "x"}', 400),
                                 (b"{" + b" " * (2 * 1024 * 1024) + b"}", 413)):
                async with http.post(url, data=body, headers={**header, "Content-Type": "application/json"}) as response:
                    assert response.status == status, body[:20]
            async with http.get(url, headers=header) as response:
                assert response.status == 405
        citizen = running.citizen()
        replies = await citizen.send("/start")
        assert "SP4N-LAPOR!" in replies[0]["text"]
        async with running.sessions() as session:
            assert (await session.get(InboxUpdate, citizen.last_updates[0]["update_id"])).state == "done"
    finally:
        await running.stop()


async def test_a_receiver_stores_only_what_no_turn_stored_and_confirms_after_both(engine):
    """A turn stores its own update as handled; the receiver stores the rest as pending, for the scan."""
    from bot.db import Transactions
    from bot.inbox.dispatcher import InboxDispatcher
    from bot.inbox.handling import current_handling

    transactions = Transactions(engine)
    chat = {"chat": {"id": 9, "type": "private"}}

    async def process(item):  # update 1 is handled by a turn; 2 fails in its handler; 3 no handler wants
        assert item.update_id != 4, "its chat waits for the retry of 2"
        if item.update_id == 1:
            async with transactions.begin() as session:
                assert await store.claim(session, item.update_id, item.chat_id) == store.CLAIMED
            current_handling.get().claimed = True
        elif item.update_id == 2:
            current_handling.get().error = RuntimeError("handler failed")

    async def give_up(_payload):
        raise AssertionError("not given up after one failure")

    dispatcher = InboxDispatcher(transactions, process, give_up)
    updates = [{"update_id": 1, "message": chat}, {"update_id": 2, "message": chat},
               {"update_id": 3, "edited_message": {"chat": {"id": 10, "type": "private"}}}, {"update_id": 4, "message": chat}]
    await dispatcher.receive(store.received(updates))
    await dispatcher.idle()
    async with transactions.sessions() as session:
        rows = {row.update_id: row for row in await session.scalars(select(InboxUpdate))}
    assert rows[1].state == "done" and rows[3].state == "ignored"
    assert rows[2].state == "pending" and rows[2].attempts == 1 and rows[2].payload == updates[1], \
        "kept, with its content, for the retry"
    assert rows[4].state == "pending"


async def test_a_receiver_stopped_while_it_waits_leaves_no_handler_waiting_for_its_store(engine):
    import asyncio

    from bot.db import Transactions
    from bot.inbox.dispatcher import InboxDispatcher

    async def slow_and_unclaimed(_item):  # no handler takes it: its row would be written after the store
        await asyncio.sleep(0.2)

    async def give_up(_payload):
        raise AssertionError("nothing failed")

    dispatcher = InboxDispatcher(Transactions(engine), slow_and_unclaimed, give_up)
    receiving = asyncio.create_task(dispatcher.receive(store.received([{"update_id": 5, "message": {"chat": {"id": 3}}}])))
    await asyncio.sleep(0.05)
    receiving.cancel()  # the bot stops: Telegram was told nothing, so the update comes again
    await asyncio.wait_for(dispatcher.idle(), 5)


async def test_an_update_the_library_cannot_read_never_stops_polling(bot, citizen):
    """Telegram may send a field a newer Bot API made required: python-telegram-bot refuses the whole batch.
    The bot stores each update as it came; the unreadable one is given up, the ones after it go on."""
    unreadable = await bot.emulator.push_update({"message": {
        "message_id": 1, "date": 0, "chat": {"id": citizen.user_id, "type": "private"},
        "from": bot.emulator.users[citizen.user_id].as_json(), "poll": {"id": "1", "question": "?"}}})
    await citizen.send("/start")  # same chat: it waits for the unreadable one's retries, then goes on
    assert any("Buat laporan" in label for label in citizen.buttons())

    async def given_up() -> bool:
        async with bot.sessions() as session:
            return await session.scalar(select(InboxUpdate.state).where(InboxUpdate.update_id == unreadable["update_id"])) == store.FAILED

    await eventually(given_up, timeout=20)


async def test_a_receiver_carries_a_taps_answer_only_for_a_turn_that_committed_while_it_waited(engine):
    """A turn done in time hands its tap's answer to the receiver (Telegram's webhook gives it in its answer);
    a turn that commits after the receiver stopped waiting answers by itself, as does one without a receiver
    that can carry it."""
    import asyncio

    from bot.db import Transactions
    from bot.inbox.dispatcher import InboxDispatcher
    from bot.inbox.handling import Acknowledgement, current_handling

    transactions = Transactions(engine)
    carried: dict[int, bool] = {}

    async def process(item):
        await asyncio.sleep(0.3 if item.update_id == 12 else 0)  # 12: past the receiver's patience
        async with transactions.begin() as session:
            assert await store.claim(session, item.update_id, item.chat_id) == store.CLAIMED
        handling = current_handling.get()
        handling.claimed = True
        carried[item.update_id] = handling.committed(Acknowledgement(f"tap-{item.update_id}", "Terkirim"))

    async def give_up(_payload):
        raise AssertionError("nothing failed")

    dispatcher = InboxDispatcher(transactions, process, give_up)

    def tap(update_id: int, chat_id: int) -> list:
        return store.received([{"update_id": update_id, "message": {"chat": {"id": chat_id, "type": "private"}}}])

    assert await dispatcher.receive(tap(11, 21), answers=True) == [Acknowledgement("tap-11", "Terkirim")]
    assert await dispatcher.receive(tap(12, 22), patience=0.1, answers=True) == []
    assert await dispatcher.receive(tap(13, 23)) == []
    await dispatcher.idle()
    assert carried == {11: True, 12: False, 13: False}
