"""SPEC §3: invoices from the firm's system are recorded, and queued for QBO once they can go."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from core.bootstrap import Services
from tests.api.billing import (
    a_line,
    an_invoice,
    as_in_qbo,
    put_account,
    put_invoice,
    put_payment,
    row_counts,
)
from tests.api.conftest import auth, queued_messages
from tests.conftest import Firm
from tests.factories import a_linked_account


@pytest.fixture
def account(client: FlaskClient, firm: Firm) -> None:
    """Account c-1, never synced."""
    put_account(client, firm, "c-1")


@pytest.fixture
def synced_account(services: Services, firm: Firm) -> None:
    """Account c-1, linked to QBO customer 58."""
    a_linked_account(services, firm.id, "c-1", "58")


@pytest.mark.usefixtures("account")
def test_put_creates_then_updates_an_invoice_and_every_change_bumps_its_version(
    client: FlaskClient, firm: Firm
) -> None:
    created = client.put("/v1/invoices/i-1", json=an_invoice(), headers=auth(firm))
    assert created.status_code == 201
    body = created.json
    assert (body["external_id"], body["account_id"], body["number"]) == ("i-1", "c-1", "INV-1001")
    assert body["lines"] == [
        {
            "service": "Tax preparation",
            "description": None,
            "quantity": "2",
            "rate": "225",
            "amount": "450.00",
        }
    ]
    assert (body["total"], body["version"], body["payments"]) == ("450.00", 1, [])
    assert (body["status"], body["qbo_id"], body["last_synced_at"]) == ("not_synced", None, None)

    updated = client.put(
        "/v1/invoices/i-1",
        json=an_invoice(number="INV-1002", **{"class": "Tax", "location": "Boston"}),
        headers=auth(firm),
    )
    assert updated.status_code == 200
    assert (updated.json["number"], updated.json["version"]) == ("INV-1002", 2)
    shown = client.get("/v1/invoices/i-1", headers=auth(firm)).json
    assert (shown["class"], shown["location"], shown["version"]) == ("Tax", "Boston", 2)


@pytest.mark.usefixtures("synced_account")
def test_an_update_with_identical_content_changes_nothing(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    first = put_invoice(client, firm)
    before = row_counts(services)

    # The same money written differently is the same invoice.
    same = an_invoice(lines=[a_line(quantity=2.0, rate="225.00000", amount=450)], total=450)
    again = client.put("/v1/invoices/i-1", json=same, headers=auth(firm))

    assert again.status_code == 200
    assert again.json == first
    assert row_counts(services) == before
    assert queued_messages(broker) == 1


@pytest.mark.usefixtures("synced_account")
def test_an_invoice_of_a_synced_account_is_queued_in_the_same_request(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    invoice = put_invoice(client, firm)

    assert invoice["status"] == "syncing"
    history = client.get("/v1/invoices/i-1/history", headers=auth(firm)).json["items"]
    assert [(h["from_status"], h["to_status"], h["cause"]) for h in history] == [
        ("not_synced", "syncing", "invoice created")
    ]
    job = client.get(f"/v1/jobs/{history[0]['job_id']}", headers=auth(firm)).json
    assert (job["kind"], job["state"]) == ("push_invoice", "queued")
    assert job["target"] == {"type": "invoice", "external_id": "i-1"}
    assert queued_messages(broker) == 1

    # A change while the push is queued rides on that job: it pushes the latest version.
    changed = put_invoice(client, firm, number="INV-9")
    assert (changed["status"], changed["version"]) == ("syncing", 2)
    assert row_counts(services)["jobs"] == 1
    assert queued_messages(broker) == 1


@pytest.mark.usefixtures("account")
def test_an_invoice_of_a_not_synced_account_waits_and_its_explicit_sync_says_why(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    assert put_invoice(client, firm)["status"] == "not_synced"
    before = row_counts(services)

    refused = client.post("/v1/invoices/i-1/sync", headers=auth(firm))

    assert refused.status_code == 409
    assert refused.json["code"] == 409
    assert "account 'c-1' is not synced" in refused.json["message"]
    assert row_counts(services) == before
    assert before["jobs"] == 0
    assert queued_messages(broker) == 0
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).json["status"] == "not_synced"


@pytest.mark.usefixtures("synced_account")
def test_an_invoice_dated_before_sync_invoices_from_waits_even_when_its_account_is_synced(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    client.patch("/v1/settings", json={"sync_invoices_from": "2026-01-01"}, headers=auth(firm))

    assert put_invoice(client, firm, "i-old", issued_on="2025-12-31")["status"] == "not_synced"
    refused = client.post("/v1/invoices/i-old/sync", headers=auth(firm))
    assert refused.status_code == 409
    assert "dated before 2026-01-01" in refused.json["message"]
    assert row_counts(services)["jobs"] == 0
    assert put_invoice(client, firm, "i-new", issued_on="2026-01-01")["status"] == "syncing"


@pytest.mark.usefixtures("synced_account")
def test_unsync_skips_the_invoice_and_an_explicit_sync_turns_it_back_on(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    put_invoice(client, firm)
    as_in_qbo(services, firm, "invoice", "i-1", "130")
    put_payment(client, firm, "p-1", sync=False)

    skipped = client.post("/v1/invoices/i-1/unsync", headers=auth(firm))

    assert skipped.status_code == 200
    assert (skipped.json["status"], skipped.json["qbo_id"]) == ("skipped", "130")
    assert client.get("/v1/payments/p-1", headers=auth(firm)).json["status"] == "skipped"
    # A Skipped invoice is not pushed on a change, only on an admin's sync.
    assert put_invoice(client, firm, number="INV-2")["status"] == "skipped"
    assert row_counts(services)["jobs"] == 1

    job = client.post("/v1/invoices/i-1/sync", headers=auth(firm))

    assert job.status_code == 202
    assert (job.json["kind"], job.json["target"]["external_id"]) == ("push_invoice", "i-1")
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).json["status"] == "syncing"
    history = client.get("/v1/invoices/i-1/history", headers=auth(firm)).json["items"]
    assert [(h["to_status"], h["cause"]) for h in history][-2:] == [
        ("skipped", "sync turned off"),
        ("syncing", "sync requested"),
    ]
    assert history[-1]["job_id"] == job.json["id"]
    assert queued_messages(broker) == 2
    # Asked again while it is queued: the same job, no second message.
    again = client.post("/v1/invoices/i-1/sync", headers=auth(firm))
    assert (again.status_code, again.json["id"]) == (202, job.json["id"])
    assert queued_messages(broker) == 2


@pytest.mark.usefixtures("account")
def test_an_invoice_moves_to_another_account_only_until_it_reaches_qbo(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    put_account(client, firm, "c-2")
    put_invoice(client, firm)

    moved = put_invoice(client, firm, account_id="c-2")
    assert (moved["account_id"], moved["version"]) == ("c-2", 2)

    as_in_qbo(services, firm, "invoice", "i-1", "130")
    before = row_counts(services)
    refused = client.put("/v1/invoices/i-1", json=an_invoice("c-1"), headers=auth(firm))

    assert refused.status_code == 409
    assert "under account 'c-2'" in refused.json["message"]
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).json["account_id"] == "c-2"
    assert row_counts(services) == before


@pytest.mark.usefixtures("account")
def test_an_unknown_account_is_refused_with_the_field_named_and_nothing_written(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    before = row_counts(services)
    answer = client.put("/v1/invoices/i-1", json=an_invoice("c-404"), headers=auth(firm))
    assert answer.status_code == 422
    assert "c-404" in answer.json["errors"]["json"]["account_id"][0]
    assert row_counts(services) == before


@pytest.mark.usefixtures("account")
def test_money_is_exact_whether_it_arrives_as_strings_or_numbers(
    client: FlaskClient, firm: Firm
) -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats; as decimals it is 0.30.
    for n, (a, b, total) in enumerate([("0.1", "0.2", "0.30"), (0.1, 0.2, 0.3)]):
        lines = [
            a_line(quantity=1, rate=a, amount=a),
            a_line(service="Bookkeeping", quantity=1, rate=b, amount=b),
        ]
        answer = client.put(
            f"/v1/invoices/i-{n}", json=an_invoice(lines=lines, total=total), headers=auth(firm)
        )
        assert answer.status_code == 201, answer.json
        assert [line["amount"] for line in answer.json["lines"]] == ["0.10", "0.20"]
        assert answer.json["total"] == "0.30"

    # quantity times rate is rounded half up to cents, as QBO does: 3 x 0.335 = 1.005 -> 1.01.
    rounded = [a_line(quantity="3", rate="0.335", amount="1.01")]
    answer = client.put(
        "/v1/invoices/i-3", json=an_invoice(lines=rounded, total="1.01"), headers=auth(firm)
    )
    assert answer.status_code == 201, answer.json


def _raw(rate: str) -> str:
    """An invoice body as JSON text, its one line's rate written as `rate` (a JSON literal)."""
    return (
        '{"account_id": "c-1", "issued_on": "2026-03-01", "total": "0.10", "lines": '
        f'[{{"service": "Filing", "quantity": 1, "rate": {rate}, "amount": "0.10"}}]}}'
    )


