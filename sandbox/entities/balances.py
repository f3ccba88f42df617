"""Figures QBO derives from transactions: customers' balances and accounts' current balances.

A customer's Balance is what it owes: its invoices' balances less its payments' unapplied
amounts (credit). BalanceWithJobs adds its sub-customers' balances at any depth. A Bank or
Other Current Asset account's CurrentBalance is the total of the payments deposited to it.
They are recomputed after every write that can move them (transactions, merges, a customer
moved under another) and change no SyncToken (decision: they are not the customer's or
account's own data).
"""

from decimal import Decimal

from sandbox.entities.account_types import DEPOSIT_TYPES
from sandbox.entities.money import ZERO, as_json, stored
from sandbox.entities.payload import JsonDict
from sandbox.realm import Realm


def refresh_balances(realm: Realm) -> None:
    """Recompute every derived balance of the realm."""
    owed: dict[str, Decimal] = {}
    for invoice in realm.scan("Invoice"):
        customer_id = invoice["CustomerRef"]["value"]
        owed[customer_id] = owed.get(customer_id, ZERO) + stored(invoice["Balance"])
    deposited: dict[str, Decimal] = {}
    for payment in realm.scan("Payment"):
        customer_id = payment["CustomerRef"]["value"]
        owed[customer_id] = owed.get(customer_id, ZERO) - stored(payment["UnappliedAmt"])
        account_id = payment["DepositToAccountRef"]["value"]
        deposited[account_id] = deposited.get(account_id, ZERO) + stored(payment["TotalAmt"])
    customers = {customer["Id"]: customer for customer in realm.scan("Customer")}
    with_jobs: dict[str, Decimal] = {}
    for customer in customers.values():
        own = owed.get(customer["Id"], ZERO)
        customer["Balance"] = as_json(own)
        # Add the customer's own balance to itself and to every customer above it.
        row: JsonDict | None = customer
        while row is not None:
            with_jobs[row["Id"]] = with_jobs.get(row["Id"], ZERO) + own
            row = customers.get(row.get("ParentRef", {}).get("value", ""))
    for customer in customers.values():
        customer["BalanceWithJobs"] = as_json(with_jobs[customer["Id"]])
    for account in realm.scan("Account"):
        if account["AccountType"] in DEPOSIT_TYPES:
            balance = as_json(deposited.get(account["Id"], ZERO))
            account["CurrentBalance"] = account["CurrentBalanceWithSubAccounts"] = balance
