"""The worker process's services: built once from the environment, or installed by a test."""

from __future__ import annotations

import os
import socket
import threading
import uuid

from core.bootstrap import Services, build_services
from core.config import Settings

_services: Services | None = None
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
    """A name for one claim: host and process for the operator, random so no two runs share it."""
    return f"{process_owner_prefix()}{uuid.uuid4().hex[:8]}"


def process_owner_prefix() -> str:
    """What every claim of this process's owner names start with (worker.leases renews them)."""
    return f"{socket.gethostname()}:{os.getpid()}:"
