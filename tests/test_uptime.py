"""The 90-day history bars: stored daily rollups, worst status per day, uptime, accessible text."""

from datetime import datetime, timedelta

import time_machine

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.models.uptime import ComponentDay
from statuspage.services.incidents import lifecycle as service
from statuspage.services.public.uptime import bars, next_midnight
from tests.helpers import component, incident


def _escalate(opened, checkout):
    """Post an update that takes the component down completely."""
    service.post_update(
        opened,
        status="identified",
        body="x",
        user=None,
        component_statuses={checkout: "major_outage"},
    )
    db.session.commit()


def test_an_outage_yesterday_is_stored_and_counted(app, app_ctx, client):
    checkout = component()
    # Anchored at 10:00 so the two hours never cross midnight, whenever the suite runs.
    yesterday_ten = utcnow().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    with time_machine.travel(yesterday_ten, tick=False):
        opened = incident(title="Card payments fail", components={checkout: "partial_outage"})
        _escalate(opened, checkout)
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


def test_today_shows_the_live_status_and_drafts_do_not_count(app, app_ctx):
    checkout = component()
    incident(components={checkout: "degraded_performance"}, draft=True)
    assert db.session.query(ComponentDay).count() == 0
    checkout.status = "partial_outage"
    db.session.commit()
    cells, percent = bars([checkout], "UTC")[checkout.id]
    assert cells[-1].status == "partial_outage"
    assert cells[-1].incidents == [] and percent == 100.0  # the open draft adds no minutes either


def test_an_open_outage_counts_up_to_now_on_every_day_it_spans(app, app_ctx):
    checkout = component()
    # Anchored at 10:00 so neither moment is near midnight, whenever the suite runs.
    today_ten = utcnow().replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(today_ten - timedelta(days=3), tick=False):
        incident(title="Shop is down", components={checkout: "major_outage"})
    with time_machine.travel(today_ten, tick=False):
        cells, percent = bars([checkout], "UTC")[checkout.id]
    # 14 h on the first day, two whole days, 10 h today; no update was posted since it opened.
    assert [c.down_minutes for c in cells[-4:]] == [840.0, 1440.0, 1440.0, 600.0]
    assert {c.status for c in cells[-4:]} == {"major_outage"}
    assert all([e["title"] for e in c.incidents] == ["Shop is down"] for c in cells[-4:])
    assert cells[-5].status == "operational" and cells[-5].down_minutes == 0.0
    assert percent == round(100 * (1 - 4320 / (90 * 24 * 60)), 2) < 100


def test_an_open_outage_is_counted_once_across_updates_and_after_resolving(app, app_ctx):
    checkout = component()
    today_ten = utcnow().replace(hour=10, minute=0, second=0, microsecond=0)
    with time_machine.travel(today_ten - timedelta(days=2), tick=False):
        opened = incident(title="Shop is down", components={checkout: "partial_outage"})
    with time_machine.travel(today_ten - timedelta(days=1), tick=False):
        # Rewrites the stored days: an open incident must not be in them twice.
        _escalate(opened, checkout)
    with time_machine.travel(today_ten, tick=False):
        while_open = bars([checkout], "UTC")[checkout.id]
        service.resolve(opened, body="Fixed.", user=None)
        db.session.commit()
        after = bars([checkout], "UTC")[checkout.id]
    assert [c.down_minutes for c in while_open[0][-3:]] == [840.0, 1440.0, 600.0]
    assert [c.down_minutes for c in after[0][-3:]] == [840.0, 1440.0, 600.0]
    assert while_open[1] == after[1] < 100


def test_the_cached_status_page_rolls_over_at_midnight(app, app_ctx, client):
    component()
    with time_machine.travel(datetime(2030, 3, 10, 23, 50), tick=False):
        before = client.get("/").get_data(as_text=True)
    with time_machine.travel(datetime(2030, 3, 11, 0, 10), tick=False):
        after = client.get("/").get_data(as_text=True)  # nothing was written in between
    assert "11 Mar 2030" not in before and "11 Mar 2030" in after


def test_next_midnight_is_local_and_dst_safe():
    # Warsaw is UTC+1 in winter and UTC+2 from the last Sunday of March (2030-03-31).
    assert next_midnight("Europe/Warsaw", datetime(2030, 3, 10, 22, 30)) == datetime(
        2030, 3, 10, 23, 0
    )
    assert next_midnight("Europe/Warsaw", datetime(2030, 3, 31, 10, 0)) == datetime(
        2030, 3, 31, 22, 0
    )
    assert next_midnight("UTC", datetime(2030, 3, 10, 0, 0)) == datetime(2030, 3, 11, 0, 0)
