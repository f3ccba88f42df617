"""Tenant isolation: firm B's key, given firm A's ids, reaches none of firm A's records.

Every operation of the app (its URL map: every method of every route) is called with firm B's
key (the web page's, under /app, from a session firm B's key signed in, its POSTs carrying the
session's CSRF token) and, in its path, every id firm A has for it. EXPECTED says what each
must answer; an operation it does not name fails the test, so a new endpoint has to be placed
in it. No answer may hold any of firm A's values (names, external ids, e-mail, QBO ids, realm,
key prefixes, job ids, settings, the events URL and secret) beyond what firm B sent itself, and
firm A reads all of its records the same afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from core.adapters.db.tables import jobs
from core.bootstrap import Services
from core.services.firms import connect_firm, create_firm
from core.services.status_events import queue_status_event_deliveries
from sandbox.seed import (
    DEMO_ACCESS_TOKEN,
    seed_demo_company,
)
from tests.api.billing import a_payment, an_invoice, as_in_qbo
from tests.api.web import SECRET_KEY, sign_in
from tests.conftest import Firm, Sandbox, built_services, sandbox_oauth_settings
from tests.factories import a_linked_account
from tests.fakes import RecordingDispatcher

B_REALM, B_TOKEN = "4620816365172350", "bravo-access-token"


class Kind(Enum):
    OPEN = "no key needed and no firm's records: answers, without firm A's data"
    NOT_FOUND = "names a firm-A record: 404, as a record that does not exist"
    UNKNOWN = "names firm-A records in its body: 422, as ids that do not exist"
    OWN = "names no record: acts on firm B's own data and shows none of firm A's"
    CREATES_OWN = "PUT under firm A's external id: creates firm B's own record beside A's"


@dataclass(frozen=True)
class Call:
    kind: Kind
    status: int | None = None  # None for OPEN: anything but a 5xx
    body: dict[str, Any] | None = None
    shows: dict[str, Any] = field(default_factory=dict)  # part of the answer, as it must be
    query: str = ""  # sent after the path, with firm A's values where it names them


OPEN, NOT_FOUND = Call(Kind.OPEN), Call(Kind.NOT_FOUND, 404)
EMPTY_PAGE = {"items": [], "total": 0}
NO_COUNTS = {"total": 0}

EXPECTED: dict[tuple[str, str], Call | tuple[Call, ...]] = {
    ("GET", "/v1/health"): OPEN,
    ("GET", "/v1/connection/callback"): OPEN,  # the single-use `state` names the firm
    ("POST", "/v1/webhooks/quickbooks"): OPEN,  # Intuit's signature, not a key
    ("GET", "/openapi.json"): OPEN,
    ("GET", "/docs"): OPEN,
    ("GET", "/docs/assets/{filename}"): OPEN,
    ("GET", "/static/{filename}"): OPEN,
    ("GET", "/metrics"): OPEN,
    ("GET", "/v1/accounts"): Call(Kind.OWN, 200, shows=EMPTY_PAGE),
    ("GET", "/v1/accounts/summary"): Call(Kind.OWN, 200, shows=NO_COUNTS),
    ("POST", "/v1/accounts/sync"): (
        Call(Kind.UNKNOWN, 422, {"external_ids": ["alpha-acct-1", "alpha-acct-2"]}),
        Call(Kind.OWN, 202, {"status": "not_synced"}, shows={"items": []}),
        Call(Kind.OWN, 200, {"status": "not_synced", "dry_run": True}, shows={"items": []}),
    ),
    ("GET", "/v1/accounts/{external_id}"): NOT_FOUND,
    ("PUT", "/v1/accounts/{external_id}"): Call(Kind.CREATES_OWN, 201, {"name": "Bravo client"}),
    ("GET", "/v1/accounts/{external_id}/candidates"): NOT_FOUND,
    ("GET", "/v1/accounts/{external_id}/history"): NOT_FOUND,
    ("POST", "/v1/accounts/{external_id}/sync"): NOT_FOUND,
    ("POST", "/v1/accounts/{external_id}/unsync"): NOT_FOUND,
    ("GET", "/v1/invoices"): Call(Kind.OWN, 200, shows=EMPTY_PAGE),
    ("GET", "/v1/invoices/summary"): Call(Kind.OWN, 200, shows=NO_COUNTS),
    ("GET", "/v1/invoices/{external_id}"): NOT_FOUND,
    ("PUT", "/v1/invoices/{external_id}"): Call(
        Kind.CREATES_OWN, 201, an_invoice("alpha-acct-1", number="BRAVO-1")
    ),
    ("DELETE", "/v1/invoices/{external_id}"): NOT_FOUND,
    ("GET", "/v1/invoices/{external_id}/history"): NOT_FOUND,
    ("POST", "/v1/invoices/{external_id}/sync"): NOT_FOUND,
    ("POST", "/v1/invoices/{external_id}/unsync"): NOT_FOUND,
    ("GET", "/v1/payments"): Call(Kind.OWN, 200, shows=EMPTY_PAGE),
    ("GET", "/v1/payments/summary"): Call(Kind.OWN, 200, shows=NO_COUNTS),
    ("GET", "/v1/payments/{external_id}"): NOT_FOUND,
    ("PUT", "/v1/payments/{external_id}"): Call(Kind.CREATES_OWN, 201, a_payment("alpha-inv-1")),
    ("DELETE", "/v1/payments/{external_id}"): NOT_FOUND,
    ("GET", "/v1/payments/{external_id}/history"): NOT_FOUND,
    ("POST", "/v1/payments/{external_id}/sync"): NOT_FOUND,
    ("POST", "/v1/payments/{external_id}/unsync"): NOT_FOUND,
    ("GET", "/v1/jobs/{job_id}"): NOT_FOUND,
    ("GET", "/v1/quickbooks/customers"): Call(Kind.OWN, 200),
    ("GET", "/v1/api-keys"): Call(Kind.OWN, 200),
    ("POST", "/v1/api-keys"): Call(Kind.OWN, 201),
    ("DELETE", "/v1/api-keys/{key_id}"): NOT_FOUND,
    ("GET", "/v1/connection"): Call(Kind.OWN, 200, shows={"realm_id": B_REALM}),
    ("POST", "/v1/connection/authorize"): Call(Kind.OWN, 200),
    ("DELETE", "/v1/connection"): Call(Kind.OWN, 204),
    ("GET", "/v1/settings"): Call(Kind.OWN, 200, shows={"default_customer_type": "Individual"}),
    ("PATCH", "/v1/settings"): Call(
        Kind.OWN, 200, {"default_customer_type": "Bravo Type"}, {"sync_invoices_from": None}
    ),
    ("GET", "/v1/status-events"): Call(Kind.OWN, 404),  # firm B has no subscription
    ("PUT", "/v1/status-events"): Call(Kind.OWN, 201, {"url": "https://bravo.example/events"}),
    ("DELETE", "/v1/status-events"): Call(Kind.OWN, 204),
    # The web page (api/web): its pages and forms, with a session of firm B's key.
    ("GET", "/app/static/{filename}"): OPEN,
    ("GET", "/app/sign-in"): OPEN,
    ("POST", "/app/sign-in"): OPEN,  # no key sent: the sign-in page again
    ("GET", "/app/"): Call(Kind.OWN, 302),
    ("POST", "/app/sign-out"): Call(Kind.OWN, 303),
    ("GET", "/app/accounts"): Call(Kind.OWN, 200),
    ("GET", "/app/accounts/{external_id}"): NOT_FOUND,
    ("GET", "/app/accounts/{external_id}/link"): NOT_FOUND,
    ("POST", "/app/accounts/{external_id}/sync"): NOT_FOUND,
    ("POST", "/app/accounts/{external_id}/unsync"): NOT_FOUND,
    ("GET", "/app/invoices"): (
        Call(Kind.OWN, 200),
        Call(Kind.NOT_FOUND, 404, query="?account_id=alpha-acct-1"),
    ),
    ("POST", "/app/invoices/{external_id}/sync"): NOT_FOUND,
    ("POST", "/app/invoices/{external_id}/unsync"): NOT_FOUND,
    ("GET", "/app/payments"): (
        Call(Kind.OWN, 200),
        Call(Kind.NOT_FOUND, 404, query="?invoice_id=alpha-inv-1"),
    ),
    ("POST", "/app/payments/{external_id}/sync"): NOT_FOUND,
    ("POST", "/app/payments/{external_id}/unsync"): NOT_FOUND,
    ("GET", "/app/first-sync"): Call(Kind.OWN, 200),
    ("POST", "/app/first-sync"): Call(Kind.OWN, 303),
    ("POST", "/app/first-sync/retry-failed"): Call(Kind.OWN, 303),
    ("GET", "/app/live"): Call(
        Kind.OWN,
        200,
        query="?record=account::alpha-acct-1&record=account::alpha-acct-2"
        "&record=invoice::alpha-inv-1&record=payment::alpha-pay-1&counts=accounts",
        shows={"records": {}},
    ),
}

# Firm B's calls run in this order, so that what one does cannot change what another answers:
# the 404s before firm B makes records of its own under firm A's ids, reads before changes.
KIND_ORDER = [Kind.OPEN, Kind.NOT_FOUND, Kind.UNKNOWN, Kind.OWN, Kind.CREATES_OWN]
METHOD_ORDER = ["GET", "PATCH", "POST", "PUT", "DELETE"]


@dataclass
class FirmA:
    """Firm A and every kind of record it has, with the values no answer to B may hold."""

    firm: Firm
    ids: dict[str, list[str]]  # path parameter (or resource) -> firm A's values for it
    secrets: set[str]  # names, external ids, e-mails, QBO ids, key prefixes, job ids …


@pytest.fixture
def services(database_url: str, sandbox: Sandbox) -> Iterator[Services]:
    """The services, with Intuit's OAuth at the sandbox (connect, disconnect)."""
    settings = sandbox_oauth_settings(
        database_url,
        sandbox,
        secret_key=SECRET_KEY,  # the web page is on
        qbo_webhook_verifier_token="isolation-test-verifier",
    )
    with built_services(settings) as built:
        yield built


