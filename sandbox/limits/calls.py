"""What a WSGI request is to QBO's limits: which realm, which kind of call, whose token."""

import io
import json
from dataclasses import dataclass
from typing import Any

from sandbox.auth import bearer_token
from sandbox.limits.throttle import Kind

API_PREFIX = "/v3/company/"
_CACHE_KEY = "sandbox.api_call"
# Data-out paths besides GET: a query may be POSTed (python-quickbooks always does).
_READ_PATHS = frozenset({"query"})


@dataclass(frozen=True)
class ApiCall:
    """A call to QBO's Accounting API: its realm, kind and bearer token (None: none sent)."""

    realm_id: str
    kind: Kind
    token: str | None


def api_call(environ: dict[str, Any]) -> ApiCall | None:
    """Classify the request in `environ`; None when it is not an Accounting API call.

    Reads are GETs (read by Id, query, CDC, reports) and POSTed queries; a POST to /batch is a
    batch; every other POST is a write.
    """
    cached = environ.get(_CACHE_KEY)
    if isinstance(cached, ApiCall):
        return cached
    path: str = environ.get("PATH_INFO", "")
    if not path.startswith(API_PREFIX):
        return None
    realm_id, _, rest = path[len(API_PREFIX) :].partition("/")
    if not realm_id:
        return None
    resource = rest.split("/", 1)[0].lower()
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    kind: Kind
    if method == "POST" and resource == "batch":
        kind = "batch"
    elif method in ("GET", "HEAD") or resource in _READ_PATHS:
        kind = "read"
    else:
        kind = "write"
    token = bearer_token(str(environ.get("HTTP_AUTHORIZATION", "")))
    call = environ[_CACHE_KEY] = ApiCall(realm_id, kind, token)
    return call


def batch_items(environ: dict[str, Any]) -> int:
    """Count the BatchItemRequest entries of a batch body, leaving the body readable again."""
    body = _buffered_body(environ)
    try:
        payload = json.loads(body)
    except ValueError:
        return 0
    items = payload.get("BatchItemRequest") if isinstance(payload, dict) else None
    return len(items) if isinstance(items, list) else 0


def _buffered_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put an in-memory copy back for the app to read.

    A body without Content-Length (chunked) is left alone and counts as no items.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body
