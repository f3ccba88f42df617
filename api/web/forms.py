"""What the web page's views read from a request and how they answer an action.

Query arguments go through the JSON API's own schemas, so that a page filters and searches
by the same rules as `GET /v1/...`. An action (a form POST) answers with a redirect and a
flashed message, or, when static/app.js sent it (`Accept: application/json`), with the
message as JSON so that the page stays where it is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, request, url_for
from marshmallow import EXCLUDE, Schema, ValidationError
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from api.schemas import unstorable_errors

PAGE_SIZE = 50


def pages(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages `total` rows fill, `size` a page; one for none."""
    return max(1, -(-total // size))


def query_args(schema: type[Schema], **fixed: Any) -> dict[str, Any]:
    """The page's query arguments loaded by `schema` (others ignored, empty ones left out),
    with `fixed` values; BadRequest naming what is wrong."""
    given = {key: value for key, value in request.args.items() if value.strip()}
    if unstorable_errors(given):
        raise BadRequest("The address holds characters that cannot be searched for.")
    try:
        loaded: dict[str, Any] = schema(unknown=EXCLUDE).load({**given, **fixed})
    except ValidationError as error:
        raise BadRequest(_messages(error.messages)) from None
    return loaded


def _messages(messages: Any) -> str:
    if isinstance(messages, dict):
        return " ".join(f"{key}: {_messages(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return " ".join(_messages(message) for message in messages)
    return str(messages)


def safe_next(target: str | None, default: str | None = None) -> str:
    """`target` if it is a path of the web page, else `default` (the accounts list): never
    another site, so that a crafted link cannot send a signed-in admin elsewhere."""
    fallback = default or url_for("web.accounts")
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/app/"):
        return fallback
    return target


def here() -> str:
    """This page's path and query, for a form to come back to."""
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


def wants_json() -> bool:
    """Whether static/app.js sent the request (it asks for JSON) rather than a plain form."""
    return request.accept_mimetypes.best == "application/json"


def done(message: str, default_next: str | None = None) -> Response:
    """An action went through: `message` as JSON, or flashed on the page the form names."""
    if wants_json():
        return jsonify(message=message, ok=True)
    flash(message, "done")
    return redirect(safe_next(request.form.get("next"), default_next), 303)


def refused(message: str, status: int) -> Response:
    """An action was refused: `message` with `status` as JSON, or flashed on the form's page."""
    if wants_json():
        answer = jsonify(message=message, ok=False)
        answer.status_code = status
        return answer
    flash(message, "error")
    return redirect(safe_next(request.form.get("next")), 303)
