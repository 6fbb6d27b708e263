"""The scheduler's jobs, one tick at a time, with the clock under the test's control."""

import logging
from datetime import timedelta

import pytest

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from statuspage.models.delivery import Notification
from statuspage.models.jobs import JobClaim
from statuspage.services import ServiceError, plan
from statuspage.services.incidents import lifecycle as service
from statuspage.services.incidents import maintenance
from tests.helpers import at, component, incident

pytestmark = pytest.mark.usefixtures("shop_in_berlin")


def test_reminders_fire_once_before_and_once_at_the_promised_time(clock, team_hook, app):
    opened = incident(next_update_at=at(120))
    for minute in (30, 109):
        clock(minutes=minute)
        jobs.tick()
    assert team_hook.events() == []
    clock(minutes=110)
    jobs.tick()
    jobs.tick()
    clock(minutes=115)
    jobs.tick()
    assert team_hook.events() == ["reminder.soon"]
    assert (
        "due in 10 min" in team_hook.accepted[0].text and "15:00 CET" in team_hook.accepted[0].text
    )
    for minute in (120, 121, 180):
        clock(minutes=minute)
        jobs.tick()
    assert team_hook.events() == ["reminder.soon", "reminder.overdue"]
    assert opened.title in team_hook.accepted[1].text
    assert "/admin/incidents/" in team_hook.accepted[1].text
    assert len(team_hook.ids()) == 2
    logged = db.session.query(Notification).filter_by(channel="log", state="sent").count()
    assert logged == 2


def test_a_kept_promise_is_not_reminded(clock, team_hook):
    opened = incident(next_update_at=at(60))
    clock(minutes=45)
    service.post_update(opened, status="identified", body="On it.", user=None)
    db.session.commit()
    for minute in (50, 60, 70):
        clock(minutes=minute)
        jobs.tick()
    assert team_hook.events() == []  # the new promise (identified + 60 min) is not due yet


def test_a_scheduled_update_before_the_promise_keeps_it(clock, team_hook):
    opened = incident(next_update_at=at(60))
    service.post_update(opened, status="identified", body="Soon.", user=None, display_at=at(55))
    db.session.commit()
    for minute in (50, 55, 60):
        clock(minutes=minute)
        jobs.tick()
    assert team_hook.events() == ["update.published"]


def test_after_downtime_only_the_overdue_reminder_is_sent(clock, team_hook):
    incident(next_update_at=at(60))
    clock(minutes=200)  # the scheduler was down from before 50 until now
    jobs.tick()
    jobs.tick()
    assert team_hook.events() == ["reminder.overdue"]
    assert db.session.query(JobClaim).count() == 2  # "soon" claimed silently: never sent later


def test_channels_email_and_retries(clock, app, inbox, team_hook):
    opened = incident(next_update_at=at(30))
    app.config["REMINDER_EMAILS"] = "oncall@shop.test"
    team_hook.status = 500
    clock(minutes=20)
    jobs.tick()
    assert [message["To"] for message in inbox.messages] == ["oncall@shop.test"]
    assert inbox.messages[0]["Subject"] == "Next update due in 10 min"
    assert opened.title in inbox.messages[0].get_body(("plain",)).get_content()
    webhook = db.session.query(Notification).filter_by(channel="webhook").one()
    assert webhook.state == "pending" and webhook.attempts == 1 and "500" in webhook.error
    assert webhook.next_try_at == at(21)
    team_hook.status = 200
    jobs.tick()
    assert team_hook.events() == []  # backing off
    clock(minutes=21)
    jobs.tick()
    assert team_hook.events() == ["reminder.soon"]
    assert len(inbox.messages) == 1
    db.session.refresh(webhook)
    assert webhook.state == "sent" and webhook.attempts == 2


def test_a_channel_that_keeps_failing_is_given_up_and_logged(clock, app, caplog):
    caplog.set_level("INFO", logger="statuspage.plan")
    logging.getLogger("statuspage.plan").disabled = False  # alembic's fileConfig may have run
    app.config.update(WEBHOOK_URL="http://127.0.0.1:9/nothing-listens", NOTIFY_MAX_ATTEMPTS=2)
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # a local address, allowed explicitly
    incident(next_update_at=at(30))
    clock(minutes=25)
    jobs.tick()
    clock(minutes=40)
    jobs.tick()
    webhook = db.session.query(Notification).filter_by(channel="webhook", event="reminder.soon")
    assert webhook.one().state == "failed" and webhook.one().attempts == 2
    assert "giving up" in caplog.text


