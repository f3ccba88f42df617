"""The web page: a firm's sync statuses at a glance in a browser, at /app.

A plain Flask blueprint beside the JSON API, not a flask-smorest one, so it is no part of the
OpenAPI document. Its views are shells over the core services the API's views call; its pages
are rendered on the server and work without JavaScript (every action is a form POST answered
with a redirect), and a small script (static/app.js, no build step) enhances them: actions
without leaving the page, the sync dialog, and statuses, counts and progress kept up to date
by polling GET /app/live while jobs run.

Sign-in is with one of the firm's API keys (api.web.session). The session lives in Flask's
signed cookie, HttpOnly, SameSite=Lax, sent to /app only, and Secure except over plain HTTP
to a loopback address; it lasts PERMANENT_SESSION_LIFETIME after its last request. Every POST
carries a CSRF token (Flask-WTF), checked for this blueprint only: the JSON API's bearer keys
are never sent by a browser on its own, and its clients have no token to send.

The cookies are signed with QBSYNC_SECRET_KEY. Without it the web page is off (503, saying
why) and the JSON API works on: the API is what the firm's systems depend on, and a key made
up by each process would sign each gunicorn worker's sessions differently.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from api.web import accounts, billing, first_sync, live, session  # noqa: F401 (their views)
from api.web.blueprint import blp
from core.config import Settings
from core.errors import ConfigurationError

log = logging.getLogger(__name__)

# A secret shorter than this is guessable enough to forge sessions with.
MIN_SECRET_LENGTH = 32
WEB_CONFIG: dict[str, Any] = {
    "SESSION_COOKIE_NAME": "qbsync_session",
    "SESSION_COOKIE_PATH": "/app",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    # Only this blueprint's requests are checked (its guard calls protect()), not the API's.
    "WTF_CSRF_CHECK_DEFAULT": False,
    # A token lasts as long as its session, so a page left open for an hour still works.
    "WTF_CSRF_TIME_LIMIT": None,
}


def init_web(app: Flask, settings: Settings) -> None:
    """Serve the web page at /app: its session cookie, its CSRF protection and its views."""
    secret = settings.secret_key
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"QBSYNC_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters (it has "
            f"{len(secret)}): make one with "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    if secret is None:
        log.warning("QBSYNC_SECRET_KEY is not set: the web page at /app is off (the API is on)")
    app.config.update(WEB_CONFIG)
    app.secret_key = secret
    app.session_interface = session.LoopbackSessions()
    CSRFProtect(app)
    app.register_blueprint(blp)
