"""QBO's account types: each one's Classification and default AccountSubType.

Only the sub-types below are known well enough to infer an AccountType from them; an account
sent with another sub-type must also name its AccountType.
"""

# AccountType -> (Classification, default AccountSubType), from QBO's Account reference.
ACCOUNT_TYPES = {
    "Bank": ("Asset", "CashOnHand"),
    "Other Current Asset": ("Asset", "EmployeeCashAdvances"),
    "Fixed Asset": ("Asset", "FurnitureAndFixtures"),
    "Other Asset": ("Asset", "Licenses"),
    "Accounts Receivable": ("Asset", "AccountsReceivable"),
    "Equity": ("Equity", "OpeningBalanceEquity"),
    "Expense": ("Expense", "Travel"),
    "Other Expense": ("Expense", "Depreciation"),
    "Cost of Goods Sold": ("Expense", "CostOfLaborCos"),
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Credit Card": ("Liability", "CreditCard"),
    "Long Term Liability": ("Liability", "NotesPayable"),
    "Other Current Liability": ("Liability", "OtherCurrentLiabilities"),
    "Income": ("Revenue", "OtherPrimaryIncome"),
    "Other Income": ("Revenue", "OtherInvestmentIncome"),
}
SUB_TYPES = {
    **{sub: "Bank" for sub in ("CashOnHand", "Checking", "MoneyMarket", "Savings")},
    **{sub: "Other Current Asset" for sub in ("UndepositedFunds", "OtherCurrentAssets")},
    "AccountsReceivable": "Accounts Receivable",
    "AccountsPayable": "Accounts Payable",
    "CreditCard": "Credit Card",
    "OpeningBalanceEquity": "Equity",
    **{
        sub: "Income"
        for sub in (
            "ServiceFeeIncome",
            "SalesOfProductIncome",
            "OtherPrimaryIncome",
            "NonProfitIncome",
            "DiscountsRefundsGiven",
        )
    },
}
INCOME_TYPES = ("Income", "Other Income")
# Where a payment may be deposited (Payment reference, DepositToAccountRef).
DEPOSIT_TYPES = ("Bank", "Other Current Asset")
