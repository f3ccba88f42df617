"""The minimal chart of accounts every new realm starts with.

An income account for service items, Undeposited Funds (where payments go by default) and a
bank account. Their Ids follow the order below: Services 1, Undeposited Funds 2, Checking 3.
"""

from sandbox.entities.account import save_account
from sandbox.realm import WriteContext

MINIMAL_CHART = (  # (Name, AccountType, AccountSubType)
    ("Services", "Income", "ServiceFeeIncome"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("Checking", "Bank", "Checking"),
)


def add_chart(ctx: WriteContext) -> None:
    """Store the minimal chart of accounts in a new realm."""
    for name, account_type, sub_type in MINIMAL_CHART:
        body = {"Name": name, "AccountType": account_type, "AccountSubType": sub_type}
        save_account(ctx, body, "")
