"""Done-when 2 of the walking skeleton, as steps any running system can be driven through."""

from __future__ import annotations

from typing import Any, Protocol

from tests.waiting import wait_for


class Http(Protocol):
    def request(self, method: str, url: str, **kwargs: Any) -> Any: ...


def finished_job(http: Http, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        job: dict[str, Any] = http.request("GET", f"/v1/jobs/{job_id}", headers=headers).json()
        return job if job["state"] in ("succeeded", "failed") else None

    return wait_for(probe, what=f"job {job_id} to finish")


def sync(http: Http, headers: dict[str, str], external_id: str, name: str) -> dict[str, Any]:
    """Create an account, sync it, wait for its job; return the account afterwards."""
    put = http.request("PUT", f"/v1/accounts/{external_id}", json={"name": name}, headers=headers)
    assert put.status_code == 201
    queued = http.request("POST", f"/v1/accounts/{external_id}/sync", headers=headers)
    assert queued.status_code == 202
    job = finished_job(http, headers, queued.json()["id"])
    assert job["state"] == "succeeded", job
    account: dict[str, Any] = http.request(
        "GET", f"/v1/accounts/{external_id}", headers=headers
    ).json()
    return account


def two_namesakes_share_one_customer(http: Http, headers: dict[str, str]) -> str:
    """Sync a new client, then a second account of the same name; return the customer Id."""
    first = sync(http, headers, "client-1", "Brand New Client Ltd")
    assert first["status"] == "synced"
    assert first["qbo_customer_id"]
    second = sync(http, headers, "client-2", "Brand New Client Ltd")
    assert second["status"] == "synced"
    assert second["qbo_customer_id"] == first["qbo_customer_id"]
    customer_id: str = first["qbo_customer_id"]
    return customer_id
