"""OAuth apps and tokens survive a snapshot: a restarted sandbox keeps its connections."""

from __future__ import annotations

from pathlib import Path

from sandbox.app import create_app
from sandbox.control.snapshot import load_snapshot, save_snapshot
from sandbox.state import SandboxState
from tests.sandbox.oauth.calls import T0, OAuthCalls


def test_a_connection_made_before_a_snapshot_works_after_loading_it(
    state: SandboxState, oauth: OAuthCalls, tmp_path: Path
) -> None:
    tokens = oauth.connect()
    save_snapshot(state, tmp_path / "s.json")
    restarted = SandboxState(now=lambda: T0)
    load_snapshot(restarted, tmp_path / "s.json")
    again = OAuthCalls(create_app(restarted).test_client())

    assert again.api(tokens["access_token"]).status_code == 200
    refreshed = again.refreshed(tokens["refresh_token"])
    assert again.api(refreshed["access_token"]).status_code == 200
    assert again.revoke(tokens["refresh_token"]).status_code == 200
    assert again.api(refreshed["access_token"]).status_code == 401
