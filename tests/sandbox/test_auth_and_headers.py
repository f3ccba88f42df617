"""Bearer tokens on /v3 calls, the 401 shapes, and what every answer carries."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, TOKEN, QboCalls, fault_of, sample

QUERY = f"/v3/company/{REALM_ID}/query?query=select%20*%20from%20Customer"
REPLY_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", TOKEN],
)
def test_a_call_without_a_valid_bearer_token_gets_the_gateway_401(
    client: FlaskClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.get(QUERY, headers=headers)

    assert response.status_code == 401
    body = response.get_json()
    assert body["fault"]["error"][0]["code"] == "3200"
    assert body["fault"]["type"] == "AUTHENTICATION"
    assert isinstance(body["time"], int)


def test_the_issued_token_is_accepted(client: FlaskClient) -> None:
    response = client.get(QUERY, headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200


def test_a_token_issued_for_another_realm_gets_401(
    state: SandboxState, client: FlaskClient
) -> None:
    state.add_realm("other")
    other_token = state.issue_access_token("other")

    response = client.get(QUERY, headers={"Authorization": f"Bearer {other_token}"})

    assert response.status_code == 401


def test_an_unknown_realm_gets_401_even_with_a_known_token(client: FlaskClient) -> None:
    response = client.get(
        "/v3/company/404404/query?query=select%20*%20from%20Customer",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    assert response.status_code == 401


def test_writes_and_reads_need_the_token_too(client: FlaskClient) -> None:
    base = f"/v3/company/{REALM_ID}"

    write = client.post(f"{base}/customer", json={"DisplayName": "Jane Doe"})
    read = client.get(f"{base}/customer/1")

    assert (write.status_code, read.status_code) == (401, 401)


def test_the_xml_switch_answers_the_xml_authentication_fault(state: SandboxState) -> None:
    state.options = SandboxOptions(auth_fault="xml")
    client = create_app(state).test_client()

    response = client.get(QUERY)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/xml;charset=UTF-8"
    text = response.get_data(as_text=True)
    assert '<Fault type="AuthenticationFault">' in text
    assert '<Error code="100">' in text


def test_an_unknown_switch_value_is_refused() -> None:
    with pytest.raises(ValueError, match="auth_fault"):
        SandboxOptions(auth_fault="html")


def test_every_answer_carries_an_intuit_tid_and_qbos_content_type(
    client: FlaskClient, qbo: QboCalls
) -> None:
    answers = [
        qbo.query("select * from Customer"),
        qbo.query("select * from Customer where Notes = 'x'"),
        qbo.post("customer", {"DisplayName": "Jane Doe"}),
        client.get(QUERY),
        client.get("/v3/company/nowhere"),
    ]

    tids = [response.headers["intuit_tid"] for response in answers]
    assert all(re.match(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$", tid) for tid in tids)
    assert len(set(tids)) == len(tids)
    assert {r.headers["Content-Type"] for r in answers} == {"application/json;charset=UTF-8"}


def test_answer_times_have_milliseconds_and_an_offset(qbo: QboCalls) -> None:
    ok = qbo.query("select * from Customer").get_json()
    fault = qbo.query("select * from Customer where Notes = 'x'").get_json()

    assert REPLY_TIME.match(ok["time"])
    assert REPLY_TIME.match(fault["time"])
    assert REPLY_TIME.match(sample("empty_query_response.json")["time"])


def test_format_json_and_a_generic_accept_header_get_json(client: FlaskClient) -> None:
    response = client.get(
        f"{QUERY}&format=json&minorversion=65",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json, text/plain, */*"},
    )

    assert response.status_code == 200
    assert response.get_json() is not None


def test_an_unknown_path_answers_a_fault_shaped_404(client: FlaskClient) -> None:
    response = client.get("/v3/nowhere", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 404
    assert fault_of(response)["Message"] == "Unsupported Operation"


def test_an_unknown_entity_is_an_unsupported_operation(qbo: QboCalls) -> None:
    response = qbo.get("widget/1")

    assert (response.status_code, fault_of(response)["code"]) == (400, "500")
