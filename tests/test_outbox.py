"""The outbox engine on its own: exactly-once claims, retries and giving up, senders that raise, leases."""

from __future__ import annotations

from sqlalchemy import event, select

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.models.cache import SiteVersion
from statuspage.models.delivery import Notification
from statuspage.services.delivery import outbox
from tests.helpers import at


def _queue(*keys: str) -> list[int]:
    """Queue one team message per key, due now; return their ids."""
    rows = [
        Notification(key=k, event="test", channel="log", subject=k, text=k, next_try_at=utcnow())
        for k in keys
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _row(row_id: int) -> Notification:
    """Read a row as committed."""
    db.session.expire_all()
    return db.session.get(Notification, row_id)


def _version() -> int | None:
    """Read the data version the public pages are cached by."""
    return db.session.scalar(select(SiteVersion.version))


class Recorder:
    """A sender that answers with the attempts it is given (sent when it runs out) and keeps a log."""

    def __init__(self, *answers):
        self.answers, self.sent, self.reported = list(answers), [], []

    def send(self, row):
        self.sent.append(row.key)
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer
        return answer

    def on_marked(self, row, attempt, state, now):
        self.reported.append((row.key, state, attempt.error))

    def outbox(self) -> outbox.Outbox:
        return outbox.Outbox(Notification, self.send, self.on_marked)


def test_two_senders_racing_for_a_row_claim_it_exactly_once(app, app_ctx, clock):
    (row_id,) = _queue("only")
    rival: list = []

    def the_other_process_claims_first(conn, cursor, statement, *args):
        """Just before our conditional UPDATE, another sender (own session) claims the same row."""
        if statement.lstrip().upper().startswith("UPDATE NOTIFICATION") and not rival:
            rival.append(None)
            with app.app_context():  # a session and a connection of its own
                row = outbox.claim_next(Notification, utcnow())
                rival[0] = row.id if row else None

    engine = db.engine
    event.listen(engine, "before_cursor_execute", the_other_process_claims_first)
    try:
        ours = outbox.claim_next(Notification, utcnow())
    finally:
        event.remove(engine, "before_cursor_execute", the_other_process_claims_first)

    # SQLite: the rival wins and our UPDATE matches nothing; PostgreSQL: our row lock makes it skip.
    winners = [x for x in (rival[0], ours.id if ours else None) if x is not None]
    assert winners == [row_id]
    assert _row(row_id).state == "sending" and _row(row_id).attempts == 1
    assert outbox.claim_next(Notification, utcnow()) is None  # a claimed row is nobody else's


def test_a_failing_message_is_retried_with_backoff_then_given_up(app, app_ctx, clock):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    (row_id,) = _queue("flaky")
    sender = Recorder(*[outbox.Attempt("503 try later")] * 3)
    version = _version()

    assert outbox.drain(sender.outbox()) == 0
    row = _row(row_id)
    assert (row.state, row.attempts, row.error) == ("pending", 1, "503 try later")
    assert row.next_try_at == at(1)  # backing off 1, 2, 4 … minutes

    clock(seconds=59)
    assert outbox.drain(sender.outbox()) == 0 and sender.sent == ["flaky"]  # not due yet
    clock(minutes=1)
    outbox.drain(sender.outbox())
    assert _row(row_id).next_try_at == at(3)
    clock(minutes=3)
    outbox.drain(sender.outbox())
    row = _row(row_id)
    assert (row.state, row.attempts) == ("failed", 3)
    assert sender.reported[-1] == ("flaky", "failed", "503 try later")
    clock(hours=5)
    outbox.drain(sender.outbox())
    assert len(sender.sent) == 3  # given up: never tried again
    assert _version() == version  # outbox bookkeeping leaves the public pages cached


def test_a_permanent_failure_is_not_retried_and_a_success_is_marked_sent(app_ctx, clock):
    gone, fine = _queue("gone", "fine")
    sender = Recorder(outbox.Attempt("the recipient is gone", permanent=True))
    assert outbox.drain(sender.outbox()) == 1
    assert (_row(gone).state, _row(gone).attempts) == ("failed", 1)
    row = _row(fine)
    assert (row.state, row.error, row.sent_at) == ("sent", "", utcnow())
    assert [state for _key, state, _error in sender.reported] == ["failed", "sent"]


def test_a_sender_that_raises_is_retried_and_the_others_still_go_out(app_ctx, clock):
    broken, fine = _queue("broken", "fine")
    sender = Recorder(RuntimeError("the template is broken"))
    assert outbox.drain(sender.outbox()) == 1
    row = _row(broken)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.error == "RuntimeError: the template is broken"
    assert _row(fine).state == "sent"
    clock(minutes=1)
    assert outbox.drain(sender.outbox()) == 1 and _row(broken).state == "sent"


def test_only_the_given_ids_are_sent(app_ctx, clock):
    first, second = _queue("first", "second")
    sender = Recorder()
    assert outbox.drain(sender.outbox(), ids=[second]) == 1
    assert (_row(first).state, _row(second).state) == ("pending", "sent")


def test_a_claim_abandoned_by_a_dead_sender_is_taken_over_after_the_lease(app, app_ctx, clock):
    (row_id,) = _queue("orphan")
    row = _row(row_id)
    row.state, row.claimed_at, row.claimed_by, row.attempts = "sending", utcnow(), "gone:1", 1
    db.session.commit()
    sender = Recorder()
    lease = app.config["JOB_LEASE_SECONDS"]
    clock(seconds=lease - 1)
    assert outbox.drain(sender.outbox()) == 0  # it may still be sending
    clock(seconds=lease + 1)
    assert outbox.drain(sender.outbox()) == 1
    assert (_row(row_id).state, _row(row_id).attempts) == ("sent", 2)


def test_each_message_holds_its_own_lease_however_long_the_batch(app, app_ctx, clock):
    slow, later = _queue("slow", "later")
    claimed_at = {}

    def send(row):
        claimed_at[row.key] = row.claimed_at
        clock(minutes=10)  # a slow server: the batch outlives the lease

    outbox.drain(outbox.Outbox(Notification, send))
    assert claimed_at == {"slow": at(0), "later": at(10)}  # not the batch's start
    assert set(db.session.scalars(select(Notification.state))) == {"sent"}
