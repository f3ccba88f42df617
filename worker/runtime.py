"""The worker process's services: built once from the environment, or installed by a test."""

from __future__ import annotations

import os
import socket
import threading
import uuid

from core.bootstrap import Services, build_services
from core.config import Settings

_services: Services | None = None
_owners_lock = threading.Lock()
_owners_at_work: dict[int, set[str]] = {}  # by thread: the owners its current message claimed as
_building = threading.Lock()


def services() -> Services:
    """This process's services, built from the environment on first use."""
    global _services
    with _building:  # the worker's threads start at once; build one set, not one each
        if _services is None:
            settings = Settings.from_env()
            _services = build_services(
                settings, customer_cache_seconds=settings.sync_customer_cache_seconds
            )
        return _services


def install_services(installed: Services | None) -> None:
    """Run this process's actors on `installed` (the embedded default and tests wire their own)."""
    global _services
    _services = installed


def lease_owner() -> str:
    """A name for one claim: host and process for the operator, random so no two runs share it.

    It is noted as the current message's, so that its leases are renewed while the message
    is at work (worker.leases), and no longer once it ended, whatever way."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with _owners_lock:
        _owners_at_work.setdefault(threading.get_ident(), set()).add(owner)
    return owner


def owners_at_work() -> list[str]:
    """The claims' owners of the messages this process's threads are working on."""
    with _owners_lock:
        return [owner for owners in _owners_at_work.values() for owner in owners]


def message_ended() -> list[str]:
    """The current thread's message ended: its claims are no longer renewed; their owners."""
    with _owners_lock:
        return sorted(_owners_at_work.pop(threading.get_ident(), ()))


def close_services() -> None:
    """The process is stopping: write the counts its metrics hold (their thread writes only
    once a second). Nothing to do if no job ever built the services."""
    if _services is not None:
        _services.metrics.close()
