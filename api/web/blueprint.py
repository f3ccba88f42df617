"""The web page's blueprint, and how it answers errors: pages for a person, JSON for its
script, never the JSON API's error bodies."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from api.web import statuses
from api.web.forms import here, refused, wants_json
from core.domain.status import SyncStatus
from core.errors import (
    ConfigurationError,
    ConflictError,
    NotConnectedError,
    NotFoundError,
    QboError,
    UnknownRecordsError,
)

blp = Blueprint(
    "web",
    __name__,
    url_prefix="/app",
    template_folder="templates",
    static_folder="static",
)

# A path segment the store can hold (the app's `string` converter), as the API's ids are.
EXTERNAL_ID = "<string(maxlength=200):external_id>"


def error_page(status: int, title: str, message: str) -> tuple[Any, int]:
    """An error as a page, or as JSON for the page's script."""
    if wants_json():
        return jsonify(message=message, ok=False), status
    return render_template("web/error.html", title=title, message=message), status


@blp.errorhandler(NotFoundError)
def not_found(error: NotFoundError) -> tuple[Any, int]:
    # Another firm's record answers as one that does not exist.
    return error_page(404, "Not found", f"There is no {error.kind} {error.key!r} in your firm.")


@blp.errorhandler(UnknownRecordsError)
def unknown_records(error: UnknownRecordsError) -> tuple[Any, int]:
    return error_page(404, "Not found", str(error))


@blp.errorhandler(ConflictError)
def conflict(error: ConflictError) -> Response:
    return refused(str(error), 409)


@blp.errorhandler(NotConnectedError)
def not_connected(error: NotConnectedError) -> Response:
    return refused(str(error), 409)


@blp.errorhandler(QboError)
def qbo_failed(error: QboError) -> Response:
    return refused(f"QuickBooks did not answer as expected: {error.message}", 502)


@blp.errorhandler(ConfigurationError)
def misconfigured(error: ConfigurationError) -> tuple[Any, int]:
    return error_page(503, "Not available", str(error))


@blp.errorhandler(CSRFError)
def csrf_refused(error: CSRFError) -> tuple[Any, int]:
    message = (
        f"The form was refused ({error.description}). Reload the page and try again: "
        "each form carries a token that proves it came from this site."
    )
    return error_page(400, "Form refused", message)


@blp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Any:
    if error.code is None or error.code < 400:
        return error  # a redirect raised as an exception: let it through
    # flask-smorest's abort (the rate limit's 429) puts its message and headers in `data`.
    data = getattr(error, "data", None) or {}
    message = data.get("message") or error.description or error.name
    page, status = error_page(error.code, error.name, message)
    return page, status, data.get("headers") or {}


def _never_cached(response: Response) -> Response:
    """Pages show a firm's records: no shared cache keeps them."""
    if request.endpoint != "web.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


blp.after_request(_never_cached)


# What the templates (and the macros a live update renders on its own) call on.
TEMPLATE_GLOBALS: dict[str, Any] = {
    "status_labels": statuses.LABELS,
    "status_meanings": statuses.MEANINGS,
    "error_shown": statuses.error_shown,
    "dom_id": statuses.dom_id,
    "in_utc": statuses.in_utc,
    "here": here,
    "SyncStatus": SyncStatus,
}
blp.record_once(lambda state: state.app.jinja_env.globals.update(TEMPLATE_GLOBALS))
