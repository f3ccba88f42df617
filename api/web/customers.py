"""The QBO customers a page names: from the company's customer list, which the API keeps
for a while (core.services.customers), so that most pages cost QBO no read at all."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from api.context import app_context, current_firm_id
from core.errors import NotConnectedError, QboError
from core.services import customers as customer_service

log = logging.getLogger(__name__)
# Every customer of the company: the names are looked up among all of them.
EVERY = 1_000_000


def customer_names(customer_ids: Iterable[str | None]) -> dict[str, str]:
    """The display names of these QBO customers, by Id, where QBO can say: a page without a
    connection, or whose QBO read failed, shows the Ids alone. No read when none is asked."""
    wanted = {customer_id for customer_id in customer_ids if customer_id}
    if not wanted:
        return {}
    services = app_context().services
    try:
        found = customer_service.list_qbo_customers(
            services.reader(),
            services.qbo,
            services.customers,
            current_firm_id(),
            q=None,
            include_inactive=True,
            offset=0,
            limit=EVERY,
        )
    except (NotConnectedError, QboError) as error:
        log.info("customer names not shown: %s", error)
        return {}
    return {c.id: c.display_name for c in found.items if c.id in wanted}
