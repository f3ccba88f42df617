"""Customer creates as recorded sends (core.domain.sends): built, sent exactly as recorded,
and their answers read back per bId."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.domain.jobs import request_id
from core.domain.qbo import QboCustomer
from core.domain.sends import QboSend, SendItem, new_send_id
from core.errors import QboBatchBudgetError, QboError, QboTransientError
from core.ports import Qbo
from core.services.account_sync_steps import Claimed

CUSTOMER = "customer"


@dataclass
class NameGroup:
    """Accounts of one name: one create serves them all."""

    name: str
    members: list[Claimed] = field(default_factory=list)

    @property
    def bid(self) -> str:
        return str(self.members[0].job.target_id)  # an account id: at most 10 digits


def customer_send(
    firm_id: int, groups: list[NameGroup], type_id: str | None, now: datetime, *, batch: bool
) -> QboSend:
    """The request that creates the groups' names, with the request id QBO dedupes on."""
    send_id = new_send_id()
    # A batch's id goes with each bId (at most 50 characters together); a single create
    # keeps the id a job's own create has always had.
    rid = send_id if batch else request_id(groups[0].members[0].job.id, "create-customer")
    items = tuple(
        SendItem(
            job_id=member.job.id,
            bid=group.bid,
            draft={"display_name": group.name, "customer_type_id": type_id},
        )
        for group in groups
        for member in group.members
    )
    return QboSend(
        id=send_id,
        firm_id=firm_id,
        entity=CUSTOMER,
        request_id=rid,
        batch=batch,
        created_at=now,
        items=items,
    )


@dataclass(frozen=True)
class Answers:
    """What QBO answered a send, per bId; `answered` is False when the request failed on
    the way (a timeout, a dropped connection, a 5xx) and may or may not have been carried out."""

    by_bid: dict[str, QboCustomer | QboError]
    answered: bool = True


def ask(qbo: Qbo, send: QboSend) -> Answers:
    """Send exactly what `send` records; QboBatchBudgetError if our gate holds a batch back."""
    drafts = send.drafts()
    try:
        if send.batch:
            return Answers(
                qbo.create_customers_in_batch(
                    [(bid, d["display_name"], d["customer_type_id"]) for bid, d in drafts.items()],
                    request_id=send.request_id,
                )
            )
        [(bid, draft)] = drafts.items()
        created = qbo.create_customer(
            draft["display_name"],
            request_id=send.request_id,
            customer_type_id=draft["customer_type_id"],
        )
        return Answers({bid: created})
    except QboBatchBudgetError:
        raise
    except QboTransientError as exc:
        return Answers({bid: exc for bid in drafts}, answered=False)
    except QboError as exc:  # refused as a whole: every item's answer
        return Answers({bid: exc for bid in drafts})
