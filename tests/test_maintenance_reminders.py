"""Maintenance reminders: once, before the start, to the subscribers of its components (e-mail in their
language, through a real SMTP server) and their webhooks; never twice, whoever runs the scheduler."""

from __future__ import annotations

from datetime import timedelta

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.models.subscribers import Subscriber
from statuspage.services.delivery import maintenance_reminders, webhooks
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.incidents import maintenance
from statuspage.services.shop import saved_shop
from tests.helpers import component


def subscriber(address: str, language: str, components=None) -> Subscriber:
    """Add a confirmed subscriber (everything, or some components)."""
    made = Subscriber(
        email=address, email_hash=email_hash(address), language=language,
        all_components=components is None, components=components or [], confirmed_at=utcnow(),
    )  # fmt: skip
    db.session.add(made)
    db.session.commit()
    return made


def plan(components, starts_in: timedelta, **kwargs):
    """Announce a maintenance now, starting after `starts_in`, lasting an hour."""
    start = utcnow() + starts_in
    made = maintenance.plan_maintenance(
        title="Faster checkout", body="", user=None, components=components, what_changes="a faster checkout",
        what_changes_in={"pl": "szybsza kasa", "ru": "более быстрая касса", "lv": "ātrāka kase",
                         "ar": "دفع أسرع"},
        scheduled_for=start, scheduled_until=start + timedelta(hours=1), **kwargs,
    )  # fmt: skip
    db.session.commit()
    return made


def reminders(inbox, address: str) -> list:
    """Return the reminders an address got (the announcement and steps are other messages)."""
    return [
        m
        for m in inbox.to(address)
        if "X-Candor-Event-Id" in m and m["X-Candor-Event-Id"].startswith("reminder:")
    ]


def test_subscribers_are_reminded_once_before_the_start_in_their_language(
    app_ctx, inbox, receiver, clock
):
    saved_shop().languages = "en,pl"
    saved_shop().timezone = "Europe/Berlin"
    db.session.commit()
    checkout, other = component("Checkout"), component("Newsletter")
    subscriber("kunde@example.com", "pl", [checkout])
    subscriber("all@example.com", "en")
    subscriber("other@example.com", "en", [other])
    webhooks.add_endpoint(receiver.url, checkout, None)
    db.session.commit()
    window = plan([checkout], timedelta(hours=3))
    jobs.tick()  # the announcement goes out now
    clock(minutes=119)
    jobs.tick()
    assert reminders(inbox, "kunde@example.com") == []  # not yet: 60 minutes before the start
    clock(minutes=120)
    assert jobs.tick()["maintenance_reminders"] == 1
    jobs.tick()  # a second scheduler run sends nothing again
    clock(minutes=125)
    jobs.tick()

    (polish,) = reminders(inbox, "kunde@example.com")
    assert polish["Subject"].startswith(
        "[Our shop] Przypomnienie: planowane prace od 10 marca 2026, godz. 16:00"
    )
    text = polish.get_body(("plain",)).get_content()
    assert "Planowane prace potrwają od 10 marca 2026, godz. 16:00" in text
    assert polish["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (english,) = reminders(inbox, "all@example.com")
    assert english["Subject"].startswith(
        "[Our shop] Reminder: planned maintenance from 10 March 2026 at 16:00"
    )
    assert reminders(inbox, "other@example.com") == []
    (hook,) = [r for r in receiver.accepted if r.event == "maintenance.reminder"]
    assert hook.json["incident"]["id"] == window.public_id
    assert hook.json["reminder"]["minutes_before"] == 60


def test_the_reminder_is_claimed_once_across_schedulers(app_ctx, inbox, clock):
    checkout = component("Checkout")
    subscriber("kunde@example.com", "en", [checkout])
    window = plan([checkout], timedelta(hours=2), reminder_minutes=30)
    now = clock(minutes=90)
    assert maintenance_reminders.due(now) == [window.id]
    assert maintenance_reminders.remind(window.id, now) is not None
    db.session.commit()
    assert (
        maintenance_reminders.remind(window.id, now) is None
    )  # the other scheduler loses the claim
    db.session.commit()
    jobs.tick()
    assert len(reminders(inbox, "kunde@example.com")) == 1


def test_no_reminder_when_turned_off_or_announced_at_short_notice(app_ctx, inbox, clock):
    checkout = component("Checkout")
    subscriber("kunde@example.com", "en", [checkout])
    plan([checkout], timedelta(hours=3), reminder_minutes=0)
    plan([checkout], timedelta(minutes=30))  # announced within the hour before it starts
    for minutes in (0, 100, 170, 179):
        clock(minutes=minutes)
        jobs.tick()
    assert reminders(inbox, "kunde@example.com") == []
    assert len(inbox.to("kunde@example.com")) >= 2  # the announcements (and steps) did go out


def test_the_admin_form_sets_a_maintenance_s_own_reminder(app_ctx, client, auth, clock):
    checkout = component("Checkout")
    auth.login()
    answer = client.post("/admin/maintenance/new", data={
        "title": "Database upgrade", "scheduled_for": "2026-03-11T02:00",
        "scheduled_until": "2026-03-11T03:00", "components": [checkout.public_id],
        "kind": "planned-maintenance", "reminder_minutes": "15", "what_changes": "speed",
    })  # fmt: skip
    assert answer.status_code == 302, answer.get_data(as_text=True)
    window = db.session.scalar(db.select(maintenance.Incident))
    assert window.reminder_minutes == 15
    assert maintenance_reminders.lead_minutes(window) == 15
    refused = client.post("/admin/maintenance/new", data={
        "title": "Database upgrade", "scheduled_for": "2026-03-11T02:00",
        "scheduled_until": "2026-03-11T03:00", "components": [checkout.public_id],
        "reminder_minutes": "-5",
    })  # fmt: skip
    assert refused.status_code == 400
