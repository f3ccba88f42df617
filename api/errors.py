"""One error shape for every failure: `{"code", "status", "message", "errors"}` (SPEC §5)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import (
    BadGateway,
    BadRequest,
    Conflict,
    HTTPException,
    NotFound,
    ServiceUnavailable,
    UnprocessableEntity,
)

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
    """flask-smorest's Api, with `message` and `errors` present in every error body."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description or error.name)
        payload.setdefault("errors", {})
        return payload, code, headers


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