BAD_MONEY = [
    # (what is wrong, body, the path of the field named in errors.json)
    (
        "a third decimal place",
        an_invoice(lines=[a_line(rate="0.335", quantity=1, amount="0.335")], total="0.34"),
        ("lines", "0", "amount"),
    ),
    ("a third decimal place in the total", an_invoice(total="450.001"), ("total",)),
    ("NaN as a string", an_invoice(total="NaN"), ("total",)),
    ("Infinity as a string", an_invoice(total="Infinity"), ("total",)),
    ("not a number", an_invoice(total="12,50"), ("total",)),
    ("a boolean", an_invoice(total=True), ("total",)),
    ("exponent notation in a string", an_invoice(total="4.5e2"), ("total",)),
    (
        "a line amount that is not quantity times rate",
        an_invoice(
            lines=[a_line(), a_line(quantity="3", rate="0.335", amount="1.00")], total="451.00"
        ),
        ("lines", "1", "amount"),
    ),
    ("a total that is not the sum of the lines", an_invoice(total="449.99"), ("total",)),
    ("an amount beyond QBO's 15 digits", an_invoice(total="10000000000000.00"), ("total",)),
    (
        "a rate with 6 decimal places",
        an_invoice(lines=[a_line(rate="225.000001")]),
        ("lines", "0", "rate"),
    ),
]


