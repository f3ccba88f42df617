"""An account's e-mail address: sent by the firm's system, shown back, used only to suggest."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import auth
from tests.conftest import Firm


def put(client: FlaskClient, firm: Firm, body: dict) -> dict:
    response = client.put("/v1/accounts/c-1", json=body, headers=auth(firm))
    assert response.status_code in (200, 201), response.json
    return response.json


def shown_email(client: FlaskClient, firm: Firm) -> str | None:
    email: str | None = client.get("/v1/accounts/c-1", headers=auth(firm)).json["email"]
    return email


def test_an_email_address_is_stored_shown_and_cleared_with_null(
    client: FlaskClient, firm: Firm
) -> None:
    created = put(client, firm, {"name": "Jane Doe", "email": "jane@doe.com"})
    assert created["email"] == "jane@doe.com"
    assert shown_email(client, firm) == "jane@doe.com"

    changed = put(client, firm, {"name": "Jane Doe", "email": "j.doe@example.org"})
    assert changed["updated_at"] > created["updated_at"]
    assert shown_email(client, firm) == "j.doe@example.org"

    put(client, firm, {"name": "Jane Doe", "email": None})
    assert shown_email(client, firm) is None


def test_a_put_without_an_email_address_leaves_the_account_without_one(
    client: FlaskClient, firm: Firm
) -> None:
    put(client, firm, {"name": "Jane Doe", "email": "jane@doe.com"})
    put(client, firm, {"name": "Jane Doe"})  # PUT replaces: what is left out is cleared
    assert shown_email(client, firm) is None


# A well-formed address of 324 characters: longer than the 320 an address may have.
TOO_LONG = f"{'j' * 64}@{'.'.join(['d' * 63] * 4)}.com"


@pytest.mark.parametrize("email", ["not an address", "jane@", "", 42, TOO_LONG])
def test_a_bad_email_address_is_refused_and_changes_nothing(
    client: FlaskClient, firm: Firm, email: object
) -> None:
    put(client, firm, {"name": "Jane Doe", "email": "jane@doe.com"})

    response = client.put(
        "/v1/accounts/c-1", json={"name": "Renamed", "email": email}, headers=auth(firm)
    )

    assert response.status_code == 422
    assert "email" in response.json["errors"]["json"]
    account = client.get("/v1/accounts/c-1", headers=auth(firm)).json
    assert (account["name"], account["email"]) == ("Jane Doe", "jane@doe.com")
