"""Helpers for the limits and control tests: a state on a clock that moves only when told."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, SAMPLES, TOKEN, QboCalls

# Mid-month, so a test that runs a minute or a day on stays in the same month.
T0 = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)
OTHER_TOKEN = "second-app-token"


def frozen_state(**switches: Any) -> SandboxState:
    """A sandbox with one realm and its token, at T0, whose clock moves only when advanced."""
    state = SandboxState(SandboxOptions(**switches), now=lambda: T0)
    state.add_realm(REALM_ID)
    state.issue_access_token(REALM_ID, TOKEN)
    return state


def calls(state: SandboxState, token: str = TOKEN) -> QboCalls:
    """QBO calls to the realm through a Flask test client of the whole app."""
    client: FlaskClient = create_app(state).test_client()
    return QboCalls(client, REALM_ID, token)


def without_time(xml: str) -> str:
    """The XML with its `time` attribute blanked, to compare it with a sample."""
    return re.sub(r'time="[^"]*"', 'time=""', xml)


def sample_text(name: str) -> str:
    """The text of a sample in tests/fixtures/qbo_samples."""
    return (SAMPLES / name).read_text(encoding="utf-8")
