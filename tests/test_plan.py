"""The communication plan's services: promises, scheduled updates, the queue rules, deadlines, times."""

from datetime import UTC, datetime, timedelta

import pytest

from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident, utcnow
from statuspage.services import ServiceError, plan
from statuspage.services.clock import local_text, parse_local
from statuspage.services.incidents import lifecycle as service
from statuspage.services.incidents import queue as schedule
from statuspage.services.public.status import page_status, visible_updates
from tests.helpers import T0, component, incident


def naive(value: datetime) -> datetime:
    """Return a UTC time as stored."""
    return value.astimezone(UTC).replace(tzinfo=None)


def test_every_non_final_update_promises_the_next_by_default(clock):
    opened = incident(kind="website-outage")  # cadence: investigating 30 min
    assert opened.updates[0].next_update_at == naive(T0) + timedelta(minutes=30)
    handmade = incident(title="No playbook")
    assert handmade.updates[0].next_update_at == naive(T0) + timedelta(minutes=60)
    closing = service.resolve(handmade, body="Fixed.", user=None)
    assert closing.next_update_at is None


def test_a_promise_must_come_after_its_update(clock):
    opened = incident()
    with pytest.raises(ServiceError, match="after this update is published"):
        service.post_update(
            opened, status="identified", body="x", user=None, next_update_at=naive(T0)
        )


def test_scheduling_in_the_past_is_refused(clock):
    opened = incident()
    with pytest.raises(ServiceError, match="has passed"):
        service.post_update(
            opened,
            status="identified",
            body="x",
            user=None,
            display_at=naive(T0) - timedelta(hours=1),
        )


def test_scheduled_update_is_public_at_its_time_and_its_effects_wait(clock):
    checkout = component()
    opened = incident(components={checkout: "partial_outage"})
    later = service.post_update(
        opened,
        status="monitoring",
        body="Fixed, watching.",
        user=None,
        component_statuses={checkout: "degraded_performance"},
        display_at=naive(T0) + timedelta(hours=3),
    )
    db.session.commit()
    assert opened.status == "investigating" and checkout.status == "partial_outage"
    assert later.effects_pending and later.next_update_at == later.display_at + timedelta(hours=1)
    assert later not in visible_updates(opened, utcnow())
    assert page_status().next_change == later.display_at

    now = clock(hours=3)
    assert later in visible_updates(opened, now)  # read time: no job needed to show it
    assert service.apply_due_update(later, now) is True
    assert service.apply_due_update(later, now) is False  # claimed: never twice
    db.session.commit()
    assert opened.status == "monitoring" and checkout.status == "degraded_performance"
    assert db.session.query(AuditEntry).filter_by(action="update.published").count() == 1


def test_a_later_public_update_wins_over_a_late_applied_one(clock):
    checkout = component()
    opened = incident(components={checkout: "partial_outage"})
    scheduled = service.post_update(
        opened,
        status="identified",
        body="Found it.",
        user=None,
        component_statuses={checkout: "major_outage"},
        display_at=naive(T0) + timedelta(minutes=30),
    )
    db.session.commit()
    clock(minutes=40)  # the scheduler was down at minute 30; the agent posts now
    service.post_update(
        opened,
        status="monitoring",
        body="Fixed.",
        user=None,
        component_statuses={checkout: "operational"},
    )
    db.session.commit()
    assert not scheduled.effects_pending  # applied first, in order
    assert opened.status == "monitoring" and checkout.status == "operational"


def test_the_closing_update_stays_last(clock):
    opened = incident()
    service.resolve(opened, body="Done.", user=None, display_at=naive(T0) + timedelta(hours=2))
    db.session.commit()
    assert opened.status == "investigating"
    with pytest.raises(ServiceError, match="set to close"):
        service.post_update(
            opened,
            status="monitoring",
            body="x",
            user=None,
            display_at=naive(T0) + timedelta(hours=3),
        )
    service.post_update(opened, status="monitoring", body="Before the end.", user=None)
    other = incident(title="Other")
    service.post_update(
        other, status="identified", body="x", user=None, display_at=naive(T0) + timedelta(hours=1)
    )
    with pytest.raises(ServiceError, match="scheduled after this closing update"):
        service.resolve(other, body="Done.", user=None)


def test_reschedule_publish_now_and_cancel(clock):
    opened = incident()
    first = service.post_update(
        opened, status="identified", body="Draft text", user=None,
        display_at=naive(T0) + timedelta(hours=1),
    )  # fmt: skip
    second = service.post_update(
        opened, status="monitoring", body="Later", user=None,
        display_at=naive(T0) + timedelta(hours=2),
    )  # fmt: skip
    db.session.commit()
    schedule.reschedule(
        first, body="Better text", display_at=naive(T0) + timedelta(minutes=90),
        next_update_at=None, user=None,
    )  # fmt: skip
    db.session.commit()
    assert first.body == "Better text" and "Better" in first.body_html
    assert first.next_update_at == naive(T0) + timedelta(minutes=150)
    schedule.publish_now(first, user=None)
    db.session.commit()
    assert first.display_at == naive(T0) and opened.status == "identified"
    assert first.next_update_at == naive(T0) + timedelta(hours=1)
    with pytest.raises(ServiceError, match="already public"):
        schedule.cancel(first, user=None)
    schedule.cancel(second, user=None)
    db.session.commit()
    assert [u.body for u in opened.updates] == ["Better text", "We are looking into it."]
    actions = {e.action for e in db.session.query(AuditEntry)}
    assert {
        "update.schedule",
        "update.reschedule",
        "update.publish_now",
        "update.cancel",
    } <= actions


