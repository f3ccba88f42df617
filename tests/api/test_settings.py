"""SPEC §2.7: the firm's sync settings, read and changed through the API, validated."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from core.bootstrap import Services
from tests.api.conftest import auth
from tests.conftest import Firm, Sandbox, connected_firm

DEFAULTS = {
    "auto_sync_new_accounts": False,
    "default_customer_type": "Individual",
    "sync_invoices_from": None,
    "sync_manual_payments": True,
    "first_sync_scope": "all",
    "updated_at": None,
}


def test_a_firm_that_changed_nothing_reads_the_defaults(client: FlaskClient, firm: Firm) -> None:
    answer = client.get("/v1/settings", headers=auth(firm))
    assert answer.status_code == 200
    assert answer.json == DEFAULTS


def test_a_patch_changes_the_named_settings_and_keeps_the_others(
    client: FlaskClient, firm: Firm
) -> None:
    changed = client.patch(
        "/v1/settings",
        json={"sync_invoices_from": "2026-01-01", "first_sync_scope": "with_activity"},
        headers=auth(firm),
    )
    assert changed.status_code == 200, changed.json
    again = client.patch(
        "/v1/settings", json={"auto_sync_new_accounts": True}, headers=auth(firm)
    ).json

    assert again["sync_invoices_from"] == "2026-01-01"
    assert again["first_sync_scope"] == "with_activity"
    assert again["auto_sync_new_accounts"] is True
    assert again["default_customer_type"] == "Individual"
    assert again["updated_at"] is not None
    assert client.get("/v1/settings", headers=auth(firm)).json == again


def test_one_firms_settings_are_not_anothers(
    client: FlaskClient, services: Services, sandbox: Sandbox, firm: Firm
) -> None:
    other = connected_firm(services, sandbox, "Other firm")
    client.patch("/v1/settings", json={"default_customer_type": "Business"}, headers=auth(other))
    assert client.get("/v1/settings", headers=auth(firm)).json["default_customer_type"] == (
        "Individual"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"auto_sync_new_accounts": "yes"}, "auto_sync_new_accounts"),
        ({"sync_manual_payments": 1}, "sync_manual_payments"),
        ({"sync_invoices_from": "31/12/2025"}, "sync_invoices_from"),
        ({"first_sync_scope": "some"}, "first_sync_scope"),
        ({"default_customer_type": ""}, "default_customer_type"),
        ({"default_customer_type": " Individual"}, "default_customer_type"),
        ({"default_customer_type": "Tax: 2026"}, "default_customer_type"),
        ({"default_customer_type": "x" * 101}, "default_customer_type"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_settings_are_refused_with_the_field_named_and_nothing_changes(
    client: FlaskClient, firm: Firm, body: dict[str, Any], field: str
) -> None:
    answer = client.patch("/v1/settings", json=body, headers=auth(firm))
    assert answer.status_code == 422
    assert field in answer.json["errors"]["json"]
    assert client.get("/v1/settings", headers=auth(firm)).json == DEFAULTS


def test_settings_need_an_api_key(client: FlaskClient) -> None:
    assert client.get("/v1/settings").status_code == 401
    assert client.patch("/v1/settings", json={"auto_sync_new_accounts": True}).status_code == 401
