"""Invoices: sent by the firm's system, pushed to QBO once their account is synced."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from api.auth import require_api_key
from api.billing_schemas import (
    INVOICE_EXAMPLE,
    INVOICE_IN_EXAMPLE,
    ExactJsonParser,
    InvoiceInSchema,
    InvoiceListArgsSchema,
    InvoicePageSchema,
    InvoiceSchema,
)
from api.context import app_context, current_firm_id
from api.openapi import answers
from api.resources.jobs import job_body
from api.schemas import HistorySchema, JobSchema, SummarySchema
from core.domain.status import SyncStatus
from core.services import invoices as invoice_service
from core.services.invoices import InvoiceContent, InvoiceView

blp = Blueprint(
    "invoices",
    __name__,
    url_prefix="/v1/invoices",
    description="The firm's invoices, pushed to QBO once their account is synced",
)
blp.ARGUMENTS_PARSER = ExactJsonParser()  # money is read exactly, never through a float
blp.before_request(require_api_key)

EXTERNAL_ID = "<string(maxlength=200):external_id>"


def invoice_body(view: InvoiceView) -> dict[str, Any]:
    """An invoice as the API shows it, naming its account and payments by the firm's ids."""
    return {
        **vars(view.invoice),
        "account_id": view.account_external_id,
        "payments": list(view.payment_external_ids),
    }


def summary_body(counts: dict[SyncStatus, int]) -> dict[str, Any]:
    """Counts per status, every status named, and their total."""
    return {"counts": {s.value: n for s, n in counts.items()}, "total": sum(counts.values())}


@blp.route("")
class Invoices(MethodView):
    @blp.arguments(InvoiceListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, InvoicePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the firm's invoices: by status, account and issue dates"""
        page, size = args["page"], args["page_size"]
        found = invoice_service.list_invoices(
            app_context().services.uow(),
            current_firm_id(),
            status=args["status"],
            account_external_id=args["account_id"],
            issued_from=args["issued_from"],
            issued_to=args["issued_to"],
            offset=(page - 1) * size,
            limit=size,
        )
        items = [invoice_body(view) for view in found.items]
        return {"items": items, "page": page, "page_size": size, "total": found.total}


@blp.route("/summary")
class InvoiceSummary(MethodView):
    @blp.response(200, SummarySchema)
    def get(self) -> dict[str, Any]:
        """Count the firm's invoices per status"""
        uow = app_context().services.uow()
        return summary_body(invoice_service.invoice_summary(uow, current_firm_id()))


@blp.route(f"/{EXTERNAL_ID}")
class Invoice(MethodView):
    @blp.response(200, InvoiceSchema, example=INVOICE_EXAMPLE)
    def get(self, external_id: str) -> dict[str, Any]:
        """Show one invoice: its content, status, error, QBO Id, payments"""
        uow = app_context().services.uow()
        return invoice_body(invoice_service.get_invoice(uow, current_firm_id(), external_id))

    @blp.arguments(InvoiceInSchema, example=INVOICE_IN_EXAMPLE)
    @blp.response(
        200,
        InvoiceSchema,
        description="The invoice was updated, or already so",
        example=INVOICE_EXAMPLE,
    )
    @blp.alt_response(201, schema=InvoiceSchema, description="The invoice was created")
    @answers(409)  # deleted, or in QBO under another account
    def put(self, content: InvoiceContent, external_id: str) -> Any:
        """Create or update an invoice from the firm's system; queue its push"""
        context = app_context()
        view, created = invoice_service.put_invoice(
            context.services.uow(),
            context.dispatcher,
            current_firm_id(),
            external_id,
            content,
            context.services.clock(),
        )
        return invoice_body(view), 201 if created else 200

    @blp.response(204)
    def delete(self, external_id: str) -> None:
        """Delete an invoice and its payments; their QBO copies are deleted next"""
        context = app_context()
        invoice_service.delete_invoice(
            context.services.uow(),
            context.dispatcher,
            current_firm_id(),
            external_id,
            context.services.clock(),
        )


@blp.route(f"/{EXTERNAL_ID}/sync")
class InvoiceSync(MethodView):
    @blp.response(202, JobSchema)
    @answers(409)  # it must wait for its account or for sync_invoices_from
    def post(self, external_id: str) -> dict[str, Any]:
        """Sync the invoice now (even a Skipped one); 409 with the reason if it must wait"""
        context = app_context()
        job = invoice_service.request_invoice_sync(
            context.services.uow(),
            context.dispatcher,
            current_firm_id(),
            external_id,
            context.services.clock(),
        )
        return job_body(job, external_id)


@blp.route(f"/{EXTERNAL_ID}/unsync")
class InvoiceUnsync(MethodView):
    @blp.response(200, InvoiceSchema)
    def post(self, external_id: str) -> dict[str, Any]:
        """Do not sync this invoice: Skipped; nothing is deleted in QBO"""
        services = app_context().services
        view = invoice_service.unsync_invoice(
            services.uow(), current_firm_id(), external_id, services.clock()
        )
        return invoice_body(view)


@blp.route(f"/{EXTERNAL_ID}/history")
class InvoiceHistory(MethodView):
    @blp.response(200, HistorySchema)
    def get(self, external_id: str) -> dict[str, Any]:
        """Every status change of the invoice: time, cause, job and QBO fault"""
        changes = invoice_service.invoice_history(
            app_context().services.uow(), current_firm_id(), external_id
        )
        return {"items": changes}
