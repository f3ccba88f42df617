"""What the OpenAPI document says beyond each view's own decorators, added in one place.

A view declares its schemas, its summary (the docstring) and the errors only it gives
(`answers(409)`); `ApiDocPlugin` adds to every operation what follows from its shape, in the
one `Error` shape:

- `security`: the bearer key, or none (`security: []`) for the operations of a blueprint
  without a `before_request` hook (health, the QBO webhook, metrics: nothing checks a key)
  and for a view marked `open_operation` (the OAuth callback);
- 401 (with `WWW-Authenticate`), 422 and 429 (with `Retry-After`) where a key is needed;
- 404 where the path names a record;
- 400 (not JSON), 413 (over 1 MiB) and 422 where it takes a body, 422 where it takes query
  arguments;
- the links between operations (`LINKS`): what a client, or schemathesis, does next.

While documenting, the plugin notes what each operation takes (`Inputs`), so that the API
refuses what the document does not name (`refuse_undeclared_input`, hence the 422 of every
operation that needs a key): a query argument of an operation that takes none, a field of a
JSON body sent to one that takes none. The open operations are left lenient: Intuit, load
balancers and browsers call them, and may add what they like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from apispec import APISpec, BasePlugin
from flask import current_app, request
from flask_smorest import Blueprint, abort

from api.schemas import ErrorSchema

BEARER = "bearerAuth"
UNKNOWN_FIELD = "Unknown field."

# Each error answer the API gives: its component's name, and what it means.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "The body is not JSON, or the request cannot be carried out as sent"),
    401: ("Unauthorized", "No API key, or one that is not valid or has been revoked"),
    404: ("NotFound", "This firm has no such record"),
    409: (
        "Conflict",
        "The request clashes with the record's state, or QuickBooks is not connected; "
        "`message` says which",
    ),
    413: ("ContentTooLarge", "The request body is larger than 1 MiB"),
    422: (
        "UnprocessableEntity",
        "A body field or query argument is missing, unknown or not valid; `errors` names it "
        "(`errors.json.<field>`, `errors.query.<argument>`) and nothing was written",
    ),
    429: ("TooManyRequests", "Too many requests with this API key; try again after Retry-After"),
    502: ("BadGateway", "QuickBooks or Intuit failed a call made on the request's path"),
    503: ("ServiceUnavailable", "The service is not configured for this, or not ready"),
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": 'How to authenticate: `Bearer realm="qbsync"`',
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds until the key may send again",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}
SIGNATURE_REFUSED = "SignatureRefused"  # the QBO webhook's 401: no key, so no WWW-Authenticate
DESCRIPTION = """\
qbsync's admin API: a firm's client accounts, invoices and payments, synced to QuickBooks
Online. Every operation but those declaring `security: []` (health, the OAuth callback, the
QBO webhook, metrics; this document and /docs too) needs `Authorization: Bearer <API key>`,
and a key sees only its own firm's records.

Every error is JSON in one shape, `Error`: `{"code", "status", "message", "errors"}`. Bad input
is refused and writes nothing: a body that is not JSON is a 400, a body over 1 MiB a 413, and a
missing, bad or unknown field or query argument a 422 naming it in `errors`."""


def _path(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def _link(path: str, method: str, **parameters: str) -> dict[str, Any]:
    return {"operationRef": f"#/paths/{_path(path)}/{method}", "parameters": parameters}


def _put_links(kind: str, **more: tuple[str, str]) -> dict[str, dict[str, Any]]:
    """The links of a PUT's answers (200 and 201) to the record's next operations, each named
    with its path's suffix and its method."""
    record = f"/v1/{kind}/{{external_id}}"
    targets = {
        "Get": ("", "get"),
        "Sync": ("/sync", "post"),
        "Unsync": ("/unsync", "post"),
        "History": ("/history", "get"),
        **more,
    }
    links = {
        name: _link(f"{record}{suffix}", method, external_id="$response.body#/external_id")
        for name, (suffix, method) in targets.items()
    }
    return {"200": links, "201": links}


_JOB = {"202": {"GetJob": _link("/v1/jobs/{job_id}", "get", job_id="$response.body#/id")}}

# (path, method) -> {status: links}: what a client does with an answer next.
LINKS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("/v1/accounts/{external_id}", "put"): _put_links(
        "accounts", Candidates=("/candidates", "get")
    ),
    ("/v1/invoices/{external_id}", "put"): _put_links("invoices", Delete=("", "delete")),
    ("/v1/payments/{external_id}", "put"): _put_links("payments", Delete=("", "delete")),
    ("/v1/accounts/{external_id}/sync", "post"): _JOB,
    ("/v1/invoices/{external_id}/sync", "post"): _JOB,
    ("/v1/payments/{external_id}/sync", "post"): _JOB,
    ("/v1/api-keys", "post"): {
        "201": {"Revoke": _link("/v1/api-keys/{key_id}", "delete", key_id="$response.body#/id")}
    },
}


