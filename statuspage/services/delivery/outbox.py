"""The outbox engine: send each queued message once, retry what failed, recover what a dead sender held.

An outbox row (`models/delivery.py`: a team notice, a subscriber's e-mail, a webhook delivery) is written
by the code that reports an event, in the same transaction as the event, so a message is never lost and
never queued for an event that was rolled back. Nothing is sent from a web request: the scheduler's jobs
call a kind's `deliver_due()` (in notify.py, mailer.py, webhooks.py), which calls `drain()` here:

1. **Claim** the next due row with a conditional UPDATE (`state` pending → sending, `attempts` + 1,
   `claimed_at`/`claimed_by` set) and commit. Several scheduler processes may race: the UPDATE repeats the
   "is it claimable?" condition, so exactly one of them wins a row (on PostgreSQL the SELECT also skips
   rows another sender has locked). Rows are claimed one at a time, right before their own send, so a
   row's `claimed_at` is when its send began: its lease does not shrink while a long batch runs.
2. **Send** it through the kind's sender, which renders the message and hands it to SMTP or HTTP; it
   returns an `Attempt` (None when sent). A sender that raises is recorded as a temporary failure.
3. **Mark** the outcome and commit: sent; or pending again with a backoff of 1, 2, 4 … 60 minutes; or
   failed for good once the failure is permanent or NOTIFY_MAX_ATTEMPTS tries were made. The mark only
   lands while this process still holds the claim.
4. **Then** the kind's `on_marked` hook logs the outcome or does its own bookkeeping (webhooks count
   an endpoint's failures in a row and disable it, telling the team).

A row left in `sending` by a process that died mid-send is claimable again once its claim is older than
JOB_LEASE_SECONDS; each message carries a stable X-Candor-Event-Id (and an e-mail a stable Message-ID,
`headers.py`) so a receiver can recognise that rare repeat.

Why a live sender's work never looks abandoned: the lease runs per message, from the row's own claim,
so only one send (bounded by the SMTP and HTTP timeouts, WEBHOOK_TIMEOUT_SECONDS) has to fit in the
lease, however long the queue is. A batch is bounded too: `drain` stops claiming once half the lease
has passed and leaves the rest to the next tick (or to another scheduler), so one slow batch holds up
neither the tick's other jobs nor anything claimed. Should a single send ever outlast the lease, the
mark does not land and the log says so (another scheduler may have sent the message again).

Who commits: the code that queues a row does not (the row joins the caller's transaction). The engine
commits each claim and each mark in a transaction of its own, both marked `private_write()` (outbox
bookkeeping never changes a public page, so the page cache stays valid); an `on_marked` hook commits
its own bookkeeping. The delivery services are the only services that commit (see `__init__.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy import update as sql_update

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.models.outbox import OutboxMixin
from statuspage.services.delivery.claims import WORKER
from statuspage.site_version import private_write

log = logging.getLogger("statuspage.delivery")


@dataclass(frozen=True)
class Attempt:
    """How one send went: an error ("" when sent), whether retrying is useless, columns to record."""

    error: str = ""
    permanent: bool = False
    values: dict[str, Any] = field(default_factory=dict)


SENT = Attempt()


def _nothing(row: Any, attempt: Attempt, state: str, now: datetime) -> None:
    """Do nothing more."""


@dataclass(frozen=True)
class Outbox:
    """One kind of outbox: its model, how to send one row, and what to do once the outcome is marked."""

    model: type[OutboxMixin]
    send: Callable[[Any], Attempt | None]
    on_marked: Callable[[Any, Attempt, str, datetime], None] = _nothing


def drain(
    outbox: Outbox, now: datetime | None = None, ids: list[int] | None = None, limit: int = 500
) -> int:
    """Send an outbox's rows that are due at `now` (or only these ids); return how many were sent.

    Stops claiming after `limit` rows or half a lease, whichever comes first: the rest waits for the
    next tick.
    """
    now = now or utcnow()
    budget = time.monotonic() + current_app.config["JOB_LEASE_SECONDS"] / 2
    sent = 0
    for _ in range(limit):
        if time.monotonic() > budget:
            break
        row = claim_next(outbox.model, now, ids)
        if row is None:
            break
        attempt = _send(outbox, row)
        state = _mark(outbox.model, row, now, attempt)
        outbox.on_marked(row, attempt, state, now)
        sent += not attempt.error
    return sent


def _send(outbox: Outbox, row: Any) -> Attempt:
    """Send one claimed row through its kind's sender; an exception is a failure to retry."""
    try:
        return outbox.send(row) or SENT
    except Exception as failure:  # any failure of a sender is recorded and retried, never lost
        db.session.rollback()  # a failed statement may have aborted the transaction (PostgreSQL)
        return Attempt(f"{type(failure).__name__}: {failure}"[:300])


def _claimable(model: type[OutboxMixin], now: datetime) -> ColumnElement[bool]:
    """Describe a row a sender may take: due and pending, or abandoned by a sender that died."""
    lease = now - timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    return or_(
        and_(model.state == "pending", model.next_try_at <= now),
        and_(model.state == "sending", model.claimed_at < lease),
    )


def claim_next(model: type[OutboxMixin], now: datetime, ids: list[int] | None = None) -> Any:
    """Claim the next row due at `now` with a conditional UPDATE and commit; None when none is left."""
    query = select(model.id).where(_claimable(model, now))
    if ids is not None:
        query = query.where(model.id.in_(ids))
    query = query.order_by(model.id).limit(1).with_for_update(skip_locked=True)
    while (row_id := db.session.scalar(query)) is not None:
        claimed = db.session.execute(
            sql_update(model)
            .where(model.id == row_id, _claimable(model, now))
            # The lease runs from this row's own claim, not from the start of the batch.
            .values(
                state="sending", claimed_at=utcnow(), claimed_by=WORKER, attempts=model.attempts + 1
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        private_write()  # outbox bookkeeping: the public pages stay cached
        db.session.commit()
        if claimed:  # else another sender won this row: look for the next one
            row = db.session.get(model, row_id)
            db.session.refresh(row)
            return row
    db.session.rollback()
    return None


def _mark(model: type[OutboxMixin], row: Any, now: datetime, attempt: Attempt) -> str:
    """Record a claimed row's attempt: sent, retried with backoff (1, 2, 4 … min) or failed; commit."""
    values: dict[str, Any] = {"error": attempt.error[:300], **attempt.values}
    if not attempt.error:
        values.update(state="sent", sent_at=utcnow())
    elif attempt.permanent or row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        values.update(state="failed")
    else:
        backoff = timedelta(minutes=min(2 ** (row.attempts - 1), 60))
        values.update(state="pending", next_try_at=now + backoff)
    marked = db.session.execute(
        sql_update(model)
        .where(model.id == row.id, model.claimed_by == WORKER)
        .where(model.state == "sending", model.claimed_at == row.claimed_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    private_write()
    db.session.commit()
    if not marked:  # the send outlasted the lease: another sender may have taken the row meanwhile
        log.error("%s %s: the send took longer than JOB_LEASE_SECONDS; it may go out twice",
                  model.__tablename__, row.id)  # fmt: skip
    return values["state"]
