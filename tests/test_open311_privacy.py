"""Open311's read side keeps secrets (issue 26): reports filed in a chat (anonymous, confidential, both, neither) and
through the API (with a contact, confidential), then every response of every read endpoint, in both formats, is
scanned for a reporter's identity (name, username, Telegram id, email, phone) and for confidential text."""

from __future__ import annotations

import aiohttp

from bot.services import api_keys
from tests.flows import DESCRIPTION, PADANG, file_report
from tests.open311_bot import call, open311_bot

SECRET_TEXT = "RAHASIA-ISI jalan rusak di depan rumah kepala desa, pelakunya oknum dinas"
API_CONTACT = {"first_name": "Wulandari", "last_name": "Sasmita", "email": "wulan.sasmita@contoh.id",
               "phone": "+6281377766655", "device_id": "perangkat-wulan-77", "account_id": "akun-wulan-77"}


async def test_no_read_response_carries_a_reporters_identity_or_confidential_text(emulator, migrated_url, tmp_path):
    async with open311_bot(emulator, migrated_url, tmp_path) as api, aiohttp.ClientSession() as http:
        writer, reader = await api.key(), await api.key(api_keys.READ)
        names = [("Prasetyo", "prasetyo_warga"), ("Kartika", "kartika_warga"), ("Bambang", "bambang_warga"),
                 ("Ratna", "ratna_warga")]
        citizens = [api.citizen(*name) for name in names]
        ids = [await file_report(citizens[0], anonymous=True),
               await file_report(citizens[1], confidential=True, description=SECRET_TEXT),
               await file_report(citizens[2], anonymous=True, confidential=True, description=SECRET_TEXT + " (2)"),
               await file_report(citizens[3])]
        form = {"api_key": writer, "service_code": "jalan", "lat": str(PADANG[0]), "long": str(PADANG[1]),
                "attribute[road_name]": "Jl. By Pass"}
        for more in ({"description": DESCRIPTION, **API_CONTACT},
                     {"description": SECRET_TEXT + " (api)", "attribute[confidential]": "true", **API_CONTACT}):
            filed = await call(http, "POST", api.url("requests.json"), data={**form, **more})
            assert filed.status == 200, filed.body
            ids.append(filed.data[0]["service_request_id"])
            token = filed.data[0]["token"]

        paths = [f"requests.{fmt}" for fmt in ("json", "xml")]
        paths += [f"requests/{tracking_id}.{fmt}" for tracking_id in ids for fmt in ("json", "xml")]
        paths += [f"tokens/{token}.json", "services.json", "discovery.xml"]
        secrets = [SECRET_TEXT, *API_CONTACT.values()]
        secrets += [part for name in names for part in name] + [str(citizen.user_id) for citizen in citizens]
        seen = []
        for path in paths:
            answer = await call(http, "GET", api.url(path), params={"api_key": reader})
            assert answer.status == 200, (path, answer.body)
            body = answer.body.decode()
            seen += [(path, secret) for secret in secrets if secret in body]
        assert seen == []
        listed = (await call(http, "GET", api.url("requests.json"), params={"api_key": reader})).data
        assert sorted(item["service_request_id"] for item in listed) == sorted(ids), "every report is listed"
        public = [item for item in listed if item["description"]]
        assert len(public) == 3, "the three that are not confidential show their text"
