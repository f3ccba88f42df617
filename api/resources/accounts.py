"""Client accounts: created by the firm's system, synced to QBO customers."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from api.auth import require_api_key
from api.context import app_context, current_firm_id
from api.openapi import answers
from api.resources.jobs import job_body
from api.schemas import (
    ACCOUNT_EXAMPLE,
    ACCOUNT_IN_EXAMPLE,
    BULK_SYNC_REQUEST_EXAMPLE,
    BULK_SYNC_RESULT_EXAMPLE,
    JOB_EXAMPLE,
    SYNC_REQUEST_EXAMPLE,
    AccountInSchema,
    AccountListArgsSchema,
    AccountPageSchema,
    AccountSchema,
    ApiParser,
    BulkSyncRequestSchema,
    BulkSyncResultSchema,
    HistorySchema,
    JobSchema,
    SummarySchema,
    SyncRequestSchema,
)
from core.services import accounts as account_service
from core.services import bulk_sync

blp = Blueprint(
    "accounts",
    __name__,
    url_prefix="/v1/accounts",
    description="The firm's client accounts, each synced to a QBO customer",
)
blp.ARGUMENTS_PARSER = ApiParser()  # strict, and refuses text the store cannot hold
blp.before_request(require_api_key)

EXTERNAL_ID = "<string(maxlength=200):external_id>"


@blp.route("")
class Accounts(MethodView):
    @blp.arguments(AccountListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, AccountPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the firm's accounts, optionally of one status or by name (`q`)"""
        page, size = args["page"], args["page_size"]
        found = account_service.list_accounts(
            app_context().services.reader(),
            current_firm_id(),
            status=args["status"],
            name_contains=args["q"],
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


@blp.route("/sync")
class BulkSync(MethodView):
    @blp.arguments(BulkSyncRequestSchema, example=BULK_SYNC_REQUEST_EXAMPLE)
    @blp.response(
        202,
        BulkSyncResultSchema,
        description="The syncs were queued",
        example=BULK_SYNC_RESULT_EXAMPLE,
    )
    @blp.alt_response(200, schema=BulkSyncResultSchema, description="The dry run's report")
    @answers(409, 502)  # a dry run reads QBO: not connected, or QBO failed
    def post(self, body: dict[str, Any]) -> Any:
        """Sync many accounts by name, or preview it with `dry_run`"""
        context, firm_id = app_context(), current_firm_id()
        services = context.services
        selection = bulk_sync.Selection(
            external_ids=body.get("external_ids"), status=body.get("status")
        )
        if body["dry_run"]:
            result = bulk_sync.bulk_dry_run(
                services.uow(), services.qbo, services.customers, firm_id, selection
            )
            return bulk_body(result, dry_run=True), 200
        result = bulk_sync.bulk_sync(
            services.uow(), context.dispatcher, firm_id, selection, services.clock()
        )
        return bulk_body(result, dry_run=False)


def bulk_body(result: bulk_sync.BulkResult, *, dry_run: bool) -> dict[str, Any]:
    items = [
        {
            "external_id": item.account.external_id,
            "name": item.account.name,
            "outcome": item.outcome.value,
            "job_id": item.job_id,
            "customer_id": item.plan.customer_id if item.plan else None,
            "error": item.plan.error if item.plan else None,
            "candidates": [
                {
                    "id": c.customer.id,
                    "display_name": c.customer.display_name,
                    "reason": c.reason.value,
                }
                for c in (item.plan.candidates if item.plan else ())
            ],
        }
        for item in result.items
    ]
    counts = Counter(item["outcome"] for item in items)
    return {"dry_run": dry_run, "items": items, "counts": counts, "remaining": result.remaining}


@blp.route(f"/{EXTERNAL_ID}")
class Account(MethodView):
    @blp.response(200, AccountSchema, example=ACCOUNT_EXAMPLE)
    def get(self, external_id: str) -> Any:
        """Show one account: status, error, QBO customer Id, last sync time"""
        return account_service.get_account(
            app_context().services.uow(), current_firm_id(), external_id
        )

    @blp.arguments(AccountInSchema, example=ACCOUNT_IN_EXAMPLE)
    @blp.response(
        200, AccountSchema, description="The account was updated", example=ACCOUNT_EXAMPLE
    )
    @blp.alt_response(201, schema=AccountSchema, description="The account was created")
    def put(self, body: dict[str, Any], external_id: str) -> Any:
        """Create or update an account from the firm's system"""
        context = app_context()
        services = context.services
        account, created = account_service.put_account(
            services.uow(),
            current_firm_id(),
            external_id,
            body["name"],
            services.clock(),
            email=body["email"],
            dispatcher=context.dispatcher,  # a new account may be synced at once (settings)
        )
        return account, 201 if created else 200


@blp.route(f"/{EXTERNAL_ID}/sync")
class AccountSync(MethodView):
    @blp.arguments(SyncRequestSchema, required=False, example=SYNC_REQUEST_EXAMPLE)
    @blp.response(202, JobSchema, example=JOB_EXAMPLE)
    @answers(409)  # another kind of job is queued or running for the account
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
