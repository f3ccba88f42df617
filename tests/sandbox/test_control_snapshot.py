"""Snapshots: the whole state to a JSON file and back, over the controls and in Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from sandbox.app import create_app
from sandbox.control.snapshot import FORMAT, load_snapshot, save_snapshot
from sandbox.options import SandboxOptions
from sandbox.seed import DEMO_ACCESS_TOKEN, DEMO_REALM_ID, seed_demo_company
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import QboCalls


@pytest.fixture
def demo() -> SandboxState:
    state = SandboxState(SandboxOptions(name_case="sensitive", coreplus_quota=9000))
    seed_demo_company(state)
    return state


def test_a_snapshot_loaded_into_a_new_sandbox_gives_back_the_same_companies(
    demo: SandboxState, tmp_path: Path
) -> None:
    client = create_app(demo).test_client()
    qbo = QboCalls(client, DEMO_REALM_ID, DEMO_ACCESS_TOKEN)
    qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1")
    path = tmp_path / "sandbox.json"

    saved = client.post("/_sandbox/snapshot", json={"path": str(path)})
    fresh = SandboxState()
    loaded = (
        create_app(fresh).test_client().post("/_sandbox/snapshot/load", json={"path": str(path)})
    )

    assert saved.get_json() == {"saved": str(path), "realms": 1}
    assert loaded.get_json() == {"loaded": str(path), "realms": 1}
    assert fresh.customers(DEMO_REALM_ID) == demo.customers(DEMO_REALM_ID)
    assert fresh.options == demo.options
    assert fresh.throttle.counters.all() == demo.throttle.counters.all()


def test_a_loaded_snapshot_keeps_tokens_id_counters_and_requestid_answers(
    demo: SandboxState, tmp_path: Path
) -> None:
    first = QboCalls(create_app(demo).test_client(), DEMO_REALM_ID, DEMO_ACCESS_TOKEN)
    created = first.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1").get_json()
    save_snapshot(demo, tmp_path / "s.json")
    fresh = SandboxState()
    load_snapshot(fresh, tmp_path / "s.json")
    again = QboCalls(create_app(fresh).test_client(), DEMO_REALM_ID, DEMO_ACCESS_TOKEN)

    replay = again.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1")
    new = again.create_customer("John Roe")

    assert replay.get_json() == created
    assert int(new["Id"]) == int(created["Customer"]["Id"]) + 1


def test_loading_a_snapshot_replaces_the_realms_there_were(
    demo: SandboxState, tmp_path: Path
) -> None:
    save_snapshot(demo, tmp_path / "s.json")
    other = SandboxState()
    other.add_realm("somewhere-else")

    load_snapshot(other, tmp_path / "s.json")

    assert other.realm_ids() == [DEMO_REALM_ID]


def test_a_snapshot_is_plain_json_with_its_format(demo: SandboxState, tmp_path: Path) -> None:
    save_snapshot(demo, tmp_path / "s.json")

    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))

    assert data["format"] == FORMAT
    assert data["options"]["name_case"] == "sensitive"
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "FileNotFoundError"), ('{"format": "other"}', "not a sandbox snapshot")],
)
def test_a_missing_or_foreign_file_is_refused_and_nothing_changes(
    demo: SandboxState, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "s.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    client: FlaskClient = create_app(demo).test_client()

    answer = client.post("/_sandbox/snapshot/load", json={"path": str(path)})

    assert answer.status_code == 400
    assert message in answer.get_json()["error"]
    assert len(demo.customers(DEMO_REALM_ID)) == 10


def test_a_snapshot_needs_a_path(demo: SandboxState) -> None:
    answer = create_app(demo).test_client().post("/_sandbox/snapshot", json={})

    assert answer.status_code == 400