def test_a_delivery_abandoned_by_a_dead_scheduler_is_retried_after_the_lease(clock, team_hook):
    incident(next_update_at=at(30))
    clock(minutes=25)
    jobs.tick()
    row = db.session.query(Notification).filter_by(channel="webhook").one()
    row.state, row.claimed_by = "sending", "elsewhere:1"  # as if its sender died mid-send
    db.session.commit()
    team_hook.accepted.clear()
    jobs.tick()
    assert team_hook.events() == []
    clock(minutes=31)
    jobs.tick()  # the overdue reminder, and the abandoned one after the 5-minute lease
    assert sorted(team_hook.events()) == ["reminder.overdue", "reminder.soon"]


def test_one_broken_item_does_not_stop_the_others(clock, team_hook, monkeypatch):
    incident(title="One", next_update_at=at(30))
    incident(title="Two", next_update_at=at(30))
    real = plan.current_promise

    def flaky(found, now, lead=None):
        if found.title == "One":
            raise RuntimeError("boom")
        return real(found, now, lead)

    monkeypatch.setattr(plan, "current_promise", flaky)
    clock(minutes=31)
    jobs.tick()
    assert [m.text.count("Two") for m in team_hook.accepted] == [1]
    monkeypatch.setattr(plan, "current_promise", real)
    jobs.tick()
    assert len(team_hook.accepted) == 2  # retried at the next tick


def _maintenance(components, start=60, end=180, **kwargs):
    """Plan a maintenance from the playbook and commit it."""
    made = maintenance.plan_maintenance(
        title="Faster checkout", body="", user=None, components=components,
        scheduled_for=at(start), scheduled_until=at(end), what_changes="a faster checkout",
        **kwargs,
    )  # fmt: skip
    db.session.commit()
    return made


def test_maintenance_starts_and_ends_on_its_own(clock, team_hook):
    checkout, storefront = component("Checkout"), component("Storefront")
    storefront.status = "degraded_performance"
    db.session.commit()
    window = _maintenance([checkout, storefront])
    assert window.status == "scheduled" and "10 March 2026 at 14:00" in window.updates[0].body
    assert window.updates[0].next_update_at == at(60)  # never promised past the start
    assert plan.current_promise(window, at(55)).state == "covered"  # the start will keep it
    assert set(window.updates[0].translations) == set()  # the shop publishes in English only
    clock(minutes=59)
    jobs.tick()
    assert window.status == "scheduled"
    assert not [e for e in team_hook.events() if e.startswith("reminder")]  # the job will post
    now = clock(minutes=60, seconds=20)  # the tick comes a little after the start
    jobs.tick()
    jobs.tick()
    assert window.status == "in_progress"
    assert plan.promises(window, now)[0].state == "kept"  # "by 14:00", answered at 14:00:20
    assert checkout.status == storefront.status == "under_maintenance"
    started = window.updates[0]
    assert "has started" in started.body and "by 10 March 2026 at 16:00" in started.body
    assert started.next_update_at == now + timedelta(hours=1)
    clock(minutes=100)
    checkout.status = "major_outage"  # changed meanwhile by hand: left alone at the end
    db.session.commit()
    clock(minutes=180)
    jobs.tick()
    jobs.tick()
    assert window.status == "completed" and window.updates[0].next_update_at is None
    assert storefront.status == "degraded_performance" and checkout.status == "major_outage"
    assert "finished" in window.updates[0].body
    assert [u.status for u in window.updates] == ["completed", "in_progress", "scheduled"]
    events = [e for e in team_hook.events() if e.startswith("maintenance")]
    assert events == ["maintenance.started", "maintenance.ended"]


def test_a_window_missed_entirely_ends_without_starting(clock, team_hook):
    checkout = component("Checkout")
    window = _maintenance([checkout])
    clock(minutes=300)
    jobs.tick()
    assert window.status == "completed" and checkout.status == "operational"
    assert [u.status for u in window.updates] == ["completed", "scheduled"]


