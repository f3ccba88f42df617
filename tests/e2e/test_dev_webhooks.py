"""`qbsync dev`: its sandbox sends signed webhooks to its API, so a delete there shows at once."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.scenario import sync
from tests.e2e.test_dev_command import QBSYNC, ProcessOutput
from tests.waiting import free_port, wait_for


@dataclass
class Dev:
    api: httpx.Client
    headers: dict[str, str]
    sandbox_url: str


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[Dev]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    process = subprocess.Popen(
        [str(QBSYNC), "dev", "--port", str(port), "--db", str(tmp_path / "dev.sqlite3")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    output = ProcessOutput(process)
    sandbox_line = output.wait_for_line("QBO sandbox:")
    if sandbox_line is None:
        process.wait(timeout=10)
        pytest.fail("qbsync dev exited before it was ready:\n" + output.text())
    key_line = output.wait_for_line("demo API key:")
    assert key_line is not None
    headers = {"Authorization": f"Bearer {key_line.split(':', 1)[1].strip()}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as api:
        yield Dev(api, headers, sandbox_line.split(":", 1)[1].strip())
    process.terminate()
    assert process.wait(timeout=30) == 0
    output.close()


def test_a_customer_deleted_in_the_dev_sandbox_turns_its_account_not_synced(dev: Dev) -> None:
    linked = sync(dev.api, dev.headers, "c-1", "Cool Cars")
    realm_id = dev.api.get("/v1/connection", headers=dev.headers).json()["realm_id"]

    deleted = httpx.post(
        f"{dev.sandbox_url}/_sandbox/realms/{realm_id}/customers/"
        f"{linked['qbo_customer_id']}/deactivate"
    )
    assert deleted.status_code == 200

    shown = wait_for(
        lambda: (
            (a := dev.api.get("/v1/accounts/c-1", headers=dev.headers).json())["status"]
            == "not_synced"
            and a
        ),
        timeout=15,
        what="the dev system to see the deletion",
    )
    assert shown["error"]["code"] == "customer_deleted"
