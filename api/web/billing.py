"""The Invoices and Payments lists with their QuickBooks column, and their Sync and Unsync
actions. A Sync that must wait is shown disabled, with the reason its request would be
refused with (core.services.pushes)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from werkzeug.wrappers import Response

from api.billing_schemas import InvoiceListArgsSchema, PaymentListArgsSchema
from api.context import app_context, current_firm_id
from api.web.blueprint import EXTERNAL_ID, blp
from api.web.forms import PAGE_SIZE, done, pages, query_args
from api.web.records import invoice_blockers, payment_blockers
from core.services import invoices as invoice_service
from core.services import payments as payment_service


@blp.get("/invoices")
def invoices() -> Any:
    """The firm's invoices with their QuickBooks status: by status and account."""
    args = query_args(InvoiceListArgsSchema, page_size=PAGE_SIZE)
    services, firm_id = app_context().services, current_firm_id()
    found = invoice_service.list_invoices(
        services.reader(),
        firm_id,
        status=args["status"],
        account_external_id=args["account_id"],
        issued_from=args["issued_from"],
        issued_to=args["issued_to"],
        offset=(args["page"] - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    records = [view.invoice for view in found.items]
    return render_template(
        "web/invoices.html",
        views=found.items,
        blockers=invoice_blockers(records),
        counts=invoice_service.invoice_summary(services.reader(), firm_id),
        total=found.total,
        status=args["status"],
        account_id=args["account_id"],
        page=args["page"],
        pages=pages(found.total),
    )


@blp.post(f"/invoices/{EXTERNAL_ID}/sync")
def sync_invoice(external_id: str) -> Response:
    """Sync the invoice now; refused with the reason while it must wait (409)."""
    context = app_context()
    invoice_service.request_invoice_sync(
        context.services.uow(),
        context.dispatcher,
        current_firm_id(),
        external_id,
        context.services.clock(),
    )
    return done(f"Syncing invoice {external_id}.", url_for("web.invoices"))


@blp.post(f"/invoices/{EXTERNAL_ID}/unsync")
def unsync_invoice(external_id: str) -> Response:
    """Do not sync the invoice: Skipped; nothing is deleted in QuickBooks."""
    services = app_context().services
    invoice_service.unsync_invoice(services.uow(), current_firm_id(), external_id, services.clock())
    return done(f"Invoice {external_id} is not synced: it is Skipped.", url_for("web.invoices"))


@blp.get("/payments")
def payments() -> Any:
    """The firm's payments with their QuickBooks status: by status and invoice."""
    args = query_args(PaymentListArgsSchema, page_size=PAGE_SIZE)
    services, firm_id = app_context().services, current_firm_id()
    found = payment_service.list_payments(
        services.reader(),
        firm_id,
        status=args["status"],
        invoice_external_id=args["invoice_id"],
        offset=(args["page"] - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    records = [view.payment for view in found.items]
    return render_template(
        "web/payments.html",
        views=found.items,
        blockers=payment_blockers(records),
        counts=payment_service.payment_summary(services.reader(), firm_id),
        total=found.total,
        status=args["status"],
        invoice_id=args["invoice_id"],
        page=args["page"],
        pages=pages(found.total),
    )


@blp.post(f"/payments/{EXTERNAL_ID}/sync")
def sync_payment(external_id: str) -> Response:
    """Sync the payment now; refused with the reason while it must wait (409)."""
    context = app_context()
    payment_service.request_payment_sync(
        context.services.uow(),
        context.dispatcher,
        current_firm_id(),
        external_id,
        context.services.clock(),
    )
    return done(f"Syncing payment {external_id}.", url_for("web.payments"))


@blp.post(f"/payments/{EXTERNAL_ID}/unsync")
def unsync_payment(external_id: str) -> Response:
    """Do not sync the payment: Skipped; nothing is deleted in QuickBooks."""
    services = app_context().services
    payment_service.unsync_payment(services.uow(), current_firm_id(), external_id, services.clock())
    return done(f"Payment {external_id} is not synced: it is Skipped.", url_for("web.payments"))
