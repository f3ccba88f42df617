"""Prometheus metrics: `GET /metrics` (no API key, like health), and the API's request counts.

Each request is counted by method, route template and status, and timed, in the shared
store (core.adapters.metrics_redis), not in this process's memory: gunicorn runs
WEB_CONCURRENCY processes on each of several web machines and a scrape reaches one of them,
so counts kept in memory would show one process's share and jump between processes from
scrape to scrape (prometheus_client's multiprocess mode shares a directory, which machines
do not). Through the store every process adds to one count, as the workers do.
"""

from __future__ import annotations

import functools
import hmac
import re
import time

from flask import Flask, Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from prometheus_client import CollectorRegistry, generate_latest

from api.context import app_context
from api.errors import QbsyncApi
from api.logs import ENVIRON_STARTED
from api.metrics_collector import QbsyncCollector
from api.openapi import answers
from core.adapters.metrics_families import HTTP_DURATION, HTTP_REQUESTS
from core.bootstrap import Services

REGISTRY = "qbsync.metrics"
# The text format every Prometheus version and agent reads (our names need no escaping, so
# the text is the same as in the newer 1.0.0 that prometheus_client names by default).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Methods counted by name; any other is "other", so odd requests cannot add label values.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

blp = Blueprint("metrics", __name__, url_prefix="/metrics", description="Prometheus metrics")


# Open like health (no API key), answered in Prometheus' text format.
SCRAPED = {"description": "The metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}


@blp.route("")
class Metrics(MethodView):
    @blp.doc(security=[], responses={"200": SCRAPED})  # type: ignore[untyped-decorator]
    @answers(401)
    def get(self) -> Response:
        """Prometheus metrics of the API and the workers, read at each scrape

        No API key; a deployment that sets QBSYNC_METRICS_TOKEN asks for it instead, as
        `Authorization: Bearer <token>` (401 without it).
        """
        _require_metrics_token(app_context().services.settings.metrics_token)
        registry: CollectorRegistry = current_app.extensions[REGISTRY]
        return Response(generate_latest(registry), content_type=CONTENT_TYPE)


def _require_metrics_token(token: str | None) -> None:
    """401 unless the request sends the deployment's metrics token (when it has one)."""
    if token is None:
        return
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        abort(
            401,
            message="Send the metrics token (QBSYNC_METRICS_TOKEN) as 'Authorization: Bearer "
            "<token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="qbsync-metrics"'},
        )


@functools.cache
def route_label(rule: str) -> str:
    """A route's template without its converters: /v1/invoices/<external_id>."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"<\1>", rule)


def count_request(response: Response) -> Response:
    """Count the answered request and the time it took (from api.logs' start)."""
    rule = request.url_rule
    route = route_label(rule.rule) if rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    metrics = app_context().services.metrics
    status = str(response.status_code)
    metrics.count(HTTP_REQUESTS, {"method": method, "route": route, "status": status})
    started = request.environ.get(ENVIRON_STARTED)
    if isinstance(started, float):
        took = time.perf_counter() - started
        metrics.observe(HTTP_DURATION, {"method": method, "route": route}, took)
    return response


def init_metrics(app: Flask, api: QbsyncApi, services: Services) -> None:
    """Count `app`'s requests, and serve /metrics from `services`' store and database."""
    registry = CollectorRegistry(auto_describe=False)  # nothing is read until a scrape
    registry.register(QbsyncCollector(services))
    app.extensions[REGISTRY] = registry
    app.after_request(count_request)
    api.register_blueprint(blp)