@pytest.fixture
def app(services: Services) -> Flask:
    app = create_app(services, RecordingDispatcher())
    app.testing = True
    return app


def a_connected_firm(services: Services, name: str, realm_id: str, token: str) -> Firm:
    firm_id, key = create_firm(services.uow(), name, services.clock())
    connect_firm(services.uow(), services.vault, firm_id, realm_id=realm_id,
                 api_base_url=services.settings.qbo_api_base_url, access_token=token,
                 now=services.clock())  # fmt: skip
    return Firm(id=firm_id, api_key=key)


def firm_a_with_everything(client: FlaskClient, services: Services, sandbox: Sandbox) -> FirmA:
    """Firm A, connected, with a synced account and one being synced, an invoice and a payment
    in QBO, their jobs, two API keys, a status-events subscription and its delivery job, and
    settings of its own."""
    firm = a_connected_firm(services, "Alpha Isolation LLP", sandbox.realm_id, DEMO_ACCESS_TOKEN)
    a = {"Authorization": f"Bearer {firm.api_key}"}

    def ok(answer: Any) -> Any:
        assert answer.status_code < 300, answer.get_data(as_text=True)
        return answer.json

    alpha_client = {"name": "Alpha Isolation Client", "email": "owner@alpha-isolation.example"}
    alpha_settings = {
        "default_customer_type": "Alpha Isolation Type",
        "sync_invoices_from": "2020-02-03",
    }
    alpha_events = {
        "url": "https://alpha-isolation.example/events",
        "secret": "alpha-secret-0123456789",
    }
    a_linked_account(services, firm.id, "alpha-acct-1", "QBO-ALPHA-CUST-1")
    ok(client.put("/v1/accounts/alpha-acct-1", json=alpha_client, headers=a))
    ok(client.put("/v1/accounts/alpha-acct-2", json={"name": "Alpha Second Client"}, headers=a))
    ok(client.post("/v1/accounts/alpha-acct-2/sync", headers=a))
    ok(client.patch("/v1/settings", json=alpha_settings, headers=a))
    invoice = an_invoice("alpha-acct-1", number="ALPHA-INV-0042")
    ok(client.put("/v1/invoices/alpha-inv-1", json=invoice, headers=a))
    as_in_qbo(services, firm, "invoice", "alpha-inv-1", "QBO-ALPHA-INV-1")
    ok(client.put("/v1/payments/alpha-pay-1", json=a_payment("alpha-inv-1"), headers=a))
    as_in_qbo(services, firm, "payment", "alpha-pay-1", "QBO-ALPHA-PAY-1")
    second_key = ok(client.post("/v1/api-keys", headers=a))
    ok(client.put("/v1/status-events", json=alpha_events, headers=a))
    ok(client.post("/v1/accounts/alpha-acct-1/unsync", headers=a))  # a status change to deliver
    assert queue_status_event_deliveries(services.uow(), RecordingDispatcher(), services.clock())
    with services.engine.connect() as connection:
        job_ids = list(connection.scalars(sa.select(jobs.c.id)))
    assert len(job_ids) >= 4  # an account sync, an invoice and a payment push, a delivery

    keys = ok(client.get("/v1/api-keys", headers=a))
    secrets = {
        "Alpha Isolation LLP", "Alpha Second Client", "alpha-acct-1", "alpha-acct-2",
        "alpha-inv-1", "ALPHA-INV-0042", "alpha-pay-1", "QBO-ALPHA-CUST-1", "QBO-ALPHA-INV-1",
        "QBO-ALPHA-PAY-1", sandbox.realm_id, firm.api_key[:12], second_key["key"][:12],
    }  # fmt: skip
    secrets |= {*alpha_client.values(), *alpha_settings.values(), *alpha_events.values()}
    ids = {
        "accounts": ["alpha-acct-1", "alpha-acct-2"],
        "invoices": ["alpha-inv-1"],
        "payments": ["alpha-pay-1"],
        "job_id": job_ids,
        "key_id": [str(k["id"]) for k in keys],
    }
    return FirmA(firm=firm, ids=ids, secrets=secrets | set(job_ids))


