"""The chaos bench's end checks: the database and the sandbox's company against the ledger of
what the API accepted.

- duplicates: QBO customers, invoices and payments that no record of ours holds (a create
  that ran twice leaves one), and invoice numbers QBO holds more than once;
- lost: accepted writes the database does not show (an account, an invoice's last version,
  a delete, a payment, a re-link);
- stuck: records left in Syncing;
- mismatched: records not where they should have converged (Synced, or Failed with the
  refused name's reason), or whose QBO copy differs from the last accepted version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from api.chaos_load import Ledger, Plan
from core.adapters.db.tables import accounts, invoices, jobs, payments
from core.domain.jobs import ACTIVE_STATES
from core.domain.status import SyncStatus
from sandbox.state import SandboxState

REFUSED_NAME_CODE = "name_forbidden_characters"
EXAMPLES = 5  # problems of each kind shown in the report


@dataclass
class Findings:
    duplicates: int = 0
    lost: int = 0
    stuck: int = 0
    mismatched: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, what: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        shown = self.examples.setdefault(kind, [])
        if len(shown) < EXAMPLES:
            shown.append(what)


def syncing(engine: sa.Engine, firm_id: int) -> int:
    """How many of the firm's records are Syncing, or not yet pushed although they will be
    (the end checks count what stays so: a Failed invoice, say, as mismatched)."""
    with engine.connect() as connection:
        count = 0
        for table in (accounts, invoices, payments):
            where = [table.c.firm_id == firm_id]
            pending = [SyncStatus.SYNCING, SyncStatus.NOT_SYNCED]
            if table is not accounts:
                where.append(table.c.deleted_at.is_(None))
            if table is payments:  # one of a Failed invoice waits for it: nothing will move
                failed = sa.select(invoices.c.id).where(invoices.c.status == SyncStatus.FAILED)
                where.append(payments.c.invoice_id.not_in(failed))
            count += (
                connection.scalar(
                    sa.select(sa.func.count()).where(*where, table.c.status.in_(pending))
                )
                or 0
            )
        return count


def check(
    engine: sa.Engine, firm_id: int, state: SandboxState, realm_id: str, plan: Plan, ledger: Ledger,
    seeded_customers: set[str],
) -> Findings:  # fmt: skip
    """Every count of the module docstring."""
    found = Findings()
    realm = state.export_realms()[realm_id]
    qbo = {entity: {row["Id"]: row for row in realm.rows(entity)}
           for entity in ("Customer", "Invoice", "Payment")}  # fmt: skip
    with engine.connect() as connection:
        rows = {
            table.name: {row.external_id: row for row in connection.execute(
                sa.select(table).where(table.c.firm_id == firm_id))}
            for table in (accounts, invoices, payments)
        }  # fmt: skip
    active = _active_jobs(engine, firm_id)
    for kind, table in rows.items():
        for external_id, row in table.items():
            if row.status is SyncStatus.SYNCING:
                found.note("stuck", f"{external_id} {active.get((kind[:-1], row.id), 'no job')}")
    customers = _check_accounts(found, rows["accounts"], qbo["Customer"], plan, ledger)
    held = _check_invoices(found, rows["invoices"], rows["accounts"], qbo["Invoice"], ledger)
    paid = _check_payments(found, rows["payments"], rows["invoices"], qbo["Payment"], ledger)
    for cid in qbo["Customer"].keys() - customers - seeded_customers:
        found.note("duplicates", f"QBO customer {cid} {qbo['Customer'][cid]['DisplayName']!r}")
    for iid in qbo["Invoice"].keys() - held:
        found.note("duplicates", f"QBO invoice {iid} ({qbo['Invoice'][iid].get('DocNumber')})")
    for pid in qbo["Payment"].keys() - paid:
        found.note("duplicates", _stray_payment(qbo["Payment"][pid], rows))
    numbers = Counter(row.get("DocNumber") for row in qbo["Invoice"].values())
    for number, times in numbers.items():
        if number is not None and times > 1:
            found.note("duplicates", f"invoice number {number} {times} times in QBO")
    return found


def _active_jobs(engine: sa.Engine, firm_id: int) -> dict[tuple[str, int], str]:
    """Each record's queued or running job, told in a line: what a stuck record waits for
    (times in seconds from now)."""
    now = datetime.now(UTC)

    def since(moment: datetime | None) -> str:
        return "-" if moment is None else f"{(moment - now).total_seconds():+.1f}s"

    def told(job: Any) -> str:
        error = job.last_error or {}
        return (
            f"job {job.id[:8]} {job.kind} {job.state} lane={job.lane} attempts={job.attempts}"
            f" interrupted={job.interruptions} lease={job.lease_owner}"
            f" until {since(job.lease_until)} due {since(job.next_attempt_at)}"
            f" published {since(job.published_at)} send={job.send_id}"
            f" error={error.get('code')} {error.get('message')!r}"
        )

    with engine.connect() as connection:
        found = connection.execute(
            sa.select(jobs).where(jobs.c.firm_id == firm_id, jobs.c.state.in_(ACTIVE_STATES))
        )
        return {(job.target_type, job.target_id): told(job) for job in found}


def _check_accounts(
    found: Findings, rows: dict[str, Any], customers: dict[str, Any], plan: Plan, ledger: Ledger
) -> set[str]:
    linked = set()
    for external_id, name in ledger.accounts.items():
        row = rows.get(external_id)
        if row is None or row.name != name:
            found.note("lost", f"account {external_id}")
            continue
        if plan.refused(int(external_id[2:])):
            code = (row.error or {}).get("code")
            if row.status is not SyncStatus.FAILED or code != REFUSED_NAME_CODE:
                found.note("mismatched", f"account {external_id} {row.status} {code}")
            continue
        customer = customers.get(row.qbo_customer_id)
        if row.status is not SyncStatus.SYNCED or customer is None:
            found.note("mismatched", f"account {external_id} {row.status} {row.qbo_customer_id}")
            continue
        linked.add(row.qbo_customer_id)
        relinked = ledger.relinks.get(external_id)
        if customer["DisplayName"] != name or relinked not in (None, row.qbo_customer_id):
            found.note("mismatched", f"account {external_id} linked to {customer['DisplayName']!r}")
    return linked


def _check_invoices(
    found: Findings, rows: dict[str, Any], account_rows: dict[str, Any],
    copies: dict[str, Any], ledger: Ledger,
) -> set[str]:  # fmt: skip
    held = set()
    by_id = {row.id: row for row in account_rows.values()}
    for external_id, body in ledger.invoices.items():
        row = rows.get(external_id)
        deleted = external_id in ledger.deleted_invoices
        if row is None or row.version < ledger.invoice_versions[external_id]:
            found.note("lost", f"invoice {external_id}")
            continue
        if deleted:
            if row.deleted_at is None:
                found.note("lost", f"delete of invoice {external_id}")
            elif row.qbo_id in copies:
                found.note("mismatched", f"deleted invoice {external_id} still in QBO")
            continue
        copy = copies.get(row.qbo_id)
        if row.status is not SyncStatus.SYNCED or copy is None or row.pushed_version != row.version:
            found.note("mismatched", f"invoice {external_id} {row.status} {_why(row)}")
            continue
        held.add(row.qbo_id)
        customer = by_id[row.account_id].qbo_customer_id
        if (
            Decimal(str(copy["TotalAmt"])) != Decimal(body["total"])
            or copy.get("DocNumber") != body["number"]
            or copy["CustomerRef"]["value"] != customer
        ):
            found.note("mismatched", f"invoice {external_id}: QBO has {copy['TotalAmt']}")
    return held


def _check_payments(
    found: Findings, rows: dict[str, Any], invoice_rows: dict[str, Any],
    copies: dict[str, Any], ledger: Ledger,
) -> set[str]:  # fmt: skip
    paid = set()
    by_id = {row.id: row for row in invoice_rows.values()}
    for external_id, body in ledger.payments.items():
        row = rows.get(external_id)
        if row is None or row.amount != Decimal(body["amount"]):
            found.note("lost", f"payment {external_id}")
            continue
        copy = copies.get(row.qbo_id)
        if row.status is not SyncStatus.SYNCED or copy is None:
            found.note("mismatched", f"payment {external_id} {row.status} {_why(row)}")
            continue
        paid.add(row.qbo_id)
        linked = [
            txn["TxnId"] for line in copy.get("Line", []) for txn in line.get("LinkedTxn", [])
        ]
        if Decimal(str(copy["TotalAmt"])) != row.amount or linked != [by_id[row.invoice_id].qbo_id]:
            found.note("mismatched", f"payment {external_id}: QBO has {copy['TotalAmt']} {linked}")
    return paid


def _stray_payment(copy: dict[str, Any], rows: dict[str, dict[str, Any]]) -> str:
    """A QBO payment no record holds, told with what finds its cause: when QBO made it, the
    invoice it pays, and our payments of that invoice with their QBO Ids."""
    linked = {txn["TxnId"] for line in copy.get("Line", []) for txn in line.get("LinkedTxn", [])}
    invoices = [row for row in rows["invoices"].values() if row.qbo_id in linked]
    ours = [
        f"{row.external_id} qbo_id={row.qbo_id} {row.status}"
        for row in rows["payments"].values()
        if any(row.invoice_id == invoice.id for invoice in invoices)
    ]
    return (
        f"QBO payment {copy['Id']} of {copy.get('TotalAmt')} made"
        f" {copy.get('MetaData', {}).get('CreateTime')} paying QBO invoice(s) {sorted(linked)}"
        f" ({', '.join(i.external_id for i in invoices)}), whose payments are: {ours}"
    )


def _why(row: Any) -> str:
    """A record's QBO Id and, when it has one, its error's code and message."""
    error = row.error or {}
    return f"qbo_id={row.qbo_id} {error.get('code', '')} {error.get('message', '')}".strip()
