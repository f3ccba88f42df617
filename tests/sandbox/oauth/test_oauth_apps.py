"""Registered OAuth apps: how they are added, and what `python -m sandbox` registers."""

from __future__ import annotations

import pytest

from sandbox.__main__ import DEFAULT_REDIRECT_URI, build_state, parse_args
from sandbox.oauth.clients import OAuthClient
from sandbox.seed import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REALM_ID,
    seed_demo_company,
    seed_demo_oauth_client,
)
from sandbox.state import SandboxState


def test_without_options_the_demo_app_is_registered_with_the_default_redirect_uri() -> None:
    state, tokens = build_state(parse_args([]))

    assert list(tokens) == [DEMO_REALM_ID]
    assert state.oauth.client(DEMO_CLIENT_ID) == OAuthClient(
        DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, (DEFAULT_REDIRECT_URI,)
    )


def test_the_command_line_names_the_apps_keys_and_its_redirect_uris() -> None:
    args = parse_args(
        [
            "--client-id",
            "ABmyApp",
            "--client-secret",
            "s3cret",
            "--redirect-uri",
            "http://localhost:8000/qbo/callback",
            "--redirect-uri",
            "https://example.com/cb",
        ]
    )

    state, _ = build_state(args)

    assert state.oauth.client("ABmyApp") == OAuthClient(
        "ABmyApp", "s3cret", ("http://localhost:8000/qbo/callback", "https://example.com/cb")
    )
    assert state.oauth.client(DEMO_CLIENT_ID) is None


def test_the_demo_oauth_client_helper_registers_the_demo_keys() -> None:
    state = SandboxState()
    seed_demo_company(state)

    client_id = seed_demo_oauth_client(state, ["https://a.example/cb", "https://b.example/cb"])

    client = state.oauth.client(client_id)
    assert client is not None
    assert (client.client_id, client.client_secret) == (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    assert client.allows_redirect("https://b.example/cb")
    assert not client.allows_redirect("https://b.example/cb/")


def test_an_app_needs_at_least_one_redirect_uri() -> None:
    with pytest.raises(ValueError, match="redirect URI"):
        SandboxState().add_oauth_client("ABapp", "secret", [])


def test_an_app_id_is_registered_only_once() -> None:
    state = SandboxState()
    state.add_oauth_client("ABapp", "secret", ["https://a.example/cb"])

    with pytest.raises(ValueError, match="already exists"):
        state.add_oauth_client("ABapp", "other", ["https://b.example/cb"])
