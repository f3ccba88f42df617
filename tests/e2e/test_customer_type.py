"""SPEC §2.3: a created customer gets the "Individual" type where the company has it, and none
where it does not, and the create succeeds either way (Done-when 3 of issue 14)."""

from __future__ import annotations

from typing import Any

import pytest

from core.bootstrap import Services
from core.services.accounts import get_account, put_account, request_account_sync
from core.services.firms import connect_firm, create_firm
from core.services.settings import change_settings
from core.services.sync_account import Outcome, run_sync_account
from sandbox.seed import seed_demo_company
from sandbox.server import SandboxServer
from sandbox.state import SandboxState
from tests.fakes import RecordingDispatcher


def created_customer(
    services: Services, company: SandboxState, realm_id: str, name: str, type_name: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Sync a new account called `name` of a firm connected to `company` (naming `type_name`
    as its default customer type, if given); return the customer QBO made and the company's
    customer types by name."""
    with SandboxServer(company) as sandbox:
        firm_id, _ = create_firm(services.uow(), "Typed firm", services.clock())
        connect_firm(
            services.uow(),
            services.vault,
            firm_id,
            realm_id=realm_id,
            api_base_url=sandbox.url,
            access_token="type-test-token",
            now=services.clock(),
        )
        if type_name is not None:
            change_settings(
                services.uow(), firm_id, {"default_customer_type": type_name}, services.clock()
            )
        put_account(services.uow(), firm_id, "acc", name, services.clock())
        job = request_account_sync(
            services.uow(), RecordingDispatcher(), firm_id, "acc", services.clock()
        )

        outcome = run_sync_account(services.uow(), services.qbo, job.id, "w", services.clock)

    assert outcome is Outcome.SYNCED
    account = get_account(services.uow(), firm_id, "acc")
    [customer] = [c for c in company.customers(realm_id) if c["Id"] == account.qbo_customer_id]
    types = {
        t["Name"]: t["Id"]
        for t in company.query(realm_id, "select * from CustomerType")["CustomerType"]
    }
    return customer, types


@pytest.mark.parametrize("with_individual", [True, False])
def test_a_created_customer_is_typed_individual_only_where_the_company_has_the_type(
    services: Services, with_individual: bool
) -> None:
    company = SandboxState()
    realm_id = seed_demo_company(
        company, "4620816999", "type-test-token", with_individual_type=with_individual
    )

    customer, types = created_customer(services, company, realm_id, "Pat Newperson", None)

    if with_individual:
        assert customer["CustomerTypeRef"] == {"value": types["Individual"]}
    else:
        assert "CustomerTypeRef" not in customer


@pytest.mark.parametrize("type_name", ["Business", "Wholesale"])
def test_a_firm_that_names_another_type_gets_it_where_the_company_has_it(
    services: Services, type_name: str
) -> None:
    company = SandboxState()
    realm_id = seed_demo_company(company, "4620816998", "type-test-token")

    customer, types = created_customer(services, company, realm_id, "Newco Holdings", type_name)

    if type_name in types:
        assert customer["CustomerTypeRef"] == {"value": types["Business"]}
    else:  # the company has no "Wholesale" type: no type, and the create still succeeded
        assert "Wholesale" not in types
        assert "CustomerTypeRef" not in customer
