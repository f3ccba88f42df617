"""The Flask application factory of the admin API."""

from __future__ import annotations

from typing import Any

from flask import Flask

from api.auth import SECURITY_SCHEME
from api.context import EXTENSION, AppContext
from api.docs import ASSETS_URL, assets
from api.errors import QbsyncApi, register_domain_errors
from api.logs import init_request_ids
from api.metrics import init_metrics
from api.ratelimit import init_rate_limit
from api.resources import (
    accounts,
    api_keys,
    candidates,
    connection,
    health,
    invoices,
    jobs,
    payments,
    quickbooks,
    settings,
    status_events,
    webhooks,
)
from api.web import init_web
from core.bootstrap import Services
from core.ports import JobDispatcher

API_CONFIG: dict[str, Any] = {
    "API_TITLE": "qbsync",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": ASSETS_URL,
    # Request bodies are small JSON documents; anything larger is refused with 413.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
}


def create_app(services: Services, dispatcher: JobDispatcher) -> Flask:
    """An API app over `services`, handing jobs to `dispatcher`."""
    app = Flask("qbsync")
    app.config.update(API_CONFIG)
    app.extensions[EXTENSION] = AppContext(services=services, dispatcher=dispatcher)
    init_rate_limit(app, services.settings)  # each API key's requests (api/ratelimit.py)
    api = QbsyncApi(app)
    api.spec.components.security_scheme("bearerAuth", SECURITY_SCHEME)
    blueprints = (
        *(accounts, candidates, quickbooks, invoices, payments, jobs, connection),
        *(settings, status_events, api_keys),
    )
    for blueprint in (resource.blp for resource in blueprints):
        api.register_blueprint(blueprint)
    api.register_blueprint(health.blp)
    api.register_blueprint(webhooks.blp)
    app.register_blueprint(assets)
    init_web(app, services.settings)  # the web page at /app: sign-in, CSRF, views (api/web)
    register_domain_errors(app, api)
    init_metrics(app, api, services)  # GET /metrics; each request counted (api/metrics.py)
    init_request_ids(app)  # each request's id in its log lines and answer (api/logs.py)
    return app
