"""One error shape for every failure: `{"code", "status", "message", "errors"}` (SPEC §5)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import (
    BadGateway,
    BadRequest,
    Conflict,
    HTTPException,
    NotFound,
    RequestEntityTooLarge,
    ServiceUnavailable,
    UnprocessableEntity,
)

from api.openapi import ApiDocPlugin, refuse_undeclared_input
from api.schemas import ErrorSchema, StoredTextConverter
from core.errors import (
    ConfigurationError,
    ConflictError,
    InvalidValueError,
    NotConnectedError,
    NotFoundError,
    QboError,
    UnknownRecordsError,
)
from core.services.connection import ConsentRefusedError


class QbsyncApi(Api):  # type: ignore[misc]
    """flask-smorest's Api: every error body with its `message` and `errors` and the headers
    its status needs (Allow on a 405), every operation documented whole (api.openapi), and
    what an operation does not take, or the store cannot hold, refused (api.schemas)."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation names the errors it gives instead

    def __init__(self, app: Flask) -> None:
        self.doc_plugin = ApiDocPlugin()
        for name in ("default", "string"):  # before any route is added
            app.url_map.converters[name] = StoredTextConverter
        super().__init__(app, spec_kwargs={"extra_plugins": [self.doc_plugin]})

    def register_blueprint(self, blp: Blueprint, **options: Any) -> None:
        # A blueprint with no before_request hook checks no key: its operations are open.
        self.doc_plugin.keyless_blueprint = not any(blp.before_request_funcs.values())
        super().register_blueprint(blp, **options)
        views = self._app.view_functions
        prefix = f"{options.get('name', blp.name)}."
        for endpoint in [e for e in views if e.startswith(prefix)]:
            views[endpoint] = refuse_undeclared_input(self.doc_plugin.inputs, views[endpoint])

    def handle_http_exception(self, error: HTTPException) -> Any:
        payload, code, headers = super().handle_http_exception(error)
        if isinstance(error, RequestEntityTooLarge):
            payload["message"] = _too_large()
        payload.setdefault("message", error.description or error.name)
        payload.setdefault("errors", {})
        own = {name: value for name, value in error.get_headers() if name != "Content-Type"}
        return payload, code, {**own, **(headers or {})}


def _too_large() -> str:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    return (
        f"The request body is larger than the {limit} bytes ({limit / 2**20:g} MiB) a request "
        "may send."
    )


def register_domain_errors(app: Flask, api: QbsyncApi) -> None:
    """Map the core exception tree onto HTTP errors, in one place."""

    @app.errorhandler(NotFoundError)
    def not_found(error: NotFoundError) -> Any:
        return api.handle_http_exception(NotFound(f"No {error.kind} {error.key!r} in this firm."))

    @app.errorhandler(UnknownRecordsError)
    def unknown_records(error: UnknownRecordsError) -> Any:
        refused = UnprocessableEntity(str(error))
        refused.data = {"errors": {"json": {error.field: [str(error)]}}}  # type: ignore[attr-defined]
        return api.handle_http_exception(refused)

    @app.errorhandler(InvalidValueError)
    def invalid_value(error: InvalidValueError) -> Any:
        refused = UnprocessableEntity(error.message)
        refused.data = {"errors": {"json": {error.field: [error.message]}}}  # type: ignore[attr-defined]
        return api.handle_http_exception(refused)

    @app.errorhandler(ConsentRefusedError)
    def consent_refused(error: ConsentRefusedError) -> Any:
        return api.handle_http_exception(BadRequest(str(error)))

    @app.errorhandler(ConfigurationError)
    def misconfigured(error: ConfigurationError) -> Any:
        return api.handle_http_exception(ServiceUnavailable(str(error)))

    @app.errorhandler(NotConnectedError)
    def not_connected(error: NotConnectedError) -> Any:
        return api.handle_http_exception(Conflict(str(error)))

    @app.errorhandler(QboError)
    def qbo_failed(error: QboError) -> Any:
        # Intuit refused or failed a call made on the request path (the OAuth dance).
        return api.handle_http_exception(BadGateway(error.message))

    @app.errorhandler(ConflictError)
    def conflict(error: ConflictError) -> Any:
        return api.handle_http_exception(Conflict(str(error)))
