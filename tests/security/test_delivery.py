"""Control characters never reach a mail header; a repeat is recognisable; no false alarms.

Titles, the shop's name and component names are one line (refused at input with a clear error);
subscriber addresses are validated strictly; a value written before these rules cannot stop an
incident's mail; a message sent again after a crash carries the same Message-ID; ids are short,
unfolded header values; a maintenance's own start and end never make the team's "overdue" alarm ring.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models import Component, Incident, Shop, utcnow
from statuspage.models.delivery import MailDelivery, Notification
from statuspage.models.subscribers import Subscriber
from statuspage.services.delivery import mailer, notify
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.incidents import lifecycle, maintenance
from tests.helpers import component, incident
from tests.security.conftest import login

BREAKS = ["Checkout down\r\nBcc: everyone@example.com", "Checkout\ndown", "bell\x07", "del\x7f",
          "nel\x85x", "sep\u2028x", "tab\there"]  # fmt: skip


def _subscriber(address: str, lang: str = "en") -> Subscriber:
    """A confirmed subscriber to everything."""
    row = Subscriber(email=address, email_hash=email_hash(address), language=lang,
                     confirmed_at=utcnow() - timedelta(days=1), all_components=True)  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.parametrize("title", BREAKS)
def test_the_api_refuses_a_title_with_line_breaks_or_controls(client, world, title):
    auth = {"Authorization": f"Bearer {world.editor_secret}"}
    before = db.session.scalar(select(func.count()).select_from(Incident))
    response = client.post("/api/v1/incidents", headers=auth, json={
        "title": title, "body": "We look into it.", "status": "investigating", "impact": "major",
    })  # fmt: skip
    assert response.status_code in (400, 422)  # the API's answer to a broken rule
    assert "one line" in str(response.get_json())
    assert db.session.scalar(select(func.count()).select_from(Incident)) == before


def test_the_admin_refuses_titles_shop_names_and_component_names_with_breaks(client, world):
    login(client)
    before = db.session.scalar(select(func.count()).select_from(Incident))
    page = client.post("/admin/incidents/new", data={
        "title": "Checkout\r\ndown", "body": "x", "status": "investigating", "impact": "major",
    }, follow_redirects=True)  # fmt: skip
    assert "one line" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Incident)) == before
    page = client.post("/admin/components", data={"name": "Pay\nments"}, follow_redirects=True)
    assert "one line" in page.get_data(as_text=True)
    assert not db.session.scalar(select(Component).where(Component.name.like("Pay%")))
    settings = client.get("/admin/settings")
    assert settings.status_code == 200
    page = client.post("/admin/settings", data={
        "name": "Shop\r\nBcc: x@example.com", "timezone": "UTC", "brand_color": "#2457a6",
        "default_language": "en", "languages": ["en"],
    }, follow_redirects=True)  # fmt: skip
    assert "one line" in page.get_data(as_text=True)
    assert "Bcc" not in (db.session.scalar(select(Shop.name)) or "")


@pytest.mark.parametrize(
    "address",
    ["bell\x07@shop.example", "del\x7f@shop.example", "a b@shop.example", "nbsp\xa0@shop.example",
     "x@shop.example\r\nRCPT TO:<y@shop.example>", "x@sho\x00p.example", "zw\u200b@shop.example",
     "x@-shop.example", "x@shop..example"],
)  # fmt: skip
def test_sign_up_refuses_addresses_with_controls(app, app_ctx, client, inbox, address):
    response = client.post("/subscribe", data={"email": address, "scope": "all"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_a_legacy_title_with_a_line_break_stops_no_mail(app, app_ctx, inbox):
    """Written before the rule: every update still goes out, its subject on one line."""
    _subscriber("kunde@shop.example")
    opened = incident(title="Checkout down")
    db.session.execute(text("UPDATE incident SET title = :t WHERE id = :i"),
                       {"t": "Checkout down\r\nBcc: all@example.com", "i": opened.id})  # fmt: skip
    shop = db.session.get(Shop, 1)
    if shop is not None:
        shop.name = "Shop\nname"
    db.session.commit()
    jobs.tick()
    lifecycle.post_update(
        db.session.get(Incident, opened.id), status="identified", body="Found.", user=None
    )
    db.session.commit()
    jobs.tick()
    rows = db.session.scalars(select(MailDelivery).where(MailDelivery.kind == "update")).all()
    assert len(rows) == 2 and {r.state for r in rows} == {"sent"}, [r.error for r in rows]
    assert len(inbox.messages) == 2
    for raw in inbox.raw:
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        assert not re.search(rb"^Bcc:", head, re.M | re.I)  # no header of its own
        subject = re.search(rb"^Subject: (.*)$", head, re.M).group(1)
        assert b"Checkout down" in subject


def test_a_repeat_carries_the_same_message_id(app, app_ctx, inbox):
    first, second = _subscriber("a@shop.example"), _subscriber("b@shop.example")
    incident(title="Checkout is slow")
    jobs.tick()
    rows = db.session.scalars(select(MailDelivery).order_by(MailDelivery.id)).all()
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 2 and len(set(ids)) == 2
    for row in rows:  # building it again (as after a crash) gives the same id
        assert mailer.build(row)["Message-ID"] in ids
    assert {m["X-Candor-Event-Id"] for m in inbox.messages} == {r.key for r in rows}
    assert first.id != second.id


def test_long_event_ids_are_not_folded(app, app_ctx, inbox):
    key = "maintenance-reminder:" + "x" * 40 + ":2026-03-10T12:00:00+00:00"
    notify.queue("maintenance.reminder", key, None, "Subject " * 20, "Text")
    db.session.commit()
    app.config["REMINDER_EMAILS"] = "team@shop.example"
    notify.deliver_due()
    (raw,) = inbox.raw
    head = raw.split(b"\r\n\r\n", 1)[0]
    for name in (b"X-Candor-Event-Id", b"Message-ID"):
        line = re.search(rb"^" + name + rb": (.*)\r?\n(?=\S)", head, re.M | re.I)
        assert line, (name, head)
        assert len(line.group(0)) <= 80


def test_a_maintenance_start_and_end_never_ring_the_overdue_alarm(app, app_ctx, team_hook,
                                                                    time_machine):  # fmt: skip
    """The start's update is posted a moment after the tick began: the promise it keeps is
    evaluated once that update is visible, so the team hears "started", never "overdue"."""
    checkout = component()
    start = utcnow() + timedelta(minutes=30)
    window = maintenance.plan_maintenance(
        title="Database upgrade", body="Planned work.", user=None, components=[checkout],
        scheduled_for=start, scheduled_until=start + timedelta(minutes=30),
    )  # fmt: skip
    db.session.commit()
    for moment in (window.scheduled_for, window.scheduled_until):
        time_machine.move_to(moment + timedelta(seconds=1), tick=True)
        jobs.tick()
    events = team_hook.events()
    assert "maintenance.started" in events and "maintenance.ended" in events
    assert "reminder.overdue" not in events, [r.text for r in team_hook.accepted]
    overdue = select(Notification).where(Notification.event == "reminder.overdue")
    assert db.session.scalars(overdue).all() == []
