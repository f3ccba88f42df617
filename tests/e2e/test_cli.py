"""The operator's commands: `qbsync db upgrade` and `qbsync firms create`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from core.adapters.crypto import generate_key
from core.bootstrap import build_services
from core.config import Settings
from core.services.firms import firm_for_api_key


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
