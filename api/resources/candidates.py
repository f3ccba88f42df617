"""An account's link candidates: the QBO customers it could be linked to, and why."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.customer_schemas import CandidateListSchema
from api.openapi import answers
from api.resources.accounts import EXTERNAL_ID
from core.services import customers as customer_service

blp = Blueprint(
    "candidates",
    __name__,
    url_prefix="/v1/accounts",
    description="Suggested QBO customers for an account",
)
blp.before_request(require_api_key)


@blp.route(f"/{EXTERNAL_ID}/candidates")
class AccountCandidates(MethodView):
    @blp.response(200, CandidateListSchema)
    @answers(409, 502)  # read from QBO: not connected, or QBO failed
    def get(self, external_id: str) -> dict[str, Any]:
        """Suggest QBO customers for the account, best match first; links nothing"""
        services = app_context().services
        candidates = customer_service.account_candidates(
            services.uow(), services.qbo, services.customers, current_firm_id(), external_id
        )
        return {"items": candidates}
