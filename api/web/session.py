"""Signing in to the web page with an API key, and the check every page request passes.

The session (Flask's signed cookie) keeps the key's id and its firm's, never the key. Every
request reads the firm's keys from the store again, so a key revoked anywhere (the API, the
CLI, another web process) ends its sessions at their next request; every request counts
against the key's rate limit, as the key's API requests do; every POST must carry the
session's CSRF token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from api.context import app_context
from api.ratelimit import count_request
from api.web.blueprint import blp, error_page
from api.web.forms import here, safe_next, wants_json
from core.services.firms import ActiveKey, active_api_key, api_keys_of

KEY_ID, FIRM_ID = "key_id", "firm_id"
# Requests that need no session: the sign-in page and the page's own CSS and script.
PUBLIC = frozenset({"web.sign_in", "web.static"})
# An API key is 47 characters; anything much longer is not one and is not hashed.
MAX_KEY_LENGTH = 200
LOOPBACK = frozenset({"localhost", "::1"})


class LoopbackSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with a cookie marked Secure except when the page is
    served over plain HTTP to a loopback address (`qbsync dev`, the tests), where a browser
    could not send it back otherwise."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return not plain_http_to_loopback()


def plain_http_to_loopback() -> bool:
    """Whether this request came over plain HTTP to this machine's own address."""
    host = urlsplit(f"//{request.host}").hostname or ""
    return request.scheme == "http" and (host in LOOPBACK or host.startswith("127."))


def guard() -> Any:
    """Let a request through only with an active key's session (and a valid CSRF token on a
    POST); otherwise send it to the sign-in page. The web page is off without a secret key."""
    if not current_app.secret_key:
        return error_page(
            503,
            "The web page is off",
            "QBSYNC_SECRET_KEY is not set: the web page signs its sign-in cookies with it. "
            "Set it to the same random value on every web process (see the README).",
        )
    if request.endpoint in PUBLIC:
        if request.endpoint == "web.sign_in":
            _csrf().protect()
        return None
    key = _signed_in_key()
    if key is None:
        return _to_sign_in()
    g.firm_id, g.api_key_id = key.firm_id, key.id
    count_request()
    _csrf().protect()
    return None


blp.before_request(guard)


def _csrf() -> CSRFProtect:
    protect: CSRFProtect = current_app.extensions["csrf"]
    return protect


def _signed_in_key() -> ActiveKey | None:
    """The session's key if it is still active, read from the store on every request."""
    key_id, firm_id = session.get(KEY_ID), session.get(FIRM_ID)
    if not isinstance(key_id, int) or not isinstance(firm_id, int):
        return None
    keys = api_keys_of(app_context().services.reader(), firm_id)
    if any(key.id == key_id and key.revoked_at is None for key in keys):
        return ActiveKey(id=key_id, firm_id=firm_id)
    session.clear()
    flash("Your session ended: its API key was revoked. Sign in with an active key.", "error")
    return None


def _to_sign_in() -> Response:
    sign_in_url = url_for("web.sign_in")
    if wants_json():
        answer = jsonify(message="Sign in again.", ok=False, sign_in=sign_in_url)
        answer.status_code = 401
        return answer
    back = here() if request.method == "GET" else None
    return redirect(url_for("web.sign_in", next=back) if back else sign_in_url, 303)


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """Sign in with one of the firm's API keys."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("web/sign_in.html", next=target)
    key = request.form.get("api_key", "").strip()
    looked_up = key and len(key) <= MAX_KEY_LENGTH
    active = active_api_key(app_context().services.reader(), key) if looked_up else None
    if active is None:
        error = "That API key is not valid or has been revoked." if key else "Enter an API key."
        return render_template("web/sign_in.html", next=target, error=error), 401
    session.clear()  # a fresh session (and CSRF token) for the signed-in admin
    session[KEY_ID], session[FIRM_ID] = active.id, active.firm_id
    session.permanent = True  # PERMANENT_SESSION_LIFETIME after the last request
    g.firm_id, g.api_key_id = active.firm_id, active.id
    count_request()
    return redirect(target, 303)


@blp.post("/sign-out")
def sign_out() -> Response:
    """Sign out: the session is forgotten."""
    session.clear()
    flash("You are signed out.", "done")
    return redirect(url_for("web.sign_in"), 303)
