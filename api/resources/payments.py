"""Payments: sent by the firm's system, pushed to QBO once their invoice is synced."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from api.auth import require_api_key
from api.billing_schemas import (
    PAYMENT_EXAMPLE,
    PAYMENT_IN_EXAMPLE,
    ExactJsonParser,
    PaymentInSchema,
    PaymentListArgsSchema,
    PaymentPageSchema,
    PaymentSchema,
)
from api.context import app_context, current_firm_id
from api.openapi import answers
from api.resources.invoices import EXTERNAL_ID, summary_body
from api.resources.jobs import job_body
from api.schemas import HistorySchema, JobSchema, SummarySchema
from core.services import payments as payment_service
from core.services.payments import PaymentContent, PaymentView

blp = Blueprint(
    "payments",
    __name__,
    url_prefix="/v1/payments",
    description="Payments of the firm's invoices, pushed to QBO once their invoice is synced",
)
blp.ARGUMENTS_PARSER = ExactJsonParser()  # money is read exactly, never through a float
blp.before_request(require_api_key)


def payment_body(view: PaymentView) -> dict[str, Any]:
    """A payment as the API shows it, naming its invoice by the firm's id."""
    return {**vars(view.payment), "invoice_id": view.invoice_external_id}


@blp.route("")
class Payments(MethodView):
    @blp.arguments(PaymentListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, PaymentPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the firm's payments: by status and invoice"""
        page, size = args["page"], args["page_size"]
        found = payment_service.list_payments(
            app_context().services.uow(),
            current_firm_id(),
            status=args["status"],
            invoice_external_id=args["invoice_id"],
            offset=(page - 1) * size,
            limit=size,
        )
        items = [payment_body(view) for view in found.items]
        return {"items": items, "page": page, "page_size": size, "total": found.total}


@blp.route("/summary")
class PaymentSummary(MethodView):
    @blp.response(200, SummarySchema)
    def get(self) -> dict[str, Any]:
        """Count the firm's payments per status"""
        uow = app_context().services.uow()
        return summary_body(payment_service.payment_summary(uow, current_firm_id()))


@blp.route(f"/{EXTERNAL_ID}")
class Payment(MethodView):
    @blp.response(200, PaymentSchema, example=PAYMENT_EXAMPLE)
    def get(self, external_id: str) -> dict[str, Any]:
        """Show one payment: its content, status, error, QBO Id"""
        uow = app_context().services.uow()
        return payment_body(payment_service.get_payment(uow, current_firm_id(), external_id))

    @blp.arguments(PaymentInSchema, example=PAYMENT_IN_EXAMPLE)
    @blp.response(
        200,
        PaymentSchema,
        description="The payment was updated, or already so",
        example=PAYMENT_EXAMPLE,
    )
    @blp.alt_response(201, schema=PaymentSchema, description="The payment was created")
    @answers(409)  # deleted, or in QBO under another invoice
    def put(self, content: PaymentContent, external_id: str) -> Any:
        """Create or update a payment from the firm's system; queue its push or skip it"""
        context = app_context()
        view, created = payment_service.put_payment(
            context.services.uow(),
            context.dispatcher,
            current_firm_id(),
            external_id,
            content,
            context.services.clock(),
        )
        return payment_body(view), 201 if created else 200

    @blp.response(204)
    def delete(self, external_id: str) -> None:
        """Delete a payment; its QBO copy is deleted next"""
        context = app_context()
        payment_service.delete_payment(
            context.services.uow(),
            context.dispatcher,
            current_firm_id(),
            external_id,
            context.services.clock(),
        )


@blp.route(f"/{EXTERNAL_ID}/sync")
class PaymentSync(MethodView):
    @blp.response(202, JobSchema)
    @answers(409)  # it must wait for its invoice
    def post(self, external_id: str) -> dict[str, Any]:
        """Sync the payment now (even a Skipped one); 409 with the reason if it must wait"""
        context = app_context()
        job = payment_service.request_payment_sync(
            context.services.uow(),
            context.dispatcher,
            current_firm_id(),
            external_id,
            context.services.clock(),
        )
        return job_body(job, external_id)


@blp.route(f"/{EXTERNAL_ID}/unsync")
class PaymentUnsync(MethodView):
    @blp.response(200, PaymentSchema)
    def post(self, external_id: str) -> dict[str, Any]:
        """Do not sync this payment: Skipped; nothing is deleted in QBO"""
        services = app_context().services
        view = payment_service.unsync_payment(
            services.uow(), current_firm_id(), external_id, services.clock()
        )
        return payment_body(view)


@blp.route(f"/{EXTERNAL_ID}/history")
class PaymentHistory(MethodView):
    @blp.response(200, HistorySchema)
    def get(self, external_id: str) -> dict[str, Any]:
        """Every status change of the payment: time, cause, job and QBO fault"""
        changes = payment_service.payment_history(
            app_context().services.uow(), current_firm_id(), external_id
        )
        return {"items": changes}
