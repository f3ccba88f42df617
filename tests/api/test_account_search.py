"""`GET /v1/accounts?q=`: accounts whose name contains a text, in any case."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from core.adapters.db.tables import accounts, jobs, status_changes
from core.bootstrap import Services
from tests.api.conftest import auth
from tests.conftest import Firm, Sandbox, connected_firm
from tests.factories import count_rows
from tests.servers import HAS_POSTGRES


def put_accounts(client: FlaskClient, firm: Firm, *names: str) -> None:
    for n, name in enumerate(names):
        response = client.put(f"/v1/accounts/c-{n}", json={"name": name}, headers=auth(firm))
        assert response.status_code == 201, response.json


def found(client: FlaskClient, firm: Firm, query: str) -> list[str]:
    response = client.get(f"/v1/accounts?{query}", headers=auth(firm))
    assert response.status_code == 200, response.json
    return [account["name"] for account in response.json["items"]]


def test_q_finds_the_names_containing_it_in_any_case_oldest_first(
    client: FlaskClient, firm: Firm
) -> None:
    put_accounts(client, firm, "Jane Doe", "Mary Smith", "JOHN DOEMAN", "the doe family trust")

    page = client.get("/v1/accounts?q=doe", headers=auth(firm)).json

    assert [a["name"] for a in page["items"]] == ["Jane Doe", "JOHN DOEMAN", "the doe family trust"]
    assert page["total"] == 3
    assert found(client, firm, "q=Y%20SMI") == ["Mary Smith"]
    assert found(client, firm, "q=nobody") == []


def test_q_combines_with_the_status_and_the_pages(client: FlaskClient, firm: Firm) -> None:
    put_accounts(client, firm, "Doe 1", "Doe 2", "Doe 3", "Doe 4", "Smith 5")
    for external_id in ("c-1", "c-3", "c-4"):
        client.post(f"/v1/accounts/{external_id}/sync", headers=auth(firm))

    syncing = client.get("/v1/accounts?q=doe&status=syncing", headers=auth(firm)).json
    assert [a["name"] for a in syncing["items"]] == ["Doe 2", "Doe 4"]
    assert syncing["total"] == 2

    second = client.get("/v1/accounts?q=DOE&page=2&page_size=3", headers=auth(firm)).json
    assert [a["name"] for a in second["items"]] == ["Doe 4"]
    assert (second["total"], second["page"], second["page_size"]) == (4, 2, 3)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("%25", ["100% Organic"]),  # %, URL-encoded
        ("_", ["a_b Holdings"]),
        ("\\", ["Back\\slash Ltd"]),
        ("/", ["Slash/Name Co"]),
        ("%25%25", []),
        ("a_b", ["a_b Holdings"]),
    ],
)
def test_the_like_wildcards_in_q_match_only_themselves(
    client: FlaskClient, firm: Firm, q: str, expected: list[str]
) -> None:
    put_accounts(
        client, firm, "100% Organic", "100 Percent", "a_b Holdings", "axb Holdings",
        "Back\\slash Ltd", "Backslash Ltd", "Slash/Name Co",
    )  # fmt: skip

    assert found(client, firm, f"q={q}") == expected


def test_the_white_space_around_q_is_left_out(client: FlaskClient, firm: Firm) -> None:
    put_accounts(client, firm, "Jane Doe", "Janet Roe")

    assert found(client, firm, "q=%20%20jane%20d%20") == ["Jane Doe"]


@pytest.mark.skipif(not HAS_POSTGRES, reason="PostgreSQL does not answer")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_accented_letters_match_in_any_case_too(
    client: FlaskClient, firm: Firm
) -> None:
    # SQLite's lower() folds ASCII letters only (README, the API table).
    put_accounts(client, firm, "ÉCOLE ÜBER", "Ecole Uber")

    assert found(client, firm, "q=école%20über") == ["ÉCOLE ÜBER"]


def test_q_sees_only_the_callers_firm(
    client: FlaskClient, services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    put_accounts(client, firm, "Jane Doe")
    other = connected_firm(services, sandbox, "Other firm")

    page = client.get("/v1/accounts?q=doe", headers=auth(other)).json
    assert (page["items"], page["total"]) == ([], 0)


@pytest.mark.parametrize(
    "q",
    ["q=", "q=%20%20%20", f"q={'x' * 201}", "q=a%00b", "q=a%0Ab"],
    ids=["empty", "blank", "too long", "NUL", "line break"],
)
def test_a_bad_q_answers_422_in_the_error_shape_and_changes_nothing(
    client: FlaskClient, services: Services, firm: Firm, q: str
) -> None:
    put_accounts(client, firm, "Jane Doe")
    before = count_rows(services, accounts, jobs, status_changes)

    response = client.get(f"/v1/accounts?{q}", headers=auth(firm))

    assert response.status_code == 422
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert "q" in response.json["errors"]["query"]
    assert count_rows(services, accounts, jobs, status_changes) == before


def test_q_of_200_characters_once_trimmed_is_taken(client: FlaskClient, firm: Firm) -> None:
    put_accounts(client, firm, "Jane Doe")

    assert found(client, firm, f"q=%20{'x' * 200}%20") == []
