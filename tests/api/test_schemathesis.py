"""schemathesis over every operation of /openapi.json, in process over WSGI: no server, no network.

`test_every_operation_answers_as_documented` sends each operation schema-valid requests
(positive) and requests schemathesis made invalid (negative). `test_the_examples_and_links_
lead_where_documented` PUTs an account, an invoice and a payment as the document's examples
show, follows every link of their answers (GET, sync and its job, unsync, history,
candidates, delete) and makes and revokes an API key, then lets schemathesis' own stateful
scenarios follow the links it finds or infers. Every answer must pass CHECKS: no 5xx, a
status code the operation documents, the documented content type, a body matching the
documented schema, the documented headers.

The app is built as tests/api/conftest.py builds it, over `services` that point OAuth and the
webhook's verifier token at the bundled sandbox (overridden below), so that disconnecting,
authorizing and the webhook answer without leaving the machine. Hypothesis is derandomized
(its seed derives from the test) and keeps no example database, so CI sends the same requests
each time. The example counts keep both tests at about 20 s a database backend here.

The operations are walked here rather than through schemathesis' pytest plugin
(`schemathesis.pytest.from_fixture`), which fails under pytest 9.2: it sets
`request.node._nodeid`, which pytest no longer has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.errors import FailureGroup

from core.bootstrap import Services
from core.services.connection import connection_status
from core.services.firms import connect_firm, create_firm, firm_for_api_key, issue_api_key
from sandbox.seed import (
    DEMO_ACCESS_TOKEN,
)
from tests.conftest import (
    Firm,
    Sandbox,
    built_services,
    empty_database,
    sandbox_oauth_settings,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
POSITIVE_EXAMPLES = 25
NEGATIVE_EXAMPLES = 15
# A path's only invalid values are ids longer than the route takes (404); each costs 100 ms
# to generate, and a few show it.
PATH_NEGATIVE_EXAMPLES = 3
SCENARIOS, SCENARIO_STEPS = 20, 8
HYPOTHESIS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    # A failure is reported as found, with its curl command: shrinking it can take minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def services(database_url: str, sandbox: Sandbox) -> Iterator[Services]:
    """tests/conftest.py's services, with Intuit's OAuth and the webhook's token the sandbox's."""
    settings = sandbox_oauth_settings(
        database_url,
        sandbox,
        qbo_webhook_verifier_token="schemathesis-verifier-token",
        # About 1,000 requests a minute go with one key here; the limit has tests of its own.
        api_rate_limit=None,
    )
    with built_services(settings) as built:
        yield built


class FirmState:
    """The firm's key and connection, given back when a generated request took them away
    (DELETE /v1/api-keys/{id} may revoke the key in use, DELETE /v1/connection disconnects),
    and the whole database emptied for a scenario to start from nothing."""

    def __init__(self, services: Services, sandbox: Sandbox, firm: Firm) -> None:
        self.services, self.sandbox = services, sandbox
        self.firm_id, self.key = firm.id, firm.api_key

    def headers(self) -> dict[str, str]:
        if firm_for_api_key(self.services.reader(), self.key) is None:
            _, self.key = issue_api_key(self.services.uow(), self.firm_id, self.services.clock())
        return {"Authorization": f"Bearer {self.key}"}

    def reconnect(self) -> None:
        services = self.services
        if connection_status(services.uow(), self.firm_id, services.clock()).connected:
            return
        connect_firm(
            services.uow(),
            services.vault,
            self.firm_id,
            realm_id=self.sandbox.realm_id,
            api_base_url=self.sandbox.url,
            access_token=DEMO_ACCESS_TOKEN,
            now=services.clock(),
        )

    def start_afresh(self) -> None:
        """An empty database with the firm, its key and its connection, as the test began."""
        empty_database(self.services.settings.database_url)
        services = self.services
        self.firm_id, _ = create_firm(services.uow(), "Test firm", services.clock(), self.key)
        self.reconnect()


def run_cases(operation: Any, mode: GenerationMode, examples: int, state: FirmState) -> str | None:
    """Send `examples` generated requests to `operation`; the first failure's report, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(HYPOTHESIS, max_examples=examples)
    def send(case: Any) -> None:
        case.call_and_validate(headers=state.headers(), checks=CHECKS)

    try:
        send()
    except Unsatisfiable:
        return f"schemathesis could not generate a {mode.value} request"
    except (FailureGroup, Exception) as failure:  # checks failed, or the app raised
        return str(failure)
    return None


def takes_input(operation: Any) -> bool:
    """Whether the operation has anything a negative request could make invalid."""
    parameters = [*operation.path_parameters, *operation.query, *operation.headers]
    return bool(parameters) or bool(list(operation.body))


def negative_examples(operation: Any) -> int:
    if list(operation.query) or list(operation.headers) or list(operation.body):
        return NEGATIVE_EXAMPLES
    return PATH_NEGATIVE_EXAMPLES


