"""POST /v1/webhooks/quickbooks: verified over the raw body, then checks queued, nothing else."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from api.app import create_app
from core.adapters.db.tables import jobs
from core.bootstrap import Services
from core.domain.records import QboConnection
from core.domain.status import SyncStatus
from core.domain.webhooks import webhook_signature
from core.ports import Qbo
from sandbox.seed import DEMO_REALM_ID
from tests.api.conftest import queued_messages
from tests.conftest import Firm
from tests.factories import a_linked_account, row_counts
from worker.dispatch import DramatiqDispatcher

TOKEN = "verifier-token-of-the-app"
SAMPLES = Path(__file__).parents[1] / "fixtures" / "qbo_samples"
SAMPLE_REALM = "9341452783469105"
PATH = "/v1/webhooks/quickbooks"


def sample_body(name: str) -> bytes:
    """A sample delivery, for the sandbox's demo company instead of the sample's."""
    return (SAMPLES / name).read_text().replace(SAMPLE_REALM, DEMO_REALM_ID).encode()


def no_qbo_on_the_request_path(connection: QboConnection) -> Qbo:
    raise AssertionError("the webhook must answer without calling QBO (3 s to answer)")


@pytest.fixture
def webhooks(services: Services, broker: Any) -> FlaskClient:
    settings = replace(services.settings, qbo_webhook_verifier_token=TOKEN)
    served = replace(services, settings=settings, qbo=no_qbo_on_the_request_path)
    app = create_app(served, DramatiqDispatcher(broker))
    app.testing = True
    return app.test_client()


@pytest.fixture
def accounts(services: Services, firm: Firm) -> dict[str, int]:
    """Accounts linked to the sample's customers: 58 updated, 61 merged into 62."""
    return {
        "c58": a_linked_account(services, firm.id, "c58", "58"),
        "c61": a_linked_account(services, firm.id, "c61", "61"),
        "c62": a_linked_account(services, firm.id, "c62", "62"),
        "skipped58": a_linked_account(services, firm.id, "s58", "58", status=SyncStatus.SKIPPED),
        "c99": a_linked_account(services, firm.id, "c99", "99"),
        "c120": a_linked_account(services, firm.id, "c120", "120"),  # the sample's invoice Id
    }


def deliver(client: FlaskClient, body: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["intuit-signature"] = signature
    return client.post(PATH, data=body, headers=headers)


def checked(services: Services) -> set[int]:
    with services.engine.connect() as connection:
        query = sa.select(jobs.c.target_id).where(
            jobs.c.kind == "check_customer_link", jobs.c.state.in_(["queued", "running"])
        )
        return set(connection.scalars(query))


@pytest.mark.parametrize("sample", ["webhook_cloudevents.json", "webhook_notification.json"])
def test_a_signed_delivery_queues_checks_of_the_linked_synced_accounts_only(
    webhooks: FlaskClient,
    services: Services,
    broker: Any,
    accounts: dict[str, int],
    sample: str,
) -> None:
    body = sample_body(sample)

    answer = deliver(webhooks, body, webhook_signature(body, TOKEN))

    assert answer.status_code == 200, answer.json
    assert answer.json == {"events": 3, "checks_queued": 3}
    assert checked(services) == {accounts["c58"], accounts["c61"], accounts["c62"]}
    assert queued_messages(broker) == 3
    with services.uow() as uow:
        assert uow.merges.survivor_of(DEMO_REALM_ID, "61") == "62"


def test_the_same_delivery_twice_queues_no_second_check_and_one_merge(
    webhooks: FlaskClient, services: Services, accounts: dict[str, int]
) -> None:
    body = sample_body("webhook_cloudevents.json")
    assert deliver(webhooks, body, webhook_signature(body, TOKEN)).status_code == 200
    before = row_counts(services)

    again = deliver(webhooks, body, webhook_signature(body, TOKEN))

    assert again.status_code == 200
    assert again.json["checks_queued"] == 0
    assert row_counts(services) == before
    assert before["customer_merges"] == 1


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "bm90IHRoZSBzaWduYXR1cmU=",
        webhook_signature(sample_body("webhook_cloudevents.json"), "another-apps-token"),
        webhook_signature(sample_body("webhook_cloudevents.json")[:-1] + b" ", TOKEN),
    ],
    ids=["unsigned", "empty", "garbage", "other-token", "other-body"],
)
def test_an_unsigned_or_badly_signed_delivery_is_refused_and_changes_nothing(
    webhooks: FlaskClient,
    services: Services,
    broker: Any,
    accounts: dict[str, int],
    signature: str | None,
) -> None:
    before = row_counts(services)

    answer = deliver(webhooks, sample_body("webhook_cloudevents.json"), signature)

    assert answer.status_code == 401
    assert answer.json["code"] == 401
    assert "intuit-signature" in answer.json["message"]
    assert set(answer.json) == {"code", "status", "message", "errors"}
    assert row_counts(services) == before
    assert queued_messages(broker) == 0


@pytest.mark.parametrize(
    "body", [b"not json at all", b'{"something": "else"}', b'[{"type": "qbo.customer"}]', b""]
)
def test_a_well_signed_body_that_is_no_notification_is_a_400_and_changes_nothing(
    webhooks: FlaskClient, services: Services, accounts: dict[str, int], body: bytes
) -> None:
    before = row_counts(services)

    answer = deliver(webhooks, body, webhook_signature(body, TOKEN))

    assert answer.status_code == 400
    assert set(answer.json) == {"code", "status", "message", "errors"}
    assert row_counts(services) == before


def test_without_a_verifier_token_the_endpoint_is_unavailable(
    client: FlaskClient, services: Services, accounts: dict[str, int]
) -> None:
    body = sample_body("webhook_cloudevents.json")
    before = row_counts(services)

    answer = deliver(client, body, webhook_signature(body, ""))

    assert answer.status_code == 503
    assert "QBO_WEBHOOK_VERIFIER_TOKEN" in answer.json["message"]
    assert row_counts(services) == before


def test_events_of_a_realm_no_firm_is_connected_to_are_acknowledged_and_ignored(
    webhooks: FlaskClient, services: Services, accounts: dict[str, int]
) -> None:
    body = (SAMPLES / "webhook_cloudevents.json").read_bytes()  # the sample's own realm
    before = row_counts(services)

    answer = deliver(webhooks, body, webhook_signature(body, TOKEN))

    assert answer.status_code == 200
    assert answer.json == {"events": 3, "checks_queued": 0}
    assert row_counts(services) == before


def test_the_webhook_is_in_the_openapi_document(client: FlaskClient) -> None:
    operation = client.get("/openapi.json").json["paths"][PATH]["post"]
    assert {"200", "400", "401", "503"} <= set(operation["responses"])
    assert "requestBody" in operation