def firm_a_as_it_reads(client: FlaskClient, a: FirmA) -> dict[str, Any]:
    """Everything firm A's key reads about firm A."""
    paths = ["/v1/accounts", "/v1/accounts/summary", "/v1/invoices", "/v1/invoices/summary",
             "/v1/payments", "/v1/payments/summary", "/v1/api-keys", "/v1/connection",
             "/v1/settings", "/v1/status-events",
             *(f"/v1/jobs/{job_id}" for job_id in a.ids["job_id"])]  # fmt: skip
    for resource in ("accounts", "invoices", "payments"):
        for external_id in a.ids[resource]:
            paths += [f"/v1/{resource}/{external_id}", f"/v1/{resource}/{external_id}/history"]
    headers = {"Authorization": f"Bearer {a.firm.api_key}"}
    read = {}
    for path in paths:
        answer = client.get(path, headers=headers)
        read[path] = (answer.status_code, answer.json)
    return read


def operations(app: Flask) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, paths with {parameters} as in the OpenAPI."""
    return {
        (method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    }


def firm_a_paths(path: str, a: FirmA) -> list[str]:
    """`path` with each of firm A's values for each of its parameters."""
    names = re.findall(r"{(\w+)}", path)
    if not names:
        return [path]
    assert len(names) == 1, f"{path}: fill more than one parameter here"
    name = names[0]
    if name == "external_id":
        values = a.ids[path.split("/")[2]]
    elif name == "filename":
        values = ["no-such-file.css"]
    else:
        assert name in a.ids, f"{path}: no firm-A value for the path parameter {{{name}}}"
        values = a.ids[name]
    return [path.replace(f"{{{name}}}", value) for value in values]


