"""The hostile Open311 corpus (tests/open311_corpus.py) against the real bot: every request gets one of the statuses
it may, errors in Open311's shape and never a stack trace; nothing is filed but what was answered 200; whatever
odd text was filed reads back as well-formed XML; no key reaches the log, nothing is logged at ERROR."""

from __future__ import annotations

import logging

import aiohttp
from sqlalchemy import func, select

from bot.db.models import ApiReport
from bot.services import api_keys
from tests.open311_bot import call, open311_bot
from tests.open311_corpus import KEY, READ_KEY, REVOKED_KEY, Hostile, corpus


def _put_keys(value, keys: dict[str, str]):
    if isinstance(value, dict):
        return {name: _put_keys(item, keys) for name, item in value.items()}
    return keys.get(value, value) if isinstance(value, str) else value


async def test_hostile_open311_requests_get_a_status_they_may_and_open311s_errors(emulator, migrated_url, tmp_path,
                                                                                   caplog):
    caplog.set_level(logging.INFO)
    # Far more requests than a key may make a minute in production: the limit is its own test's.
    async with open311_bot(emulator, migrated_url, tmp_path, open311_per_minute=100_000) as api, \
            aiohttp.ClientSession() as http:
        keys = {KEY: await api.key(), READ_KEY: await api.key(api_keys.READ)}
        async with api.services.transactions.begin() as session:
            row, keys[REVOKED_KEY] = await api_keys.create(session, "lama", api_keys.WRITE)
            await api_keys.revoke(session, row.prefix)
        wrong, filed = [], []
        for case in corpus():
            answer = await _send(http, api.url(case.path), case, keys)
            if answer.status not in case.statuses:
                wrong.append(f"{case.name}: HTTP {answer.status} {answer.body[:200]!r}")
            elif answer.status >= 400 and not _open311_error(answer):
                wrong.append(f"{case.name}: not Open311's error shape: {answer.body[:200]!r}")
            elif case.method == "POST" and answer.status == 200:
                filed.append(answer.data[0]["service_request_id"])
            if b"Traceback" in answer.body:
                wrong.append(f"{case.name}: a stack trace")
        assert wrong == [], "\n".join(wrong)
        async with api.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ApiReport)) == len(filed), "only what got 200"
        for tracking_id in filed:  # the odd text they hold reads back in both formats
            for fmt in ("xml", "json"):
                again = await call(http, "GET", api.url(f"requests/{tracking_id}.{fmt}"), params={"api_key": keys[KEY]})
                assert again.status == 200 and again.data[0]["service_request_id"] == tracking_id
        print(f"{len(corpus())} hostile requests, {len(filed)} filed")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [key for key in keys.values() if key.split("_", 2)[-1] in logged], "no key in the log"
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


async def _send(http: aiohttp.ClientSession, url: str, case: Hostile, keys: dict[str, str]):
    data = _put_keys(case.data, keys)
    headers = dict(case.headers) if isinstance(data, bytes) else {}
    return await call(http, case.method, url, params=_put_keys(case.params, keys), data=data, headers=headers)


def _open311_error(answer) -> bool:
    errors = answer.data
    return (isinstance(errors, list) and len(errors) == 1 and int(errors[0]["code"]) == answer.status
            and bool(errors[0]["description"]))


def test_the_corpus_is_over_100_requests():
    assert len(corpus()) >= 100
