"""The QBO customers a firm can link to, and an account's candidates, read from the sandbox."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from core.adapters.db.tables import jobs, status_changes
from core.bootstrap import Services
from core.services.customers import CustomerDirectory
from core.services.firms import create_firm
from sandbox.seed import INACTIVE_CUSTOMER
from tests.api.conftest import auth, queued_messages
from tests.conftest import Firm, Sandbox, connected_firm

CUSTOMERS = "/v1/quickbooks/customers"


def listed(client: FlaskClient, firm: Firm, query: str = "") -> dict:
    response = client.get(f"{CUSTOMERS}?{query}", headers=auth(firm))
    assert response.status_code == 200, response.json
    return response.json


def names(page: dict) -> list[str]:
    return [item["display_name"] for item in page["items"]]


def sandbox_names(sandbox: Sandbox, *, inactive: bool) -> list[str]:
    rows = sandbox.state.customers(sandbox.realm_id)
    shown = [r["DisplayName"] for r in rows if inactive or r["Active"]]
    return sorted(shown, key=str.casefold)


def qbo_reads(sandbox: Sandbox) -> int:
    reads: int = sandbox.state.throttle.counters.of(sandbox.realm_id)["reads"]
    return reads


def unconnected_firm(services: Services) -> Firm:
    firm_id, key = create_firm(services.uow(), "Not connected", services.clock())
    return Firm(id=firm_id, api_key=key)


# The customer list


def test_the_list_holds_the_active_customers_by_name_with_their_details(
    client: FlaskClient, firm: Firm, sandbox: Sandbox
) -> None:
    page = listed(client, firm)

    assert names(page) == sandbox_names(sandbox, inactive=False)
    assert (page["page"], page["page_size"], page["total"]) == (1, 50, len(page["items"]))
    cool_cars = next(item for item in page["items"] if item["display_name"] == "Cool Cars")
    [stored] = [c for c in sandbox.state.customers(sandbox.realm_id) if c["Id"] == cool_cars["id"]]
    assert cool_cars == {
        "id": stored["Id"],
        "display_name": "Cool Cars",
        "active": True,
        "email": stored["PrimaryEmailAddr"]["Address"],
    }


def test_inactive_customers_are_listed_only_when_asked_for(
    client: FlaskClient, firm: Firm, sandbox: Sandbox
) -> None:
    everyone = listed(client, firm, "include_inactive=true")

    assert INACTIVE_CUSTOMER not in names(listed(client, firm))
    assert names(everyone) == sandbox_names(sandbox, inactive=True)
    assert [i["display_name"] for i in everyone["items"] if not i["active"]] == [INACTIVE_CUSTOMER]


def test_the_search_finds_names_containing_the_text_in_any_case(
    client: FlaskClient, firm: Firm
) -> None:
    assert names(listed(client, firm, "q=cOOl")) == ["Cool Cars"]
    assert names(listed(client, firm, "q=%27s+")) == [
        "Amy's Bird Sanctuary",
        "Bill's Windsurf Shop",
        "Jeff's Jalopies",
    ]
    assert names(listed(client, firm, "q=kathy")) == []
    assert names(listed(client, firm, "q=kathy&include_inactive=true")) == [INACTIVE_CUSTOMER]
    assert listed(client, firm, "q=nobody+at+all")["total"] == 0


def test_pages_cut_the_sorted_list_and_the_total_counts_all_matches(
    client: FlaskClient, firm: Firm, sandbox: Sandbox
) -> None:
    everyone = sandbox_names(sandbox, inactive=False)

    pages = [listed(client, firm, f"page={n}&page_size=4") for n in (1, 2, 3, 4)]

    assert [names(p) for p in pages] == [everyone[0:4], everyone[4:8], everyone[8:], []]
    assert {p["total"] for p in pages} == {len(everyone)}
    assert pages[2]["page"] == 3


def test_a_firm_without_a_connection_gets_409(client: FlaskClient, services: Services) -> None:
    response = client.get(CUSTOMERS, headers=auth(unconnected_firm(services)))

    assert response.status_code == 409
    assert response.json["status"] == "Conflict"
    assert "QuickBooks is not connected" in response.json["message"]


def test_the_list_needs_an_api_key(client: FlaskClient) -> None:
    assert client.get(CUSTOMERS).status_code == 401
    wrong = client.get(CUSTOMERS, headers={"Authorization": "Bearer not-a-key"})
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    "query", ["page_size=0", "page_size=201", "page=0", "sort=name", "include_inactive=maybe"]
)
def test_bad_query_arguments_are_422_and_ask_qbo_nothing(
    client: FlaskClient, firm: Firm, sandbox: Sandbox, query: str
) -> None:
    response = client.get(f"{CUSTOMERS}?{query}", headers=auth(firm))

    assert response.status_code == 422
    assert response.json["errors"]["query"]
    assert qbo_reads(sandbox) == 0


def test_qbo_failing_answers_502_in_the_house_shape(
    client: FlaskClient, firm: Firm, sandbox: Sandbox
) -> None:
    httpx.put(f"{sandbox.url}/_sandbox/faults", json={"5xx": 1.0}).raise_for_status()

    response = client.get(CUSTOMERS, headers=auth(firm))

    assert response.status_code == 502
    assert set(response.json) == {"code", "status", "message", "errors"}


# The cache


@dataclass
class FakeClock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_list_is_read_from_qbo_once_per_minute_and_shared_with_candidates(
    client: FlaskClient, services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    clock = FakeClock()
    services.customers = CustomerDirectory(ttl_seconds=60, clock=clock)
    client.put("/v1/accounts/c-1", json={"name": "Cool Cars"}, headers=auth(firm))

    listed(client, firm)
    after_first = qbo_reads(sandbox)
    sandbox.state.add_customer(sandbox.realm_id, DisplayName="Added Meanwhile")
    clock.now += 59
    within = listed(client, firm, "q=meanwhile&page_size=3")
    client.get("/v1/accounts/c-1/candidates", headers=auth(firm))
    after_within = qbo_reads(sandbox)
    clock.now += 2
    later = listed(client, firm, "q=meanwhile")

    assert after_first == 1
    assert after_within == after_first
    assert names(within) == []
    assert qbo_reads(sandbox) == 2
    assert names(later) == ["Added Meanwhile"]


# Candidates


@pytest.fixture
def jane_doe_lookalikes(sandbox: Sandbox) -> dict[str, str]:
    """Customers that each match "Jane Doe" <jane@doe.com> for one reason: Id by reason."""
    # QBO's case rule for names is unconfirmed; the sandbox's switch lets both spellings exist.
    httpx.patch(
        f"{sandbox.url}/_sandbox/options", json={"name_case": "sensitive"}
    ).raise_for_status()
    made = {
        "company_suffix": {"DisplayName": "Jane Doe LLC"},
        "email": {
            "DisplayName": "The Doe Household",
            "PrimaryEmailAddr": {"Address": "JANE@doe.com"},
        },
        "deleted_suffix": {"DisplayName": "Jane Doe (deleted)", "Active": False},
        "name_order": {"DisplayName": "Doe, Jane"},
        "punctuation": {"DisplayName": "Jane-Doe"},
        "whitespace": {"DisplayName": "Jane  Doe"},
        "case": {"DisplayName": "JANE DOE"},
        "exact": {"DisplayName": "Jane Doe"},
    }
    ids = {
        reason: sandbox.state.add_customer(sandbox.realm_id, **fields)["Id"]
        for reason, fields in made.items()
    }
    sandbox.state.add_customer(sandbox.realm_id, DisplayName="Jane Does")  # not a candidate
    return ids


def candidates(client: FlaskClient, firm: Firm, external_id: str = "c-1") -> list[dict]:
    response = client.get(f"/v1/accounts/{external_id}/candidates", headers=auth(firm))
    assert response.status_code == 200, response.json
    items: list[dict] = response.json["items"]
    return items


def test_candidates_come_best_first_each_with_its_reason(
    client: FlaskClient, firm: Firm, jane_doe_lookalikes: dict[str, str]
) -> None:
    body = {"name": " Jane Doe ", "email": "jane@doe.com"}
    client.put("/v1/accounts/c-1", json=body, headers=auth(firm))

    found = candidates(client, firm)

    assert [(c["reason"], c["customer"]["id"]) for c in found] == [
        (reason, jane_doe_lookalikes[reason])
        for reason in (
            "exact",
            "case",
            "whitespace",
            "punctuation",
            "name_order",
            "deleted_suffix",
            "company_suffix",
            "email",
        )
    ]
    deleted = found[5]
    assert deleted["customer"] == {
        "id": jane_doe_lookalikes["deleted_suffix"],
        "display_name": "Jane Doe (deleted)",
        "active": False,
        "email": None,
    }
    assert "reactivate it" in deleted["explanation"]
    assert found[7]["customer"]["email"] == "JANE@doe.com"
    assert all(c["explanation"].endswith(".") for c in found)


def test_an_account_without_lookalikes_has_no_candidates(client: FlaskClient, firm: Firm) -> None:
    client.put("/v1/accounts/c-1", json={"name": "Nobody Like Them"}, headers=auth(firm))
    assert candidates(client, firm) == []


def test_asking_for_candidates_links_nothing(
    client: FlaskClient,
    services: Services,
    firm: Firm,
    broker: object,
    jane_doe_lookalikes: dict[str, str],
) -> None:
    client.put("/v1/accounts/c-1", json={"name": "Jane Doe"}, headers=auth(firm))
    before = client.get("/v1/accounts/c-1", headers=auth(firm)).json

    assert candidates(client, firm)[0]["reason"] == "exact"

    after = client.get("/v1/accounts/c-1", headers=auth(firm)).json
    assert after == before
    assert (after["status"], after["qbo_customer_id"]) == ("not_synced", None)
    with services.engine.connect() as connection:
        for table in (jobs, status_changes):
            assert connection.scalar(sa.select(sa.func.count()).select_from(table)) == 0
    assert queued_messages(broker) == 0


def test_another_firms_account_and_an_unknown_one_are_404(
    client: FlaskClient, services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    client.put("/v1/accounts/c-1", json={"name": "Cool Cars"}, headers=auth(firm))
    other = connected_firm(services, sandbox, "Other firm")

    theirs = client.get("/v1/accounts/c-1/candidates", headers=auth(other))
    unknown = client.get("/v1/accounts/nope/candidates", headers=auth(firm))

    assert (theirs.status_code, unknown.status_code) == (404, 404)
    assert theirs.json["message"] == "No account 'c-1' in this firm."
    assert qbo_reads(sandbox) == 0


def test_candidates_need_a_connection_and_an_api_key(
    client: FlaskClient, services: Services
) -> None:
    lonely = unconnected_firm(services)
    client.put("/v1/accounts/c-1", json={"name": "Cool Cars"}, headers=auth(lonely))

    assert client.get("/v1/accounts/c-1/candidates", headers=auth(lonely)).status_code == 409
    assert client.get("/v1/accounts/c-1/candidates").status_code == 401


def test_the_openapi_document_describes_both_endpoints(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").json["paths"]
    listing = paths[CUSTOMERS]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "q",
        "include_inactive",
        "page",
        "page_size",
    }
    assert paths["/v1/accounts/{external_id}/candidates"]["get"]["summary"].startswith("Suggest")
