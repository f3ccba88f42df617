"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import app_context
from api.schemas import HealthSchema

blp = Blueprint("health", __name__, url_prefix="/v1/health", description="Liveness and readiness")


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="The database or broker is down")
    def get(self) -> tuple[dict[str, Any], int]:
        """Report whether the database and the broker answer"""
        context = app_context()
        database = "ok" if context.services.database_ok() else "unavailable"
        try:
            context.dispatcher.ping()
            broker = "ok"
        except Exception:  # any broker failure makes the service unready
            broker = "unavailable"
        ready = database == broker == "ok"
        body = {"status": "ok" if ready else "unavailable", "database": database, "broker": broker}
        return body, 200 if ready else 503
