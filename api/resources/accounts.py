"""Client accounts: created by the firm's system, synced to QBO customers."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.resources.jobs import job_body
from api.schemas import (
    AccountInSchema,
    AccountListArgsSchema,
    AccountPageSchema,
    AccountSchema,
    HistorySchema,
    JobSchema,
    SummarySchema,
    SyncRequestSchema,
)
from core.services import accounts as account_service

blp = Blueprint("accounts", __name__, url_prefix="/v1/accounts", description="Client accounts")
blp.before_request(require_api_key)

EXTERNAL_ID = "<string(maxlength=200):external_id>"


@blp.route("")
class Accounts(MethodView):
    @blp.arguments(AccountListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, AccountPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the firm's accounts, optionally of one status"""
        page, size = args["page"], args["page_size"]
        found = account_service.list_accounts(
            app_context().services.uow(),
            current_firm_id(),
            status=args["status"],
            offset=(page - 1) * size,
            limit=size,
        )
        return {"items": found.items, "page": page, "page_size": size, "total": found.total}


@blp.route("/summary")
class AccountSummary(MethodView):
    @blp.response(200, SummarySchema)
    def get(self) -> dict[str, Any]:
        """Count the firm's accounts per status"""
        counts = account_service.account_summary(app_context().services.uow(), current_firm_id())
        return {
            "counts": {status.value: n for status, n in counts.items()},
            "total": sum(counts.values()),
        }


@blp.route(f"/{EXTERNAL_ID}")
class Account(MethodView):
    @blp.response(200, AccountSchema)
    def get(self, external_id: str) -> Any:
        """Show one account: status, error, QBO customer Id, last sync time"""
        return account_service.get_account(
            app_context().services.uow(), current_firm_id(), external_id
        )

    @blp.arguments(AccountInSchema)
    @blp.response(200, AccountSchema, description="The account was updated")
    @blp.alt_response(201, schema=AccountSchema, description="The account was created")
    def put(self, body: dict[str, Any], external_id: str) -> Any:
        """Create or update an account from the firm's system"""
        services = app_context().services
        account, created = account_service.put_account(
            services.uow(),
            current_firm_id(),
            external_id,
            body["name"],
            services.clock(),
            email=body["email"],
        )
        return account, 201 if created else 200


@blp.route(f"/{EXTERNAL_ID}/sync")
class AccountSync(MethodView):
    @blp.arguments(SyncRequestSchema, required=False)
    @blp.response(202, JobSchema)
    def post(self, body: dict[str, Any], external_id: str) -> Any:
        """Sync the account: by name, to a chosen customer (`customer_id`), or `create` one"""
        context = app_context()
        job = account_service.request_account_sync(
            context.services.uow(),
            context.dispatcher,
            current_firm_id(),
            external_id,
            context.services.clock(),
            customer_id=(body or {}).get("customer_id"),
            create=bool((body or {}).get("create", False)),
        )
        return job_body(job, external_id)


@blp.route(f"/{EXTERNAL_ID}/unsync")
class AccountUnsync(MethodView):
    @blp.response(200, AccountSchema)
    def post(self, external_id: str) -> Any:
        """Do not sync this account: Skipped, no errors, nothing pushed until synced again"""
        services = app_context().services
        return account_service.unsync_account(
            services.uow(), current_firm_id(), external_id, services.clock()
        )


@blp.route(f"/{EXTERNAL_ID}/history")
class AccountHistory(MethodView):
    @blp.response(200, HistorySchema)
    def get(self, external_id: str) -> dict[str, Any]:
        """Every status change of the account: time, cause, job and QBO fault"""
        changes = account_service.account_history(
            app_context().services.uow(), current_firm_id(), external_id
        )
        return {"items": changes}
