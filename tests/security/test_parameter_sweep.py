"""Every GET route with hostile query parameters and path values: never a 5xx.

Generated from ``app.url_map``. Each rule is first requested as every kind of user; while it
runs, the names of the query parameters the view *reads* are recorded (so a new parameter on
any page is swept without editing this file). Then each parameter that was read gets each
hostile value: Unicode digits, huge and negative numbers, impossible and extreme dates, NUL,
10 kB of text. String parts of the path (tokens, codes, file names) get the same treatment.
Every response must be below 500, and in testing Flask lets exceptions escape, so an
unhandled error fails too.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.hardening import LearnHubRequest, _without_nul
from tests.security.test_authorisation_matrix import _url

pytestmark = pytest.mark.sweep

HOSTILE = [
    "²",
    "١٢",
    "99999999999999999999999",
    "-1",
    "0",
    "9999-12-31",
    "0000-00-00",
    "22026-01-01",
    "\x00",
    "x" * 10_000,
    "NaN",
    "%",
    "' OR 1=1 --",
]
#: Path values for string parts of a rule (``<token>``, ``<code>``, ``<name>``...).
HOSTILE_PATH = ["\x00", "x" * 2000, "..%2f..%2fetc%2fpasswd", "²", "%00.ics", "a b", "😀"]

_read: set[str] = set()


class _RecordingArgs(ImmutableMultiDict):
    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        _read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # type: ignore[no-untyped-def]  # noqa: A002
        _read.add(key)
        return super().get(key, default=default, type=type)

    def getlist(self, key, type=None):  # type: ignore[no-untyped-def]  # noqa: A002
        _read.add(key)
        return super().getlist(key, type=type)

    def __contains__(self, key):  # type: ignore[no-untyped-def]
        _read.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording_args(monkeypatch):  # type: ignore[no-untyped-def]
    def args(self):  # type: ignore[no-untyped-def]
        return _RecordingArgs(_without_nul(super(LearnHubRequest, self).args))

    monkeypatch.setattr(LearnHubRequest, "args", cached_property(args), raising=True)
    LearnHubRequest.args.__set_name__(LearnHubRequest, "args")
    yield _read
    _read.clear()


def _client_for(app, user_id):  # type: ignore[no-untyped-def]
    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            session_id = db.session.get(User, user_id).get_id()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
    return client


def test_no_query_parameter_or_path_value_causes_a_500(app, matrix_world, recording_args):  # type: ignore[no-untyped-def]
    w = matrix_world
    users = {**w.users, "owner": w.world.members[w.world.groups[0]][0], "anonymous": None}
    clients = {name: _client_for(app, uid) for name, uid in users.items()}
    rules = sorted(
        (r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"), key=lambda r: r.endpoint
    )
    failures: list[str] = []
    requests = 0
    parameters: set[tuple[str, str]] = set()

    def get(client, url: str, label: str) -> None:  # type: ignore[no-untyped-def]
        nonlocal requests
        requests += 1
        try:
            status = client.get(url).status_code
        except Exception as error:  # noqa: BLE001
            failures.append(f"{label}: {type(error).__name__}: {str(error)[:150]}")
            return
        if status >= 500:
            failures.append(f"{label}: {status}")

    for rule in rules:
        url = _url(rule, w.targets)
        fuzzed = 0
        for name, client in clients.items():
            recording_args.clear()
            requests += 1
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(f"{rule.endpoint} as {name}: {response.status_code}")
                continue
            # Hostile values go to the first two kinds of user the page serves (a refused user
            # never reaches the parameters; more users would repeat the same code paths).
            if response.status_code >= 400 or fuzzed == 2:
                continue
            read = sorted(recording_args)
            fuzzed += 1 if read else 0
            for key in read:
                parameters.add((rule.endpoint, key))
                for value in HOSTILE:
                    get(client, f"{url}?{quote(key)}={quote(value)}", f"{rule.endpoint}?{key}={value[:20]!r} as {name}")
            if read:
                together = "&".join(f"{quote(k)}={quote('9999-12-31')}" for k in read)
                get(client, f"{url}?{together}", f"{rule.endpoint} all parameters as {name}")
        strings = [n for n, c in rule._converters.items() if type(c).__name__ in {"UnicodeConverter", "PathConverter"}]
        for part in strings:
            for value in HOSTILE_PATH:
                values = {n: w.targets.get(n) for n in rule.arguments}
                for n, c in rule._converters.items():
                    if type(c).__name__ == "AnyConverter":
                        values[n] = sorted(c.items)[0]
                values[part] = value
                try:
                    path = rule.build(values, append_unknown=False)[1]
                except Exception:  # noqa: BLE001  (a value the rule itself cannot express)
                    continue
                for name in ("admin", "owner", "anonymous"):
                    get(clients[name], path, f"{rule.endpoint} <{part}>={value[:20]!r} as {name}")
    print(f"parameter sweep: {len(rules)} GET rules, {len(parameters)} parameters read, {requests} requests")  # noqa: T201
    assert failures == [], "\n".join(failures[:60])
