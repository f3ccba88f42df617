"""Fixtures for the OAuth tests: a sandbox on a still clock with one realm and one app."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, T0, OAuthCalls
from tests.sandbox.qbo_calls import REALM_ID


@pytest.fixture
def state() -> SandboxState:
    """A sandbox whose clock stands at T0 until a test moves it, with one realm and one app."""
    state = SandboxState(now=lambda: T0)
    state.add_realm(REALM_ID)
    state.add_oauth_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    return state


@pytest.fixture
def client(state: SandboxState) -> FlaskClient:
    return create_app(state).test_client()


@pytest.fixture
def oauth(client: FlaskClient) -> OAuthCalls:
    return OAuthCalls(client)
