"""What a request runs on: the app's services and dispatcher, and the caller's firm."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g

from core.bootstrap import Services
from core.ports import JobDispatcher

EXTENSION = "qbsync"


@dataclass(frozen=True)
class AppContext:
    services: Services
    dispatcher: JobDispatcher


def app_context() -> AppContext:
    context: AppContext = current_app.extensions[EXTENSION]
    return context


def current_firm_id() -> int:
    """The firm the request's API key belongs to (set by the auth check)."""
    firm_id: int = g.firm_id
    return firm_id
