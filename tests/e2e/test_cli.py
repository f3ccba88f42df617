"""The operator's commands: `qbsync db upgrade` and `qbsync firms create`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.app import create_app
from api.cli import main
from core.adapters.crypto import generate_key
from core.bootstrap import build_services
from core.config import Settings
from core.services.firms import firm_for_api_key
from tests.fakes import RecordingDispatcher


def test_db_upgrade_then_firms_create_prints_a_key_that_authenticates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("QBSYNC_ENCRYPTION_KEYS", generate_key())
    runner = CliRunner()

    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    created = runner.invoke(main, ["firms", "create", "Smith & Co CPAs"])
    assert created.exit_code == 0, created.output

    key = re.search(r"API key \(shown once\): (\S+)", created.output)
    assert key is not None
    services = build_services(Settings.from_env())
    assert firm_for_api_key(services.uow(), key.group(1)) is not None
    assert firm_for_api_key(services.uow(), key.group(1) + "x") is None
    services.engine.dispose()


def test_firms_create_needs_a_name() -> None:
    result = CliRunner().invoke(main, ["firms", "create"])
    assert result.exit_code == 2
    assert "Missing argument 'NAME'" in result.output


def test_keys_generate_prints_a_key_the_vault_accepts() -> None:
    from core.adapters.crypto import FernetVault

    result = CliRunner().invoke(main, ["keys", "generate"])
    assert result.exit_code == 0
    FernetVault([result.output.strip()]).seal("x")


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--faulty-runs", "0"], "--faulty-runs"), (["--kill-every", "soon"], "--kill-every")],
)
def test_bench_chaos_refuses_bad_options_before_starting_anything(
    args: list[str], named: str
) -> None:
    result = CliRunner().invoke(main, ["bench", "chaos", *args])

    assert result.exit_code == 2 and named in result.output


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI over a migrated database of the test's own."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("QBSYNC_ENCRYPTION_KEYS", generate_key())
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner


def test_a_firm_gets_more_keys_lists_them_by_prefix_and_a_revoked_one_stops_at_once(
    runner: CliRunner,
) -> None:
    first = re.search(r"firm (\d+) created; API key \(shown once\): (\S+)",
                      runner.invoke(main, ["firms", "create", "Two Keys LLP"]).output)  # fmt: skip
    assert first is not None
    firm_id, first_key = first.group(1), first.group(2)

    made = runner.invoke(main, ["firms", "keys", "create", firm_id])
    second = re.search(r"API key (\d+) of firm \d+ created \(shown once\): (\S+)", made.output)
    assert made.exit_code == 0 and second is not None
    key_id, second_key = second.group(1), second.group(2)
    listed = runner.invoke(main, ["firms", "keys", "list", firm_id]).output
    revoked = runner.invoke(main, ["firms", "keys", "revoke", firm_id, key_id])

    assert second_key != first_key and second_key[:12] + "…" in listed
    assert second_key not in listed and listed.count("active") == 2
    assert revoked.exit_code == 0, revoked.output
    services = build_services(Settings.from_env())
    try:
        client = create_app(services, RecordingDispatcher()).test_client()
        refused = client.get("/v1/accounts", headers={"Authorization": f"Bearer {second_key}"})
        kept = client.get("/v1/accounts", headers={"Authorization": f"Bearer {first_key}"})
    finally:
        services.engine.dispose()
    assert (refused.status_code, kept.status_code) == (401, 200)
    assert "revoked" in runner.invoke(main, ["firms", "keys", "list", firm_id]).output


def test_another_firms_key_is_not_found_and_changes_nothing(
    runner: CliRunner,
) -> None:
    runner.invoke(main, ["firms", "create", "Owner LLP"])  # firm 1, its key 1
    runner.invoke(main, ["firms", "create", "Other LLP"])  # firm 2

    result = runner.invoke(main, ["firms", "keys", "revoke", "2", "1"])

    assert result.exit_code == 2 and "API key '1' not found" in result.output
    assert "active" in runner.invoke(main, ["firms", "keys", "list", "1"]).output
    missing = runner.invoke(main, ["firms", "keys", "create", "9"])
    assert missing.exit_code == 2 and "firm '9' not found" in missing.output
