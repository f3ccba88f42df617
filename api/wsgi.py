"""The production entry point: `gunicorn "api.wsgi:create_app_from_env()"` (Procfile `web`)."""

from __future__ import annotations

from flask import Flask

from api.app import create_app
from core.bootstrap import build_services
from core.config import Settings
from core.logs import configure_logging
from worker.broker import build_broker
from worker.dispatch import DramatiqDispatcher


def create_app_from_env() -> Flask:
    """The API configured from the environment, handing jobs to the configured broker."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(build_services(settings), DramatiqDispatcher(build_broker(settings)))
