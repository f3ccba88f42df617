"""The database holds OAuth tokens only sealed; rotating the key keeps every connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from api.cli import main
from core.adapters.crypto import FernetVault, generate_key
from core.adapters.db.migrate import upgrade
from core.adapters.db.tables import qbo_connections
from core.bootstrap import Services
from core.services.status_events import status_event_subscription, subscribe
from sandbox.seed import DEMO_ACCESS_TOKEN
from tests.conftest import TEST_ENCRYPTION_KEY, Firm


def stored_tokens(services: Services) -> list[str]:
    with services.engine.connect() as connection:
        return list(connection.scalars(sa.select(qbo_connections.c.sealed_access_token)))


def test_a_connected_firms_token_is_stored_sealed(services: Services, firm: Firm) -> None:
    [stored] = stored_tokens(services)
    assert DEMO_ACCESS_TOKEN not in stored
    assert services.vault.open(stored) == DEMO_ACCESS_TOKEN


def test_keys_rotate_reseals_every_token_with_the_newest_key(
    services: Services, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "status-events-secret-of-the-firm"
    url = "https://firm.example/hooks"
    subscribe(services.uow(), services.vault, firm.id, url, secret, services.clock())
    new_key = generate_key()
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("QBSYNC_ENCRYPTION_KEYS", f"{new_key},{TEST_ENCRYPTION_KEY}")

    result = CliRunner().invoke(main, ["keys", "rotate"])

    assert result.exit_code == 0, result.output
    assert "1 connection" in result.output
    assert "1 status-event subscription" in result.output
    [stored] = stored_tokens(services)
    assert FernetVault([new_key]).open(stored) == DEMO_ACCESS_TOKEN
    sealed = status_event_subscription(services.uow(), firm.id).sealed_secret
    assert FernetVault([new_key]).open(sealed) == secret


def test_the_migration_seals_tokens_stored_in_plain_text_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0001")
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        db.execute("INSERT INTO firms (id, name, created_at) VALUES (1, 'F', '2026-01-01')")
        db.execute(
            "INSERT INTO qbo_connections (firm_id, realm_id, api_base_url, access_token,"
            " connected_at) VALUES (1, 'r', 'http://x', 'plain-old-token', '2026-01-01')"
        )
    key = generate_key()
    monkeypatch.setenv("QBSYNC_ENCRYPTION_KEYS", key)

    upgrade(url)

    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        [(stored,)] = db.execute("SELECT sealed_access_token FROM qbo_connections").fetchall()
    assert stored != "plain-old-token"
    assert FernetVault([key]).open(stored) == "plain-old-token"
