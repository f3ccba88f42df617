"""The firm's QuickBooks company as seen from qbsync: its customers, to link accounts to."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.customer_schemas import CustomerListArgsSchema, CustomerPageSchema
from api.openapi import answers
from api.schemas import ApiParser
from core.services import customers as customer_service

blp = Blueprint(
    "quickbooks",
    __name__,
    url_prefix="/v1/quickbooks",
    description="The firm's QuickBooks company",
)
blp.ARGUMENTS_PARSER = ApiParser()  # strict, and refuses text the store cannot hold
blp.before_request(require_api_key)


@blp.route("/customers")
class QboCustomers(MethodView):
    @blp.arguments(CustomerListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, CustomerPageSchema)
    @answers(409, 502)  # read from QBO: not connected, or QBO failed
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the QBO customers available for linking, by name; `q` searches the names"""
        services = app_context().services
        page, size = args["page"], args["page_size"]
        found = customer_service.list_qbo_customers(
            services.uow(),
            services.qbo,
            services.customers,
            current_firm_id(),
            q=args["q"],
            include_inactive=args["include_inactive"],
            offset=(page - 1) * size,
            limit=size,
        )
        return {"items": found.items, "page": page, "page_size": size, "total": found.total}
