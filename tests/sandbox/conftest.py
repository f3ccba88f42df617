"""Fixtures for the sandbox's own tests: a state with one realm, and a client that speaks QBO."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, TOKEN, QboCalls


@pytest.fixture
def state() -> Iterator[SandboxState]:
    """A sandbox with one empty realm and one access token for it, throttling off: these tests
    make dozens of calls a second; QBO's limits have tests of their own (test_limits_*)."""
    state = SandboxState(SandboxOptions(throttling=False))
    state.add_realm(REALM_ID)
    state.issue_access_token(REALM_ID, TOKEN)
    yield state
    state.configure_webhooks(None)  # stops a sender a test configured


@pytest.fixture
def client(state: SandboxState) -> FlaskClient:
    return create_app(state).test_client()


@pytest.fixture
def qbo(client: FlaskClient) -> QboCalls:
    return QboCalls(client)