def test_every_operation_answers_as_documented(
    client: FlaskClient, firm: Firm, services: Services, sandbox: Sandbox
) -> None:
    schema = api_schema(client)
    state = FirmState(services, sandbox, firm)
    failures: dict[str, str] = {}
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tested.append(operation.label)
        state.reconnect()
        modes = [(GenerationMode.POSITIVE, POSITIVE_EXAMPLES)]
        # An operation without parameters or body (a summary, GET /v1/settings) has nothing
        # to make invalid: schemathesis cannot generate a negative request for it.
        if takes_input(operation):
            modes.append((GenerationMode.NEGATIVE, negative_examples(operation)))
        for mode, examples in modes:
            failure = run_cases(operation, mode, examples, state)
            if failure is not None:
                failures[f"{operation.label} ({mode.value})"] = failure

    assert len(tested) == len(documented_operations(client)), "every operation is tested"
    assert not failures, report(failures)


def test_the_examples_and_links_lead_where_documented(
    client: FlaskClient, firm: Firm, services: Services, sandbox: Sandbox
) -> None:
    """The records are PUT as their examples show, each answer's links are followed (an
    account's GET, sync, its job, unsync, history, candidates ...), then schemathesis' own
    scenarios follow the links it finds or infers."""
    schema, document = api_schema(client), client.get("/openapi.json").json
    walk = LinkWalk(schema, document, FirmState(services, sandbox, firm))

    walk.run()

    assert {step.split()[1] for step in walk.answers} >= {
        "/v1/accounts/{external_id}/history",
        "/v1/jobs/{job_id}",
        "/v1/invoices/{external_id}/unsync",
        "/v1/payments/{external_id}",
        "/v1/api-keys/{key_id}",
    }
    created = [walk.answers[f"PUT /v1/{kind}/{{external_id}}"] for kind in RECORDS]
    assert created == [201, 201, 201], "each request example is taken"
    assert 404 not in walk.answers.values(), "a link names a record that is there"
    assert not walk.failures, report(walk.failures)
    scenario_failure = run_scenarios(schema, walk.state)
    assert scenario_failure is None, scenario_failure


RECORDS = ("accounts", "invoices", "payments")


class LinkWalk:
    """The document's request examples sent, and the links of their answers followed."""

    def __init__(self, schema: Any, document: dict[str, Any], state: FirmState) -> None:
        self.schema, self.document, self.state = schema, document, state
        self.answers: dict[str, int] = {}  # "METHOD path" -> status, in the order sent
        self.failures: dict[str, str] = {}

    def run(self) -> None:
        # Every record first (a payment needs its invoice), then their links, the payment's
        # before the invoice's, whose Delete takes the payment along.
        seeds = [self.send(path, "put", *self.example(path)) for path in self.record_paths()]
        seeds.append(self.send("/v1/api-keys", "post", {}, None))
        for path, answer in reversed(seeds):
            self.follow(path, answer)

    def record_paths(self) -> list[str]:
        return [f"/v1/{kind}/{{external_id}}" for kind in RECORDS]

    def example(self, path: str) -> tuple[dict[str, Any], Any]:
        """The PUT's request example, and the path parameter its answer's example names."""
        put = self.document["paths"][path]["put"]
        body = put["requestBody"]["content"]["application/json"]["example"]
        answer = put["responses"]["200"]["content"]["application/json"]["example"]
        return {"external_id": answer["external_id"]}, body

    def send(
        self, path: str, method: str, parameters: dict[str, Any], body: Any
    ) -> tuple[tuple[str, str], Any]:
        operation = self.schema[path][method.upper()]
        case = operation.Case(
            path_parameters=parameters,
            **({} if body is None else {"body": body, "media_type": "application/json"}),
        )
        label = f"{method.upper()} {path}"
        try:
            response = case.call_and_validate(headers=self.state.headers(), checks=CHECKS)
        except (FailureGroup, Exception) as failure:
            self.failures[label] = str(failure)
            return (path, method), None
        self.answers[label] = response.status_code
        return (path, method), response

    def follow(self, source: tuple[str, str], response: Any) -> None:
        if response is None:
            return
        path, method = source
        answer = self.document["paths"][path][method]["responses"][str(response.status_code)]
        links = answer.get("links", {})
        for name in sorted(links, key=lambda name: name == "Delete"):  # Delete last
            target = links[name]["operationRef"].removeprefix("#/paths/").rsplit("/", 1)
            target_path = target[0].replace("~1", "/").replace("~0", "~")
            body = response.json()
            parameters = {
                parameter: body[expression.removeprefix("$response.body#/")]
                for parameter, expression in links[name]["parameters"].items()
            }
            self.follow(*self.send(target_path, target[1], parameters, None))


def report(failures: dict[str, str]) -> str:
    return "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())


def api_schema(client: FlaskClient) -> Any:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", client.application)
    # The firm's key goes in every request (FirmState.headers); schemathesis makes up none.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def run_scenarios(schema: Any, state: FirmState) -> str | None:
    """Follow the links schemathesis finds or infers, in `SCENARIOS` scenarios of up to
    `SCENARIO_STEPS` calls each."""
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])  # to get far, be valid

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Hypothesis replays scenarios and wants the same answers to the same requests:
            # each starts from the same empty firm.
            state.start_afresh()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": state.headers()}

        def validate_response(self, response: Any, case: Any, *_: Any, **__: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    scenarios = settings(HYPOTHESIS, max_examples=SCENARIOS, stateful_step_count=SCENARIO_STEPS)
    try:
        Scenarios.run(settings=scenarios)
    except (FailureGroup, Exception) as failure:
        return str(failure)
    return None


def documented_operations(client: FlaskClient) -> list[tuple[str, str]]:
    document = client.get("/openapi.json").json
    return [
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    ]
