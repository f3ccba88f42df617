"""Each API key's requests, limited (`QBSYNC_API_RATE_LIMIT`) with Flask-Limiter.

A request is counted once the bearer auth has found its key (api/auth.py calls
`count_request`), so the limit is per key, not per address, a key's other firm-mates are not
affected, and the open endpoints (health, the OAuth callback, the QBO webhook, the metrics and
the docs) are never counted. Over the limit the answer is 429 with `Retry-After` (seconds).

The counts live in Redis when there is one, so that the limit holds across gunicorn workers
and web processes; in memory otherwise (`qbsync dev`, one process). When Redis does not
answer, the API keeps answering: Flask-Limiter logs a warning and counts in this process's
memory until Redis is back (it looks again after 1, 2, 4 … 32 s).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_smorest import abort
from limits import parse_many

from core.config import Settings
from core.errors import ConfigurationError

EXTENSION = "qbsync.rate_limit"
# The one bucket of a key's requests: every endpoint counts towards the same limit.
SCOPE = "api-key"
# A limiter must not hold a request up: a Redis that does not answer within a second counts as
# down (never retried: the request is counted in memory and the next one tries Redis again).
REDIS_TIMEOUTS: dict[str, str | int] = {"socket_connect_timeout": 1, "socket_timeout": 1}


@dataclass(frozen=True)
class _PerKeyLimit:
    limiter: Limiter
    count: Callable[[], None]  # the limited no-op: calling it counts the request


def init_rate_limit(app: Flask, settings: Settings) -> None:
    """Limit each API key's requests to `settings.api_rate_limit`; none when it is None."""
    if settings.api_rate_limit is None:
        return
    try:
        parse_many(settings.api_rate_limit)
    except ValueError:
        raise ConfigurationError(
            "QBSYNC_API_RATE_LIMIT must be a limit such as '1200 per minute', or off, "
            f"not {settings.api_rate_limit!r}"
        ) from None
    redis_options: dict[str, str | int] = {
        "key_prefix": f"{settings.redis_namespace}:rate-limit",
        **REDIS_TIMEOUTS,
    }
    limiter = Limiter(
        key_func=_api_key_id,
        strategy="moving-window",  # exact: no double burst where two fixed windows meet
        storage_uri=settings.redis_url or "memory://",
        storage_options=redis_options if settings.redis_url else {},
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    # Flask-Limiter checks its limits before a request's view, or in a view it decorates; our
    # key is known only once the blueprint's auth ran, so the auth calls a decorated no-op.
    count = limiter.shared_limit(settings.api_rate_limit, scope=SCOPE)(_counted)
    app.extensions[EXTENSION] = _PerKeyLimit(limiter, count)


def count_request() -> None:
    """Count the request against its API key (`g.api_key_id`); 429 with Retry-After when the
    key is over its limit."""
    per_key: _PerKeyLimit | None = current_app.extensions.get(EXTENSION)
    if per_key is None:
        return
    try:
        per_key.count()
    except RateLimitExceeded as exceeded:
        wait = _seconds_until_room(per_key.limiter.current_limit, exceeded)
        abort(
            429,
            message=f"Too many requests with this API key (at most {exceeded.description}); "
            f"try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )


def _seconds_until_room(breached: RequestLimit | None, exceeded: RateLimitExceeded) -> int:
    """Whole seconds until the key's window has room again (the window's length if its
    storage no longer answers)."""
    expiry = exceeded.limit.limit.get_expiry()
    if breached is None:
        return expiry
    try:
        reset_time = breached.window.reset_time
    except Exception:  # the storage went away since the count: any error of any backend
        return expiry
    return max(1, math.ceil(reset_time - time.time()))


def _api_key_id() -> str:
    return str(g.api_key_id)


def _counted() -> None:
    """Nothing: the limit decorating it is what counts."""