def order(item: tuple[tuple[str, str], Call]) -> tuple[int, int, str]:
    (method, path), call = item
    return KIND_ORDER.index(call.kind), METHOD_ORDER.index(method), path


def test_every_operation_is_in_the_expectation_table(app: Flask) -> None:
    served = operations(app)
    stale = {op for op, call in EXPECTED.items() if call != OPEN} - served

    assert served - EXPECTED.keys() == set(), "place these operations in EXPECTED"
    assert stale == set(), "these operations are no longer served"


def test_firm_b_reaches_none_of_firm_a_s_records_through_any_operation(
    app: Flask, services: Services, sandbox: Sandbox
) -> None:
    client = app.test_client()
    seed_demo_company(sandbox.state, B_REALM, B_TOKEN, company_name="Bravo Company")
    a = firm_a_with_everything(client, services, sandbox)
    b = a_connected_firm(services, "Bravo LLP", B_REALM, B_TOKEN)
    before = firm_a_as_it_reads(client, a)
    calls = sorted(
        ((op, call) for op, each in EXPECTED.items() if op in operations(app)
         for call in (each if isinstance(each, tuple) else (each,))),
        key=order,
    )  # fmt: skip

    for (method, template), call in calls:
        for path in firm_a_paths(template, a):
            answers_as_expected(client, b, a, method, path, call)

    assert firm_a_as_it_reads(client, a) == before


