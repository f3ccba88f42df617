"""The Accounts list, an account's Info view, and its Sync and Unsync actions."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from api.context import app_context, current_firm_id
from api.customer_schemas import CustomerListArgsSchema
from api.schemas import AccountListArgsSchema, SyncRequestSchema
from api.web.blueprint import EXTERNAL_ID, blp
from api.web.customers import customer_names
from api.web.forms import PAGE_SIZE, done, pages, query_args, refused
from api.web.records import invoice_blockers
from core.errors import NotConnectedError, QboError
from core.services import accounts as account_service
from core.services import customers as customer_service
from core.services import invoices as invoice_service

# Customers the sync dialog lists a page: enough to choose from, short enough to read.
CUSTOMER_PAGE = 10


@blp.get("/")
def home() -> Response:
    """The web page starts at the Accounts list."""
    return redirect(url_for("web.accounts"))


@blp.get("/accounts")
def accounts() -> Any:
    """The firm's accounts with their QuickBooks status: by status, by name, a page at a time."""
    args = query_args(AccountListArgsSchema, page_size=PAGE_SIZE)
    services, firm_id = app_context().services, current_firm_id()
    found = account_service.list_accounts(
        services.reader(),
        firm_id,
        status=args["status"],
        name_contains=args["q"],
        offset=(args["page"] - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    counts = account_service.account_summary(services.reader(), firm_id)
    return render_template(
        "web/accounts.html",
        accounts=found.items,
        total=found.total,
        counts=counts,
        status=args["status"],
        q=args["q"],
        page=args["page"],
        pages=pages(found.total),
        names=customer_names(a.qbo_customer_id for a in found.items),
    )


@blp.get(f"/accounts/{EXTERNAL_ID}")
def account(external_id: str) -> Any:
    """One account: its status, QuickBooks customer, invoices and history."""
    services, firm_id = app_context().services, current_firm_id()
    shown = account_service.get_account(services.reader(), firm_id, external_id)
    history = account_service.account_history(services.reader(), firm_id, external_id)
    invoices = invoice_service.list_invoices(
        services.reader(),
        firm_id,
        status=None,
        account_external_id=external_id,
        issued_from=None,
        issued_to=None,
        offset=0,
        limit=PAGE_SIZE,
    )
    invoice_records = [view.invoice for view in invoices.items]
    return render_template(
        "web/account.html",
        account=shown,
        history=list(reversed(history)),  # the latest first
        invoices=invoice_records,
        invoice_total=invoices.total,
        blockers=invoice_blockers(invoice_records),
        names=customer_names([shown.qbo_customer_id]),
    )


@blp.get(f"/accounts/{EXTERNAL_ID}/link")
def link(external_id: str) -> Any:
    """Choose the QBO customer to sync the account to: its candidates first, then the
    company's customers by name, or a new one. The dialog of the Info view shows this."""
    args = query_args(CustomerListArgsSchema, page_size=CUSTOMER_PAGE)
    services, firm_id = app_context().services, current_firm_id()
    shown = account_service.get_account(services.reader(), firm_id, external_id)
    candidates, customers, total, problem = [], [], 0, None
    try:
        candidates = customer_service.account_candidates(
            services.reader(), services.qbo, services.customers, firm_id, external_id
        )
        page = customer_service.list_qbo_customers(
            services.reader(),
            services.qbo,
            services.customers,
            firm_id,
            q=args["q"],
            include_inactive=False,
            offset=(args["page"] - 1) * CUSTOMER_PAGE,
            limit=CUSTOMER_PAGE,
        )
        customers, total = list(page.items), page.total
    except NotConnectedError as error:
        problem = str(error)
    except QboError as error:
        problem = f"QuickBooks did not answer as expected: {error.message}"
    template = "web/link_form.html" if request.args.get("fragment") else "web/link.html"
    return render_template(
        template,
        account=shown,
        candidates=candidates,
        customers=customers,
        total=total,
        q=args["q"],
        page=args["page"],
        pages=pages(total, CUSTOMER_PAGE),
        problem=problem,
        back=url_for("web.account", external_id=external_id),
    )


@blp.post(f"/accounts/{EXTERNAL_ID}/sync")
def sync_account(external_id: str) -> Response:
    """Sync the account: by name, to the chosen customer, or to a new one."""
    choice = request.form.get("choice", "name")
    chosen: dict[str, Any] = {}
    if choice == "create":
        chosen = {"create": True}
    elif choice.startswith("customer:"):
        chosen = {"customer_id": choice.removeprefix("customer:")}
    elif choice != "name":
        return refused("Choose a QuickBooks customer, or to create a new one.", 422)
    try:
        chosen = SyncRequestSchema().load(chosen)  # the API's own check of a customer Id
    except ValidationError:
        return refused("That is not a QuickBooks customer Id.", 422)
    context, firm_id = app_context(), current_firm_id()
    account_service.request_account_sync(
        context.services.uow(),
        context.dispatcher,
        firm_id,
        external_id,
        context.services.clock(),
        customer_id=chosen.get("customer_id"),
        create=bool(chosen.get("create")),
    )
    name = account_service.get_account(context.services.reader(), firm_id, external_id).name
    back = url_for("web.account", external_id=external_id)
    if "customer_id" in chosen:
        return done(f"Syncing {name} to QuickBooks customer {chosen['customer_id']}.", back)
    if chosen.get("create"):
        return done(f"Syncing {name} to a new QuickBooks customer.", back)
    return done(f"Syncing {name} to QuickBooks by its name.", back)


@blp.post(f"/accounts/{EXTERNAL_ID}/unsync")
def unsync_account(external_id: str) -> Response:
    """Do not sync the account: it and its invoices become Skipped."""
    services = app_context().services
    shown = account_service.unsync_account(
        services.uow(), current_firm_id(), external_id, services.clock()
    )
    back = url_for("web.account", external_id=external_id)
    return done(f"{shown.name} is not synced: it and its invoices are Skipped.", back)
