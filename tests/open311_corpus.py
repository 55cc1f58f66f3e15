"""The hostile Open311 corpus (issue 26): requests as nobody should send them, each with the statuses it may get.
Bad keys, oversized and malformed bodies, injection in every field, huge paging values, coordinates outside
Indonesia. ``KEY``, ``READ_KEY`` and ``REVOKED_KEY`` stand for the test's own keys, put in when it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.flows import DESCRIPTION, PADANG

KEY, READ_KEY, REVOKED_KEY = "<key>", "<read-key>", "<revoked-key>"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FILED, REFUSED = {200}, {400}


@dataclass(frozen=True)
class Hostile:
    name: str
    method: str
    path: str
    statuses: set[int]
    params: dict[str, str] = field(default_factory=dict)  # the query
    data: Any = None  # a form (dict) or raw bytes
    headers: dict[str, str] = field(default_factory=dict)


def good(**more: str) -> dict[str, str]:
    return {"api_key": KEY, "service_code": "jalan", "lat": str(PADANG[0]), "long": str(PADANG[1]),
            "description": DESCRIPTION, **more}


PAYLOADS = {
    "sql": "' OR 1=1; DROP TABLE reports; --",
    "xml": "<![CDATA[x]]></description><status>closed</status>&amp;&#0;",
    "nul": "jalan\x00rusak",
    "template": "{{7*7}} ${7*7} {0} %s %(x)s",
    "path": "../../../../etc/passwd",
    "rtl": "\u202etroper\u202c \ufffe\uffff",
    "long": "x" * 12_000,
}
FIELDS = ["service_code", "description", "lat", "long", "address_string", "media_url", "first_name", "last_name",
          "email", "phone", "device_id", "account_id", "attribute[report_type]", "attribute[confidential]",
          "attribute[road_name]", "api_key", "jurisdiction_id"]
# Free text that may be anything at all (within its length): the request is filed, the text kept as it came.
FREE_TEXT = {"description", "first_name", "last_name", "email", "phone", "device_id", "account_id", "jurisdiction_id",
             "attribute[road_name]", "address_string"}


def _injection(name: str, kind: str, payload: str) -> Hostile:
    value = DESCRIPTION + " " + payload if name == "description" else payload
    statuses = {200, 400} if name in FREE_TEXT else ({403} if name == "api_key" else REFUSED)
    return Hostile(f"{kind} in {name}", "POST", "requests.json", statuses, data=good(**{name: value}))


def _places() -> list[Hostile]:
    points = [("London", "51.5", "-0.12"), ("null island", "0", "0"), ("the pole", "90", "0"), ("lat 91", "91", "100"),
              ("long 181", "-1", "181"), ("1e400", "1e400", "100"), ("NaN", "NaN", "100"), ("Infinity", "-1", "Infinity"),
              ("hex", "0x1", "100"), ("words", "minus satu", "seratus"), ("a comma", "-0,95", "100,35"),
              ("Timor-Leste", "-8.55", "125.57"), ("Kuala Lumpur", "3.14", "101.69")]
    return [Hostile(f"place {name}", "POST", "requests.json", REFUSED, data=good(lat=lat, long=long))
            for name, lat, long in points]


def _keys() -> list[Hostile]:
    keys = [("no key", None, 403), ("empty", "", 403), ("spaces", "   ", 403), ("a read key", READ_KEY, 403),
            ("revoked", REVOKED_KEY, 403), ("another prefix", "lpr_deadbeef_" + "A" * 43, 403),
            ("not ours", "sk_live_1234567890", 403), ("sql", "lpr_' OR 1=1 --_x", 403), ("5k", "lpr_" + "k" * 5_000, 403),
            ("nul", "lpr_00000000_\x00", 403), ("unicode", "lpr_ü̈ü̈ü̈ü̈_ü", 403)]
    found = []
    for name, key, status in keys:
        form = good()
        form.pop("api_key") if key is None else form.update(api_key=key)
        found.append(Hostile(f"key: {name}", "POST", "requests.json", {status}, data=form))
        found.append(Hostile(f"key: {name}, reading", "GET", "requests.json", {403} if key != READ_KEY else {200},
                             params={} if key is None else {"api_key": key}))
    return found


def _bodies() -> list[Hostile]:
    raw = [("not UTF-8", b"service_code=jalan&description=\xff\xfe", FORM, 400),
           ("300 fields", "&".join(f"f{n}=x" for n in range(300)).encode(), FORM, 400),
           ("70 kB", b"description=" + b"x" * 70_000, FORM, 413),
           ("empty", b"", FORM, 403), ("JSON", b'{"service_code": "jalan"}', {"Content-Type": "application/json"}, 415),
           ("XML", b"<request/>", {"Content-Type": "text/xml"}, 415), ("no type", b"a=b", {"Content-Type": ""}, 415),
           ("multipart", b"--x\r\n\r\n--x--", {"Content-Type": "multipart/form-data; boundary=x"}, 415),
           ("broken escapes", b"api_key=%zz&service_code=%E0%A4%A", FORM, 400),
           ("only separators", b"&&&===&&&", FORM, 403)]
    return [Hostile(f"body: {name}", "POST", "requests.json", {status}, data=data, headers=headers)
            for name, data, headers, status in raw]


def _reads() -> list[Hostile]:
    queries = [("page 10**30", {"page": "1" + "0" * 30}), ("page_size 10**9", {"page_size": "1000000000"}),
               ("page -1", {"page": "-1"}), ("page 1e3", {"page": "1e3"}), ("page_size 0", {"page_size": "0"}),
               ("page Arabic digits", {"page": "١٢"}), ("status pending", {"status": "pending"}),
               ("start_date sql", {"start_date": "2026-01-01' OR '1'='1"}), ("end_date year 0", {"end_date": "0000-01-01"}),
               ("start after end", {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}),
               ("year 1 at +14:00", {"start_date": "0001-01-01T00:00:00+14:00"}),
               ("101 ids", {"service_request_id": ",".join(["AAAAA-AAAAA"] * 101)})]
    found = [Hostile(f"read: {name}", "GET", "requests.json", REFUSED, params={"api_key": READ_KEY, **query})
             for name, query in queries]
    empty = [("service_code sql", {"service_code": "jalan' OR '1'='1"}), ("ids sql", {"service_request_id": "' OR 1=1 --"}),
             ("page 100000", {"page": "100000", "page_size": "1000"}), ("5k commas", {"service_request_id": "," * 5_000})]
    found += [Hostile(f"read: {name}", "GET", "requests.json", {200}, params={"api_key": READ_KEY, **query})
              for name, query in empty]
    paths = [("an id 5k long", "requests/" + "A" * 5_000 + ".json", 404), ("an id of sql", "requests/'%20OR%201=1.json", 404),
             ("a token of sql", "tokens/'%20OR%201=1.xml", 404), ("a service of dots", "services/...json", 404),
             ("an encoded slash", "requests/..%2F..%2Fetc.json", 404), ("no format", "requests", 404),
             ("format yaml", "requests.yaml", 404)]
    found += [Hostile(f"path: {name}", "GET", path, {status}, params={"api_key": READ_KEY}) for name, path, status in paths]
    return found


def corpus() -> list[Hostile]:
    return [*[_injection(name, kind, payload) for name in FIELDS for kind, payload in PAYLOADS.items()],
            *_places(), *_keys(), *_bodies(), *_reads()]
