"""Steps the account scenarios share: drive the running system's API, read its answers."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import System
from tests.waiting import wait_for


def put(system: System, external_id: str, name: str, **fields: Any) -> dict[str, Any]:
    answer = system.http.put(
        f"/v1/accounts/{external_id}", json={"name": name, **fields}, headers=system.headers
    )
    assert answer.status_code in (200, 201), answer.json()
    body: dict[str, Any] = answer.json()
    return body


def account(system: System, external_id: str) -> dict[str, Any]:
    answer = system.http.get(f"/v1/accounts/{external_id}", headers=system.headers)
    assert answer.status_code == 200, answer.json()
    body: dict[str, Any] = answer.json()
    return body


def history(system: System, external_id: str) -> list[dict[str, Any]]:
    answer = system.http.get(f"/v1/accounts/{external_id}/history", headers=system.headers)
    assert answer.status_code == 200, answer.json()
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def settled(system: System, external_id: str) -> dict[str, Any]:
    """The account once no job is queued or running for it."""

    def probe() -> dict[str, Any] | None:
        current = account(system, external_id)
        return None if current["status"] == "syncing" else current

    return wait_for(probe, what=f"account {external_id} to settle")


def sync(system: System, external_id: str, **body: Any) -> dict[str, Any]:
    """Ask for a sync and wait for its outcome; return the account afterwards."""
    answer = system.http.post(
        f"/v1/accounts/{external_id}/sync", json=body or None, headers=system.headers
    )
    assert answer.status_code == 202, answer.json()
    return settled(system, external_id)


def unsync(system: System, external_id: str) -> dict[str, Any]:
    answer = system.http.post(f"/v1/accounts/{external_id}/unsync", headers=system.headers)
    assert answer.status_code == 200, answer.json()
    body: dict[str, Any] = answer.json()
    return body


def moves(system: System, external_id: str) -> list[tuple[str, str]]:
    """The account's history as (from, to) pairs, oldest first."""
    return [(c["from_status"], c["to_status"]) for c in history(system, external_id)]