def answers_as_expected(
    client: FlaskClient, b: Firm, a: FirmA, method: str, path: str, call: Call
) -> None:
    """Call `method` `path` with firm B's key; check the answer against `call`."""
    if path.startswith("/app"):
        answer = web_page_call(client, b, method, path + call.query, call)
    else:
        headers = {"Authorization": f"Bearer {b.api_key}"}
        answer = client.open(path + call.query, method=method, json=call.body, headers=headers)
    what, text = f"{method} {path}{call.query} ({call.kind.value})", answer.get_data(as_text=True)
    named = f"{path}{call.query} {json.dumps(call.body)}"  # what firm B said may come back
    shown = {s for s in a.secrets if s in text and s not in named}
    assert shown == set(), f"{what} shows firm A's {shown}: {text[:500]}"
    if call.status is None:
        assert answer.status_code < 500, f"{what}: {text[:500]}"
        return
    assert answer.status_code == call.status, f"{what}: {text[:500]}"
    if call.kind in (Kind.NOT_FOUND, Kind.UNKNOWN) and not path.startswith("/app"):
        assert set(answer.json) == {"code", "status", "message", "errors"}, what
    if call.shows:
        assert call.shows.items() <= answer.json.items(), f"{what}: {text[:500]}"
    if call.kind is Kind.CREATES_OWN:  # 201, not 200: firm A's record was not updated
        headers = {"Authorization": f"Bearer {b.api_key}"}
        mine = client.get(path, headers=headers)
        assert mine.status_code == 200 and mine.json == answer.json, what


def web_page_call(client: FlaskClient, b: Firm, method: str, path: str, call: Call) -> Any:
    """`method` `path` from a browser session firm B's key signed in to (a fresh one each
    time, so that signing out ends none but its own), a POST with the session's CSRF token."""
    browser = client.application.test_client()
    token = sign_in(browser, b.api_key)
    form = {"csrf_token": token, **(call.body or {})} if method == "POST" else None
    return browser.open(path, method=method, data=form)