def test_extend_and_end_early(clock, team_hook, owner):
    checkout = component("Checkout")
    window = _maintenance([checkout])
    clock(minutes=60)
    jobs.tick()
    clock(minutes=170)
    with pytest.raises(ServiceError, match="future"):
        maintenance.extend(window, until=at(100), user=owner)
    update = maintenance.extend(window, until=at(240), user=owner)
    db.session.commit()
    assert "17:00 CET" in update.body and window.variables["window_end"] == "2026-03-10T17:00"
    clock(minutes=180)
    jobs.tick()
    assert window.status == "in_progress"  # the old end passed: nothing happens
    clock(minutes=200)
    assert maintenance.end(window, user=owner) is not None
    db.session.commit()
    assert window.status == "completed" and checkout.status == "operational"
    assert maintenance.end(window, user=owner) is None  # already ended: nothing twice
    clock(minutes=240)
    jobs.tick()
    assert [u.status for u in window.updates].count("completed") == 1


def test_maintenance_window_is_validated(clock):
    checkout = component("Checkout")
    for start, end, message in ((-5, 60, "future"), (60, 30, "after it starts")):
        with pytest.raises(ServiceError, match=message):
            _maintenance([checkout], start=start, end=end)
    with pytest.raises(ServiceError, match="before it starts"):
        _maintenance([checkout], display_at=at(90))
    db.session.rollback()
    assert db.session.query(Incident).count() == 0


def test_deadline_alerts_fire_once_per_threshold(clock, team_hook):
    breach = incident(kind="data-breach", next_update_at=at(60 * 24 * 5))
    for hours in (1, 47, 48, 49, 68, 69, 71, 72, 80):
        clock(hours=hours)
        jobs.tick()
    kinds = [(m.event, m.text.split("“")[0]) for m in team_hook.accepted]
    assert len([k for k in kinds if k[0] == "deadline.soon"]) == 6  # 24, 4, 1 h × 2 deadlines
    assert len([k for k in kinds if k[0] == "deadline.passed"]) == 2
    assert len(team_hook.ids()) == len(team_hook.accepted)
    assert breach.title in team_hook.accepted[0].text


def test_deadline_catch_up_sends_only_the_latest_and_done_ones_stay_quiet(clock, team_hook, owner):
    breach = incident(kind="data-breach", next_update_at=at(60 * 24 * 5))
    plan.mark_deadline_done(breach, "customers", "Mailed everyone", user=owner)
    db.session.commit()
    clock(hours=71, minutes=30)  # down since the start: 24 h, 4 h and 1 h thresholds all passed
    jobs.tick()
    jobs.tick()
    assert [e for e in team_hook.events() if e.startswith("deadline")] == ["deadline.soon"]
    assert "1 h left" in team_hook.accepted[0].text and "authority" in team_hook.accepted[0].text


def test_follow_ups_are_reminded_once_when_due(clock, team_hook, owner):
    from statuspage.services.aftercare import checklist

    breach = incident(kind="data-breach", next_update_at=at(60 * 24 * 5))
    entries = checklist.entries(breach)
    assert entries and any(e.due_at is None for e in entries)  # some wait for the resolution
    first_due = max(e.due_at for e in entries[:2] if e.due_at)  # the ticked one is due by then
    checklist.tick(entries[0], user=owner)
    db.session.commit()
    clock(minutes=int((first_due - at(0)).total_seconds() // 60) + 1)
    jobs.tick()
    jobs.tick()
    due = [e for e in entries[1:] if e.due_at and e.due_at <= utcnow()]
    assert team_hook.events().count("follow_up.due") == len(due) > 0
    assert all(e.reminded_at for e in due) and entries[0].reminded_at is None


def test_feedback_follow_up_is_reminded_once_7_days_after_a_delivery_delay(clock, team_hook):
    from statuspage.services.aftercare import checklist

    opened = incident(title="Parcels are late", kind="delivery-delay", impact="minor")
    clock(hours=6)
    service.resolve(opened, body="All parcels delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    feedback = next(e for e in checklist.entries(opened) if e.key == "ask_feedback")
    assert feedback.due_at == at(6 * 60) + timedelta(days=7)  # the playbook: 168 h after resolution
    asked = feedback.text_in("en")

    def reminders():
        return [m for m in team_hook.accepted if m.event == "follow_up.due" and asked in m.text]

    clock(days=7, hours=6, minutes=-1)  # a minute early: only the earlier follow-ups
    jobs.tick()
    assert team_hook.events().count("follow_up.due") > 0 and reminders() == []
    for minutes in (0, 1, 60 * 24):
        clock(days=7, hours=6, minutes=minutes)
        jobs.tick()
    assert len(reminders()) == 1 and opened.title in reminders()[0].text
    db.session.refresh(feedback)
    assert feedback.reminded_at == at(7 * 24 * 60 + 6 * 60) and feedback.state == "open"