def answers(*statuses: int) -> Callable[[Any], Any]:
    """Document error answers a view gives beyond those its shape implies (`ApiDocPlugin`)."""
    return Blueprint.doc(responses={str(status): ERRORS[status][0] for status in statuses})  # type: ignore[no-any-return]


def open_operation(view: Any) -> Any:
    """Document a view as needing no API key (`security: []`)."""
    return Blueprint.doc(security=[])(view)


@dataclass(frozen=True)
class Inputs:
    """What one operation takes: its query arguments' names, whether a body, whether a key."""

    query: frozenset[str]
    body: bool
    open: bool


class ApiDocPlugin(BasePlugin):
    """Completes each operation's security, error answers and links (see the module doc)."""

    def __init__(self) -> None:
        self.inputs: dict[tuple[str, str], Inputs] = {}
        # Set by QbsyncApi.register_blueprint for the blueprint being documented.
        self.keyless_blueprint = False

    def init_spec(self, spec: APISpec) -> None:
        spec.options.setdefault("info", {})["description"] = DESCRIPTION
        for status, (name, description) in ERRORS.items():
            response: dict[str, Any] = {
                "description": description,
                "content": {"application/json": {"schema": ErrorSchema}},
            }
            if status in HEADERS:
                response["headers"] = HEADERS[status]
            spec.components.response(name, response)
        spec.components.response(
            SIGNATURE_REFUSED,
            {
                "description": "The intuit-signature header is missing or does not sign the body",
                "content": {"application/json": {"schema": ErrorSchema}},
            },
        )

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            parameters = operation.get("parameters", [])
            inputs = Inputs(
                query=frozenset(p["name"] for p in parameters if p.get("in") == "query"),
                body="requestBody" in operation,
                open=self.keyless_blueprint or operation.get("security") == [],
            )
            _complete(path or "", method, operation, inputs)
            if rule is not None:
                self.inputs[(rule.endpoint, method)] = inputs


def _complete(path: str, method: str, operation: dict[str, Any], inputs: Inputs) -> None:
    # flask-smorest keys the responses by number, a view's own doc by string: one kind here.
    responses = {str(k): v for k, v in operation.get("responses", {}).items()}
    statuses: list[int] = []
    operation["security"] = [] if inputs.open else [{BEARER: []}]
    if not inputs.open:
        statuses += [401, 422, 429]
    if "{" in path:
        statuses.append(404)
    if inputs.body:
        statuses += [400, 413]
    if inputs.query or "422" in responses:  # flask-smorest's 422: the view parses arguments
        statuses.append(422)
    for error in statuses:
        responses[str(error)] = ERRORS[error][0]
    for status, links in LINKS.get((path, method), {}).items():
        responses[status] = {**responses[status], "links": links}
    operation["responses"] = dict(sorted(responses.items()))


def refuse_undeclared_input(inputs: dict[tuple[str, str], Inputs], view: Any) -> Any:
    """`view`, refusing (422) a query argument or JSON body field its operation does not take.

    Operations that take query arguments or a body have them checked by their schemas
    (unknown fields refused there); this is for those that take none, so that a client's
    misspelt or misplaced field is refused instead of ignored.
    """

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        assert request.url_rule is not None
        method = "get" if request.method == "HEAD" else request.method.lower()
        taken = inputs.get((request.url_rule.endpoint, method))
        if taken is not None and not taken.open:
            _refuse_unknown(taken)
        return view(*args, **kwargs)

    return guarded


def _refuse_unknown(taken: Inputs) -> None:
    errors: dict[str, Any] = {}
    if not taken.query and request.args:
        errors["query"] = {name: [UNKNOWN_FIELD] for name in request.args}
    fields = [] if taken.body else _json_fields()
    if fields:
        errors["json"] = {name: [UNKNOWN_FIELD] for name in fields}
    if errors:
        abort(422, errors=errors)


def _json_fields() -> list[str]:
    """The fields of a JSON object body of at most the size limit; none of any other body
    (a larger one is not even read)."""
    length, limit = request.content_length, current_app.config.get("MAX_CONTENT_LENGTH")
    if not request.is_json or length is None or (limit is not None and length > limit):
        return []
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested too deep to read: no fields
        return []
    return list(body) if isinstance(body, dict) else []
