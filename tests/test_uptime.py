"""The 90-day history bars: stored daily rollups, worst status per day, uptime, accessible text."""

from datetime import timedelta

import time_machine

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.models.uptime import ComponentDay
from statuspage.services import incidents as service
from statuspage.services.uptime import bars

from .helpers import component, incident


def test_an_outage_yesterday_is_stored_and_counted(app, client):
    checkout = component()
    # Anchored at 10:00 so the two hours never cross midnight, whenever the suite runs.
    yesterday_ten = utcnow().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    with time_machine.travel(yesterday_ten, tick=False):
        opened = incident(title="Card payments fail", components={checkout: "partial_outage"})
        service.post_update(
            opened,
            status="identified",
            body="x",
            user=None,
            component_statuses={checkout: "major_outage"},
        )
        db.session.commit()
    with time_machine.travel(yesterday_ten + timedelta(hours=2), tick=False):
        service.resolve(opened, body="Fixed.", user=None)
        db.session.commit()
    rows = db.session.query(ComponentDay).all()
    assert {r.status for r in rows} == {"major_outage"}
    assert sum(r.down_minutes for r in rows) == 120.0
    cells, percent = bars([checkout], "UTC")[checkout.id]
    assert len(cells) == 90 and cells[-1].status == "operational"
    assert percent == round(100 * (1 - 120 / (90 * 24 * 60)), 2)
    page = client.get("/").get_data(as_text=True)
    assert "uptime in the last 90 days" in page and "Card payments fail" in page
    assert 'role="img" tabindex="0"' in page  # the incident's day is reachable by keyboard
    assert "<table>" in page  # and readable as a table


def test_today_shows_the_live_status_and_drafts_do_not_count(app):
    checkout = component()
    incident(components={checkout: "degraded_performance"}, draft=True)
    assert db.session.query(ComponentDay).count() == 0
    checkout.status = "partial_outage"
    db.session.commit()
    cells, _ = bars([checkout], "UTC")[checkout.id]
    assert cells[-1].status == "partial_outage"
