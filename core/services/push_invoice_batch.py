"""Creating a firm's backlog of invoices with QBO's batch endpoint (SPEC §3, jobs.md §7).

A push job that creates a numbered invoice also claims other queued creates of the firm, up
to QBO's 30 a batch, and sends them as one request; each item's answer or fault is recorded
against its own job exactly as a single call's would be. The batch's request id comes from
the leading job; should a batch be formed again differently after a crash, a member whose
job ran before is first looked up by its number, so nothing is created twice. When the
minute's batch requests are spent, the members wait for the next (paced: no attempt spent)
instead of going one call each: thirty single calls at a busy company's pace outlasted the
job's time limit, again and again, until the invoices ended Failed (qbsync bench chaos).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from core.domain.jobs import request_id
from core.domain.qbo import QboInvoice, QboInvoiceDraft
from core.errors import QboBatchBudgetError, QboError
from core.ports import JobDispatcher, Qbo, QboConnector, UnitOfWork
from core.services.invoice_push_steps import (
    Claimed,
    PushRefusedError,
    adopt_lost_creates,
    batchable,
    claim_push,
    invoice_draft,
    record_refusal,
    settle_unpushable,
    update_copy,
)
from core.services.push_runs import PushOutcome, QboCopy, record_pushed

# QBO's largest batch.
BATCH = 30
# When the minute's batch requests are spent, this few creates go as single calls (which
# have 460 a minute of their own) rather than wait: the last records of a backlog, often
# alone with one sibling, otherwise waited behind every other batch for minutes (bench
# chaos). Thirty single calls outlasted a job's time limit; two take a second.
SINGLY_WITHOUT_BATCH_ROOM = 2


def claim_batch_siblings(
    uow: UnitOfWork, lead: Claimed, worker_id: str, now: datetime
) -> list[Claimed]:
    """Claim other queued creates of the firm to go in one batch with `lead`'s."""
    with uow:
        job_ids = uow.invoices.batchable_push_jobs(lead.job.firm_id, lead.job.id, now, BATCH - 1)
    siblings = []
    for job_id in job_ids:
        sibling = claim_push(uow, job_id, worker_id, now)
        if sibling is None:
            continue  # another worker took it
        if settle_unpushable(uow, sibling, worker_id, now) is None and batchable(sibling):
            siblings.append(sibling)
    return siblings


def run_batch(
    uow: UnitOfWork,
    connect: QboConnector,
    dispatcher: JobDispatcher,
    members: list[Claimed],
    worker_id: str,
    clock: Callable[[], datetime],
) -> PushOutcome:
    """Create the members' invoices in one batch; return the leading member's outcome."""
    lead = members[0]
    assert lead.connection is not None
    qbo = connect(lead.connection)
    outcomes: dict[str, PushOutcome] = {}
    drafts: dict[str, tuple[Claimed, QboInvoiceDraft]] = {}
    items: dict[str, str] = {}  # service name → QBO item Id, shared by the members
    try:
        # A retry may follow a batch whose answer was lost: its members' copies, found again.
        lost = adopt_lost_creates(qbo, [m for m in members if m.job.attempts > 1])
        for member in members:
            assert member.customer_id is not None
            try:
                draft = invoice_draft(qbo, member.invoice, member.customer_id, member.job, items)
                adopted = lost.get(member.job.id)
            except PushRefusedError as exc:
                outcomes[member.job.id] = record_refusal(
                    uow, dispatcher, member, worker_id, clock(), exc
                )
                continue
            if adopted is not None:  # an earlier run made it: bring it up to date alone
                pushed = update_copy(qbo, adopted.id, adopted.sync_token, draft, member.job)
                outcomes[member.job.id] = _pushed(uow, dispatcher, member, worker_id, clock, pushed)
                continue
            drafts[str(member.invoice.id)] = (member, draft)
        answers: dict[str, QboInvoice | QboError] = {}
        if drafts:
            try:
                answers = qbo.create_invoices_in_batch(
                    [(bid, draft) for bid, (_, draft) in drafts.items()],
                    request_id=request_id(lead.job.id, "batch"),
                )
            except QboBatchBudgetError:
                if len(drafts) > SINGLY_WITHOUT_BATCH_ROOM:
                    raise
                answers = _create_singly(qbo, drafts)
    except QboError as exc:  # the whole request failed: each member as a single call would
        for member, _ in drafts.values():
            outcomes[member.job.id] = record_refusal(
                uow, dispatcher, member, worker_id, clock(), exc
            )
        for member in members:
            if member.job.id not in outcomes:
                outcomes[member.job.id] = record_refusal(
                    uow, dispatcher, member, worker_id, clock(), exc
                )
        return outcomes[lead.job.id]
    for bid, (member, _) in drafts.items():
        answer = answers.get(bid)
        if isinstance(answer, QboInvoice):
            outcomes[member.job.id] = _pushed(uow, dispatcher, member, worker_id, clock, answer)
        else:
            refusal = answer or QboError(f"QuickBooks answered no item {bid} of the batch")
            outcomes[member.job.id] = record_refusal(
                uow, dispatcher, member, worker_id, clock(), refusal
            )
    return outcomes[lead.job.id]


def _create_singly(
    qbo: Qbo, drafts: dict[str, tuple[Claimed, QboInvoiceDraft]]
) -> dict[str, QboInvoice | QboError]:
    """Each member's create as its own call, with the request id its single push would use."""
    answers: dict[str, QboInvoice | QboError] = {}
    for bid, (member, draft) in drafts.items():
        try:
            rid = request_id(member.job.id, "create-invoice")
            answers[bid] = qbo.create_invoice(draft, request_id=rid)
        except QboError as exc:
            answers[bid] = exc
    return answers


def _pushed(
    uow: UnitOfWork,
    dispatcher: JobDispatcher,
    member: Claimed,
    worker_id: str,
    clock: Callable[[], datetime],
    pushed: QboInvoice,
) -> PushOutcome:
    copy = QboCopy(pushed.id, pushed.sync_token)
    return record_pushed(
        uow, dispatcher, member.job, worker_id, clock(), member.invoice.version, copy
    )
