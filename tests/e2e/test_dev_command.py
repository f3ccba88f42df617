"""`qbsync dev`, the embedded default, run as a newcomer runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.scenario import two_namesakes_share_one_customer
from tests.waiting import free_port

QBSYNC = Path(sys.executable).with_name("qbsync")


@pytest.fixture
def dev_system(tmp_path: Path) -> Iterator[tuple[httpx.Client, str, subprocess.Popen[str]]]:
    port = free_port()
    env = {**os.environ, "QBSYNC_DEV_API_KEY": "qbs_test_fixed_key"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [str(QBSYNC), "dev", "--port", str(port), "--db", str(tmp_path / "dev.sqlite3")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    output = ProcessOutput(process)
    ready = output.wait_for_line("demo API key:")
    if ready is None:
        process.wait(timeout=10)
        pytest.fail("qbsync dev exited before it was ready:\n" + output.text())
    api_key = ready.split(":", 1)[1].strip()
    assert f"http://127.0.0.1:{port}" in output.text()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        yield http, api_key, process
    if process.poll() is None:
        process.kill()
        process.wait()
    output.close()


class ProcessOutput:
    """Reads a child's output on a thread, so a full pipe never blocks the child."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self._stream = process.stdout
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._done = True
            self._changed.notify_all()

    def wait_for_line(self, prefix: str, timeout: float = 60) -> str | None:
        """The first line starting with `prefix`, or None if the output ended without one."""

        def found() -> str | bool:
            line = next((x for x in self._lines if x.startswith(prefix)), None)
            return line or self._done

        with self._changed:
            result = self._changed.wait_for(found, timeout=timeout)
        return result if isinstance(result, str) else None

    def text(self) -> str:
        with self._changed:
            return "".join(self._lines)

    def close(self) -> None:
        self._thread.join(timeout=10)
        self._stream.close()


def test_dev_serves_health_and_syncs_two_namesakes_to_one_customer(
    dev_system: tuple[httpx.Client, str, subprocess.Popen[str]],
) -> None:
    http, api_key, _ = dev_system
    assert api_key == "qbs_test_fixed_key"
    health = http.get("/v1/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"

    two_namesakes_share_one_customer(http, {"Authorization": f"Bearer {api_key}"})


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_a_terminate_signal_stops_everything_cleanly(
    dev_system: tuple[httpx.Client, str, subprocess.Popen[str]], signum: int
) -> None:
    _, _, process = dev_system
    process.send_signal(signum)
    assert process.wait(timeout=30) == 0


def test_dev_connects_quickbooks_through_the_sandboxs_consent(
    dev_system: tuple[httpx.Client, str, subprocess.Popen[str]],
) -> None:
    http, api_key, _ = dev_system
    headers = {"Authorization": f"Bearer {api_key}"}
    url = http.post("/v1/connection/authorize", headers=headers).json()["authorization_url"]

    callback = httpx.get(url).headers["location"]  # the sandbox consents at once
    connected = http.get(callback)

    assert connected.status_code == 200, connected.text
    assert connected.json()["connected"] is True
    shown = http.get("/v1/connection", headers=headers).json()
    assert shown["refresh_expires_at"] is not None
