"""Helpers for the web page's server-side tests: an app with a secret key, and a signed-in
browser-like client that sends the CSRF token as the page's forms do."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from core.bootstrap import Services
from core.ports import JobDispatcher
from tests.fakes import RecordingDispatcher

SECRET_KEY = "web-page-test-secret-0123456789-abcdef"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_app(services: Services, dispatcher: JobDispatcher | None = None, **settings: Any) -> Flask:
    """The app over `services`, its web page signing sessions with SECRET_KEY (or as
    `settings` say)."""
    changed = replace(services.settings, **({"secret_key": SECRET_KEY} | settings))
    app = create_app(replace(services, settings=changed), dispatcher or RecordingDispatcher())
    app.testing = True
    return app


def csrf_token(client: FlaskClient, path: str = "/app/sign-in") -> str:
    """The CSRF token the page at `path` puts in its forms."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, api_key: str) -> str:
    """Sign in with `api_key`; return the token the signed-in pages' forms carry."""
    answer = client.post(
        "/app/sign-in", data={"csrf_token": csrf_token(client), "api_key": api_key}
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    return csrf_token(client, "/app/accounts")


def post_form(client: FlaskClient, path: str, token: str, **fields: str) -> Any:
    """A form POST as a browser without JavaScript sends it."""
    return client.post(path, data={"csrf_token": token, **fields})


def post_from_script(client: FlaskClient, path: str, token: str, **fields: str) -> Any:
    """A form POST as the page's script sends it: the answer is JSON."""
    return client.post(
        path, data={"csrf_token": token, **fields}, headers={"Accept": "application/json"}
    )
