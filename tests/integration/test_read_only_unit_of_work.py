"""Services.reader(): a unit of work that reads what is committed and never writes."""

from __future__ import annotations

import pytest

from core.adapters.db.tables import accounts
from core.adapters.db.unit_of_work import ReadOnlyError
from core.bootstrap import Services
from core.services.accounts import list_accounts, put_account
from core.services.firms import create_firm, firm_for_api_key
from tests.factories import count_rows


def test_a_reader_sees_what_other_units_of_work_committed(services: Services) -> None:
    firm_id, key = create_firm(services.uow(), "Firm", services.clock())
    put_account(services.uow(), firm_id, "c-1", "Jane Doe", services.clock())

    assert firm_for_api_key(services.reader(), key) == firm_id
    page = list_accounts(services.reader(), firm_id, status=None, offset=0, limit=50)
    assert [account.name for account in page.items] == ["Jane Doe"]


@pytest.mark.parametrize("write", ["flush", "commit"])
def test_a_reader_refuses_to_write_and_what_it_changed_stays_unwritten(
    services: Services, write: str
) -> None:
    firm_id, _ = create_firm(services.uow(), "Firm", services.clock())
    put_account(services.uow(), firm_id, "c-1", "Jane Doe", services.clock())

    with services.reader() as uow:
        account = uow.accounts.get(firm_id, "c-1")
        assert account is not None
        account.name = "Someone else"
        with pytest.raises(ReadOnlyError):
            getattr(uow, write)()
        uow.accounts.get(firm_id, "c-1")  # a query does not flush the change either

    with services.uow() as uow:
        stored = uow.accounts.get(firm_id, "c-1")
        assert stored is not None and stored.name == "Jane Doe"
    assert count_rows(services, accounts)["accounts"] == 1
