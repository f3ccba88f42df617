"""`python -m sandbox`'s flags: switches, fault injection, realms, snapshots."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sandbox.__main__ import build_state, main, parse_args
from sandbox.control.cli import add_arguments, options_from
from sandbox.options import SandboxOptions
from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_switch_flags_become_options() -> None:
    args = parse(
        "--no-throttle", "--per-minute", "off", "--max-concurrent", "4", "--batch-throttle",
        "items", "--throttle-body", "json", "--coreplus-quota", "500000", "--name-case",
        "sensitive", "--request-timeout", "30",
    )  # fmt: skip

    options = options_from(args, SandboxOptions())

    assert options.throttling is False
    assert (options.per_minute, options.max_concurrent) == (None, 4)
    assert (options.batch_throttle, options.throttle_body) == ("items", "json")
    assert (options.coreplus_quota, options.name_case) == (500000, "sensitive")
    assert options.request_timeout == 30.0


def test_fault_flags_become_options() -> None:
    args = parse(
        "--latency-ms", "80", "--jitter-ms", "20", "--fail-5xx", "0.05", "--fail-429", "0.01",
        "--fail-timeout", "0.01", "--drop-before", "0.02", "--drop-after", "0.03",
        "--fault-status", "503", "--fault-seed", "7",
    )  # fmt: skip

    options = options_from(args, SandboxOptions())

    assert (options.latency_ms, options.jitter_ms) == (80.0, 20.0)
    assert (options.fail_5xx, options.fail_429, options.fail_timeout) == (0.05, 0.01, 0.01)
    assert (options.drop_before, options.drop_after) == (0.02, 0.03)
    assert (options.fault_status, options.fault_seed) == (503, 7)


def test_flags_left_out_keep_the_base_options() -> None:
    base = SandboxOptions(max_concurrent=2, fail_429=0.5)

    options = options_from(parse("--fail-5xx", "0.1"), base)

    assert (options.max_concurrent, options.fail_429, options.fail_5xx) == (2, 0.5, 0.1)


def test_an_impossible_fault_rate_stops_the_command_with_a_message() -> None:
    with pytest.raises(SystemExit, match="fail_5xx must be a share between 0 and 1"):
        main(["--fail-5xx", "2"])


def test_a_missing_snapshot_stops_the_command_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="No such file"):
        main(["--snapshot-in", str(tmp_path / "missing.json")])


def test_the_state_is_seeded_with_the_realms_asked_for_and_the_switches_given() -> None:
    state, tokens = build_state(parse_args(["--realms", "3", "--seed", "empty", "--no-throttle"]))

    assert len(state.realm_ids()) == 3
    assert all(state.token_is_valid(realm, token) for realm, token in tokens.items())
    assert state.options.throttling is False


def test_every_flag_is_documented_in_help() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)

    undocumented = [action.dest for action in parser._actions if not action.help]

    assert undocumented == []


def test_the_command_serves_seeded_realms_with_faults_and_writes_its_snapshot_on_sigterm(
    tmp_path: Path,
) -> None:
    snapshot = tmp_path / "out.json"
    flags = ["--port", "0", "--realms", "2", "--seed", "demo-no-individual", "--fail-5xx", "1"]
    command = [sys.executable, "-m", "sandbox", *flags, "--snapshot-out", str(snapshot)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(8)]
        url = lines[0].split()[3]
        second = httpx.get(
            f"{url}/v3/company/{int(DEMO_REALM_ID) + 1}/customer/1",
            headers={"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}-2"},
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)

    assert second.status_code == 500
    assert second.json()["Fault"]["Error"][0]["code"] == "10000"
    saved = json.loads(snapshot.read_text(encoding="utf-8"))
    assert len(saved["realms"]) == 2
    assert saved["options"]["fail_5xx"] == 1.0