def test_cancelling_the_only_update_of_a_scheduled_incident_removes_it(clock):
    hidden = incident(display_at=naive(T0) + timedelta(days=1))
    assert hidden.started_at == naive(T0) + timedelta(days=1)
    schedule.cancel(hidden.updates[0], user=None)
    db.session.commit()
    assert db.session.query(Incident).count() == 0


def test_promises_are_kept_late_covered_and_overdue(clock):
    opened = incident(next_update_at=naive(T0) + timedelta(minutes=30))
    [first] = plan.promises(opened, utcnow())
    assert first.state == "open"
    now = clock(minutes=19)
    assert plan.current_promise(opened, now).state == "open"
    now = clock(minutes=21)
    assert plan.current_promise(opened, now).state == "soon"  # 10 min lead by default
    service.post_update(
        opened, status="identified", body="x", user=None,
        display_at=naive(T0) + timedelta(minutes=25),
    )  # fmt: skip
    assert plan.current_promise(opened, now).state == "covered"
    now = clock(minutes=26)
    assert plan.promises(opened, now)[0].state == "kept"
    now = clock(hours=5)
    second = plan.current_promise(opened, now)
    assert second.state == "overdue"
    late = service.post_update(opened, status="monitoring", body="Sorry", user=None)
    outcome = plan.promises(opened, now)[1]
    assert outcome.state == "late" and outcome.answered_by is late
    assert outcome.late_by == now - second.due_at


def test_board_puts_overdue_first(clock):
    calm = incident(title="Calm", next_update_at=naive(T0) + timedelta(hours=4))
    urgent = incident(title="Urgent", next_update_at=naive(T0) + timedelta(minutes=5))
    soon = incident(title="Soon", next_update_at=naive(T0) + timedelta(minutes=40))
    now = clock(minutes=35)
    rows = plan.board([calm, soon, urgent], now)
    assert [(r.incident.title, r.state) for r in rows] == [
        ("Urgent", "overdue"),
        ("Soon", "soon"),
        ("Calm", "open"),
    ]


def test_times_are_entered_in_the_shop_timezone_and_dst_gaps_are_refused(clock):
    assert parse_local("2026-03-10T15:00", "Europe/Berlin", what="T") == datetime(
        2026, 3, 10, 14, 0
    )
    assert parse_local("2026-07-10T15:00", "Europe/Berlin", what="T") == datetime(
        2026, 7, 10, 13, 0
    )  # summer time
    with pytest.raises(ServiceError, match="does not exist"):
        parse_local("2026-03-29T02:30", "Europe/Berlin", what="T")
    for junk in ("tomorrow", "0001-01-01T00:00", "9999-12-31T23:59"):
        with pytest.raises(ServiceError):
            parse_local(junk, "Asia/Tokyo", what="T")
    with pytest.raises(ServiceError, match="past"):
        parse_local("2026-03-10T12:59", "Europe/Berlin", what="T")
    assert local_text(datetime(2026, 3, 10, 14, 0), "Europe/Berlin") == "10 Mar 2026, 15:00 CET"


def test_deadlines_count_from_the_start_and_can_be_marked_done(clock, owner):
    breach = incident(kind="data-breach")
    views = plan.deadlines_for(breach, utcnow())
    assert [v.key for v in views] == ["authority", "customers"]
    assert views[0].due_at == naive(T0) + timedelta(hours=72) and views[0].state == "open"
    assert plan.deadlines_for(breach, clock(hours=50))[0].state == "soon"
    assert plan.deadlines_for(breach, clock(hours=73))[0].state == "overdue"
    plan.mark_deadline_done(breach, "authority", "Case 2026/17", user=owner)
    db.session.commit()
    done = plan.deadlines_for(breach, utcnow())[0]
    assert done.state == "done" and done.done.note == "Case 2026/17" and done.done.done_by == owner
    with pytest.raises(ServiceError, match="already"):
        plan.mark_deadline_done(breach, "authority", "", user=owner)
    with pytest.raises(ServiceError, match="no such deadline"):
        plan.mark_deadline_done(breach, "nope", "", user=owner)
    assert [v.key for v in plan.open_deadlines(utcnow())] == ["customers"]


def test_plan_puts_past_and_future_on_one_axis(clock):
    breach = incident(kind="data-breach", next_update_at=naive(T0) + timedelta(hours=1))
    service.post_update(
        breach, status="identified", body="Cause found.", user=None,
        display_at=naive(T0) + timedelta(hours=2),
    )  # fmt: skip
    laid_out = plan.plan_for(breach, utcnow())
    kinds = [item.kind for item in laid_out.items]
    assert kinds[0] == "published" and "scheduled" in kinds and "deadline" in kinds
    assert "follow_up" in kinds and laid_out.later  # checklist items, some after resolution
    times = [item.at for item in laid_out.items]
    assert times == sorted(times)
    assert laid_out.promise.due_at == naive(T0) + timedelta(hours=1)


def test_publishing_a_draft_keeps_the_promised_interval(clock):
    draft = incident(draft=True, next_update_at=naive(T0) + timedelta(minutes=45))
    now = clock(hours=2)
    service.publish_draft(draft, user=None)
    assert draft.updates[0].next_update_at == now + timedelta(minutes=45)
    with pytest.raises(ServiceError, match="draft"):
        incident(draft=True, display_at=now + timedelta(hours=1))
