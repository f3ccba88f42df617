"""How an account sync by name decides what to link (SPEC §2.2), from what QBO holds.

One pure decision serves the sync job and the bulk dry run, so the preview says exactly
what the sync then does. Only a name QBO counts as equal is linked on its own; near
matches (core.domain.matching) are left for a person to choose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.domain.matching import Candidate, MatchReason
from core.domain.qbo import (
    DUPLICATE_NAME,
    QboCustomer,
    inactive_match_error,
    refused_name_error,
    sync_error,
)

# How many near matches an error names; the candidates endpoint lists them all.
NAMED_CANDIDATES = 3


class LinkAction(StrEnum):
    """What a sync by name does with an account."""

    LINK = "link"  # to the customer it is linked to already, or to its namesake
    CREATE = "create"  # a new customer under the account's name
    NEEDS_PERSON = "needs_person"  # nothing can be linked on its own: the sync fails with advice


@dataclass(frozen=True)
class LinkPlan:
    action: LinkAction
    customer_id: str | None = None  # for LINK
    error: dict[str, Any] | None = None  # for NEEDS_PERSON: what the bookkeeper can do
    candidates: tuple[Candidate, ...] = field(default=())


def plan_link(
    display_name: str,
    *,
    linked: QboCustomer | None,
    namesakes: Sequence[QboCustomer],
    candidates: Sequence[Candidate],
    held_by_others: bool = False,
) -> LinkPlan:
    """Decide the link for an account called `display_name`.

    `linked` is the customer the account is linked to now (if QBO still has it), `namesakes`
    the customers, active or not, QBO counts as having the same name, `candidates` the ranked
    near matches, and `held_by_others` whether a vendor or employee holds the name.
    """
    if linked is not None and linked.active:  # a kept link needs no name (SPEC §2.1)
        return LinkPlan(LinkAction.LINK, customer_id=linked.id)
    refused = refused_name_error(display_name)
    if refused is not None:
        return LinkPlan(LinkAction.NEEDS_PERSON, error=refused)
    active = [c for c in namesakes if c.active]
    if active:
        return LinkPlan(LinkAction.LINK, customer_id=min(active, key=lambda c: int(c.id)).id)
    if namesakes:
        return LinkPlan(
            LinkAction.NEEDS_PERSON, error=inactive_match_error(display_name, namesakes[0].id)
        )
    if held_by_others:
        return LinkPlan(LinkAction.NEEDS_PERSON, error=name_held_error(display_name))
    namesake_ids = {c.id for c in namesakes}
    near = tuple(
        c
        for c in candidates
        if c.customer.active
        and c.reason is not MatchReason.EXACT
        and c.customer.id not in namesake_ids
    )
    if near:
        return LinkPlan(
            LinkAction.NEEDS_PERSON, error=near_match_error(display_name, near), candidates=near
        )
    return LinkPlan(LinkAction.CREATE)


def name_held_error(display_name: str) -> dict[str, Any]:
    """The error for a name a vendor or employee holds: QBO refuses it for a customer (6240)."""
    return sync_error(
        f"QuickBooks already uses the name {display_name!r} for a vendor or an employee, so no "
        "customer can be created with it. Rename that record in QuickBooks, or link this "
        "account to an existing customer.",
        DUPLICATE_NAME,
    )


def near_match_error(display_name: str, near: Sequence[Candidate]) -> dict[str, Any]:
    """The error for an account with near matches but no exact one: a person chooses."""
    named = ", ".join(
        f"{c.customer.display_name!r} (Id {c.customer.id})" for c in near[:NAMED_CANDIDATES]
    )
    more = f" and {len(near) - NAMED_CANDIDATES} more" if len(near) > NAMED_CANDIDATES else ""
    return sync_error(
        f"QuickBooks has no customer named exactly {display_name!r}, but has similar ones: "
        f"{named}{more}. Sync the account to one of them, or ask for a new customer.",
        "needs_choice",
    )