@pytest.mark.usefixtures("account")
@pytest.mark.parametrize(("_what", "body", "path"), BAD_MONEY, ids=[c[0] for c in BAD_MONEY])
def test_money_that_is_not_exact_or_does_not_add_up_is_refused_and_nothing_written(
    client: FlaskClient,
    services: Services,
    firm: Firm,
    _what: str,
    body: dict,
    path: tuple[str, ...],
) -> None:
    before = row_counts(services)
    answer = client.put("/v1/invoices/i-1", json=body, headers=auth(firm))
    assert answer.status_code == 422, answer.json
    assert set(answer.json) == {"code", "status", "message", "errors"}
    errors = answer.json["errors"]["json"]
    for key in path:
        errors = errors[key]
    assert errors and all(isinstance(message, str) for message in errors)
    assert row_counts(services) == before


@pytest.mark.usefixtures("account")
@pytest.mark.parametrize(
    "literal", ["NaN", "Infinity", "-Infinity", "1e999999999", "0.10000000000000001"]
)
def test_json_numbers_are_read_without_a_float_in_between(
    client: FlaskClient, services: Services, firm: Firm, literal: str
) -> None:
    # 0.10000000000000001 is the float 0.1 (and 1 x 0.1 is 0.10), but it has 17 decimal places.
    before = row_counts(services)
    answer = client.put(
        "/v1/invoices/i-1",
        data=_raw(literal),
        headers={**auth(firm), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.json
    assert "rate" in answer.json["errors"]["json"]["lines"]["0"]
    assert row_counts(services) == before


BAD_CONTENT = [
    ({"lines": []}, "lines"),
    ({"lines": [a_line()] * 251, "total": str(450 * 251) + ".00"}, "lines"),
    ({"lines": [a_line(service="Tax: 2026")]}, "lines"),
    ({"lines": [a_line(service="Tax\tprep")]}, "lines"),
    ({"lines": [a_line(service="x" * 101)]}, "lines"),
    ({"lines": [a_line(service="")]}, "lines"),
    ({"lines": [a_line(description="d" * 4001)]}, "lines"),
    ({"lines": [a_line(colour="red")]}, "lines"),
    ({"number": "N" * 22}, "number"),
    ({"number": ""}, "number"),
    ({"issued_on": None}, "issued_on"),
    ({"issued_on": "01/03/2026"}, "issued_on"),
    ({"due_on": "2026-02-28"}, "due_on"),
    ({"class": "c" * 101}, "class"),
    ({"location": "   "}, "location"),
    ({"account_id": None}, "account_id"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.usefixtures("account")
@pytest.mark.parametrize(("overrides", "field"), BAD_CONTENT)
def test_a_malformed_invoice_is_refused_with_the_field_named_and_nothing_written(
    client: FlaskClient, services: Services, firm: Firm, overrides: dict, field: str
) -> None:
    before = row_counts(services)
    answer = client.put("/v1/invoices/i-1", json=an_invoice(**overrides), headers=auth(firm))
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert row_counts(services) == before


@pytest.mark.usefixtures("account")
def test_the_list_filters_by_status_account_and_dates_and_pages(
    client: FlaskClient, firm: Firm
) -> None:
    put_account(client, firm, "c-2")
    for n, day in enumerate(["01", "05", "10", "15", "20"]):
        put_invoice(client, firm, f"i-{n}", issued_on=f"2026-04-{day}", due_on=None)
    put_invoice(client, firm, "i-5", account_id="c-2")
    client.post("/v1/invoices/i-1/unsync", headers=auth(firm))

    def ids(query: str) -> tuple[list[str], int]:
        answer = client.get(f"/v1/invoices?{query}", headers=auth(firm))
        assert answer.status_code == 200, answer.json
        return [i["external_id"] for i in answer.json["items"]], answer.json["total"]

    assert ids("page=2&page_size=2") == (["i-2", "i-3"], 6)
    assert ids("status=skipped") == (["i-1"], 1)
    assert ids("account_id=c-2") == (["i-5"], 1)
    assert ids("issued_from=2026-04-05&issued_to=2026-04-15") == (["i-1", "i-2", "i-3"], 3)
    assert ids("account_id=c-1&status=not_synced&issued_from=2026-04-10") == (
        ["i-2", "i-3", "i-4"],
        3,
    )

    for query in ["account_id=c-404", "status=gone", "issued_from=2026-05-01&issued_to=2026-04-01"]:
        refused = client.get(f"/v1/invoices?{query}", headers=auth(firm))
        assert refused.status_code == 422, query


@pytest.mark.usefixtures("synced_account")
def test_the_summary_names_every_status_and_leaves_deleted_invoices_out(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    for n in range(4):
        put_invoice(client, firm, f"i-{n}")  # syncing
    client.post("/v1/invoices/i-0/unsync", headers=auth(firm))
    as_in_qbo(services, firm, "invoice", "i-1", "131")
    client.delete("/v1/invoices/i-3", headers=auth(firm))

    summary = client.get("/v1/invoices/summary", headers=auth(firm)).json

    assert summary["counts"] == {
        "synced": 1,
        "not_synced": 0,
        "skipped": 1,
        "failed": 0,
        "syncing": 1,
    }
    assert summary["total"] == 3


@pytest.mark.usefixtures("account")
def test_deleting_an_invoice_that_never_reached_qbo_deletes_its_payments_and_queues_nothing(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    put_invoice(client, firm)
    put_payment(client, firm, "p-1")
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).json["payments"] == ["p-1"]

    deleted = client.delete("/v1/invoices/i-1", headers=auth(firm))

    assert deleted.status_code == 204
    assert deleted.get_data() == b""
    assert client.get("/v1/invoices/i-1", headers=auth(firm)).status_code == 404
    assert client.get("/v1/payments/p-1", headers=auth(firm)).status_code == 404
    assert client.get("/v1/invoices", headers=auth(firm)).json["total"] == 0
    assert client.get("/v1/payments", headers=auth(firm)).json["total"] == 0
    assert row_counts(services)["jobs"] == 0
    assert queued_messages(broker) == 0
    again = client.delete("/v1/invoices/i-1", headers=auth(firm))
    assert (again.status_code, again.json["code"]) == (404, 404)
    refused = client.put("/v1/invoices/i-1", json=an_invoice(), headers=auth(firm))
    assert refused.status_code == 409
    assert "deleted" in refused.json["message"]


@pytest.mark.usefixtures("synced_account")
def test_deleting_a_pushed_invoice_queues_the_deletes_of_it_and_its_payments(
    client: FlaskClient, services: Services, firm: Firm, broker: object
) -> None:
    put_invoice(client, firm)
    as_in_qbo(services, firm, "invoice", "i-1", "130")
    put_payment(client, firm, "p-1")
    as_in_qbo(services, firm, "payment", "p-1", "140")
    messages = queued_messages(broker)

    assert client.delete("/v1/invoices/i-1", headers=auth(firm)).status_code == 204

    assert queued_messages(broker) == messages + 2
    with services.uow() as uow:
        invoice = uow.invoices.get(firm.id, "i-1")
        payment = uow.payments.get(firm.id, "p-1")
        assert invoice is not None and payment is not None
        assert invoice.deleted_at is not None and payment.deleted_at is not None
        assert (invoice.version, payment.version) == (2, 2)
        assert (invoice.status.value, payment.status.value) == ("syncing", "syncing")
        invoice_job = uow.jobs.active_for("invoice", invoice.id or 0)
        payment_job = uow.jobs.active_for("payment", payment.id or 0)
        assert invoice_job is not None and payment_job is not None
        assert (invoice_job.kind.value, payment_job.kind.value) == ("push_invoice", "push_payment")
