"""The plan in the admin, through the test client: post or schedule, the queue, the plan page, maintenance."""

from datetime import datetime, timedelta

import pytest

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, utcnow
from tests.helpers import T0, at, component, incident

pytestmark = pytest.mark.usefixtures("shop_in_berlin")


def test_post_now_with_a_promise_in_shop_time_then_schedule_one(client, auth, clock):
    opened = incident(next_update_at=at(30))
    auth.login()
    url = f"/admin/incidents/{opened.public_id}/updates"
    page = client.post(
        url,
        data={"status": "identified", "body": "Found it.", "next_update_at": "2026-03-10T15:00"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "It keeps the promise of 10 Mar 2026, 13:30 CET" in page
    assert opened.updates[0].next_update_at == at(120)  # 15:00 in Berlin is 14:00 UTC
    page = client.post(
        url,
        data={"status": "monitoring", "body": "Fix rolls out at four.",
              "display_at": "2026-03-10T16:00"},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "Update scheduled for 10 Mar 2026, 16:00 CET" in page
    assert "Scheduled: public from" in page and "promise kept" in page
    scheduled = opened.updates[0]
    assert scheduled.display_at == at(180) and scheduled.next_update_at == at(240)
    assert "Fix rolls out at four." not in client.get(f"/incidents/{opened.public_id}").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"display_at": "2026-03-10T12:00"}, "publication time is in the past"),
        ({"display_at": "yesterday"}, "must look like"),
        ({"next_update_at": "2026-03-29T02:30"}, "does not exist"),
        ({"next_update_at": "2026-03-10T12:00"}, "in the past"),
        ({"status": "in_progress"}, "Not a valid choice"),
    ],
)
def test_bad_times_are_refused_clearly_and_change_nothing(client, auth, clock, fields, message):
    opened = incident()
    auth.login()
    data = {"status": "identified", "body": "x", **fields}
    page = client.post(
        f"/admin/incidents/{opened.public_id}/updates", data=data, follow_redirects=True
    ).get_data(as_text=True)
    assert message in page
    assert db.session.query(IncidentUpdate).count() == 1


def test_late_update_is_marked_late(client, auth, clock):
    opened = incident(next_update_at=at(30))
    auth.login()
    clock(minutes=45)
    page = client.post(
        f"/admin/incidents/{opened.public_id}/updates",
        data={"status": "identified", "body": "Sorry for the wait."},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "It came 15 minutes after the promised 10 Mar 2026, 13:30 CET" in page
    assert "promise late" in page


def test_queue_edits_publishes_and_cancels(client, auth, clock):
    opened = incident()
    auth.login()
    for minute, body in ((60, "First"), (120, "Second")):
        client.post(
            f"/admin/incidents/{opened.public_id}/updates",
            data={"status": "identified", "body": body,
                  "display_at": (T0 + timedelta(minutes=minute + 60)).strftime("%Y-%m-%dT%H:%M")},
        )  # fmt: skip
    first, second = sorted(
        (u for u in opened.updates if u.display_at > utcnow()), key=lambda u: u.display_at
    )
    page = client.get("/admin/queue").get_data(as_text=True)
    assert page.index("First") < page.index("Second")
    assert 'value="2026-03-10T14:00"' in page  # the edit form shows shop time
    client.post(
        f"/admin/updates/{first.public_id}/reschedule",
        data={"body": "First, better", "display_at": "2026-03-10T14:30", "next_update_at": ""},
    )
    assert first.body == "First, better" and first.display_at == at(90)
    response = client.post(
        f"/admin/updates/{second.public_id}/reschedule",
        data={"body": "x", "display_at": "2026-03-10T09:00"},
        follow_redirects=True,
    )
    assert "in the past" in response.get_data(as_text=True) and second.body == "Second"
    client.post(f"/admin/updates/{first.public_id}/publish-now")
    assert first.display_at == at(0) and opened.status == "identified"
    cancelled = second.id
    client.post(f"/admin/updates/{second.public_id}/cancel")
    assert db.session.get(IncidentUpdate, cancelled) is None
    again = client.post(f"/admin/updates/{first.public_id}/cancel", follow_redirects=True)
    assert "already public" in again.get_data(as_text=True)
    assert client.post("/admin/updates/nope/cancel").status_code == 404


def test_dashboard_lists_overdue_first_in_red_with_a_plain_time(client, auth, clock):
    incident(title="Calm one", next_update_at=at(300))
    incident(title="Forgotten one", next_update_at=at(30))
    auth.login()
    clock(minutes=40)
    page = client.get("/admin/").get_data(as_text=True)
    assert page.index("Forgotten one") < page.index("Calm one")
    assert 'class="promise-row state-overdue"' in page and "Overdue:" in page
    assert "10 Mar 2026, 13:30" in page and "10 minutes ago" in page  # without JavaScript
    assert "countdown.js" in page and "data-countdown" in page
    jobs.tick()
    page = client.get("/admin/").get_data(as_text=True)
    assert "Recent reminders" in page and "Overdue: the update promised for" in page


def test_plan_page_and_deadlines(client, auth, clock):
    breach = incident(title="Leak", kind="data-breach", next_update_at=at(60))
    auth.login()
    page = client.get(f"/admin/incidents/{breach.public_id}/plan").get_data(as_text=True)
    for text in ("Timeline", "Now —", "Notify the supervisory authority", "follow-up",
                 "next update promised", "After the incident is resolved"):  # fmt: skip
        assert text in page
    incident_page = client.get(f"/admin/incidents/{breach.public_id}").get_data(as_text=True)
    assert "Next update promised by" in incident_page and "mark done" in incident_page
    client.post(f"/admin/incidents/{breach.public_id}/deadlines/authority", data={"note": "Ref 42"})
    page = client.get(f"/admin/incidents/{breach.public_id}/plan").get_data(as_text=True)
    assert "Done 10 Mar 2026" in page and "owner@shop.test: Ref 42" in page
    again = client.post(
        f"/admin/incidents/{breach.public_id}/deadlines/authority",
        data={"note": ""},
        follow_redirects=True,
    )
    assert "already marked done" in again.get_data(as_text=True)
    missing = client.post(f"/admin/incidents/{breach.public_id}/deadlines/x", follow_redirects=True)
    assert "no such deadline" in missing.get_data(as_text=True)


def test_schedule_maintenance_from_the_form(client, auth, clock):
    checkout = component("Checkout")
    auth.login()
    assert "Schedule a maintenance" in client.get("/admin/maintenance/new").text
    data = {
        "title": "Faster checkout",
        "scheduled_for": "2026-03-11T02:00",
        "scheduled_until": "2026-03-11T04:00",
        "components": [checkout.public_id],
        "kind": "planned-maintenance",
        "what_changes": "a faster checkout",
    }
    bad = client.post("/admin/maintenance/new", data={**data, "scheduled_for": "2026-03-09T02:00"})
    assert bad.status_code == 400 and "The start is in the past" in bad.text
    missing = client.post("/admin/maintenance/new", data={**data, "what_changes": ""})
    assert missing.status_code == 400 and "what_changes" in missing.text
    wrong = client.post("/admin/maintenance/new", data={**data, "kind": "data-breach"})
    assert wrong.status_code == 400 and "not a maintenance playbook" in wrong.text
    nothing = client.post("/admin/maintenance/new", data={**data, "components": []})
    assert nothing.status_code == 400 and "Choose the components" in nothing.text
    assert db.session.query(Incident).count() == 0
    response = client.post("/admin/maintenance/new", data=data)
    window = db.session.query(Incident).one()
    assert response.headers["Location"] == f"/admin/incidents/{window.public_id}/plan"
    assert window.scheduled_for == datetime(2026, 3, 11, 1, 0) and window.components == [checkout]
    assert "a faster checkout" in window.updates[0].body
    public = client.get("/").get_data(as_text=True)
    assert "Planned maintenance" in public and "Faster checkout" in public
    assert "Next update by" in public
    page = client.get(f"/admin/incidents/{window.public_id}/plan").text
    assert "Start now" in page and "Maintenance starts" in page
    client.post(f"/admin/incidents/{window.public_id}/maintenance/start")
    assert window.status == "in_progress" and checkout.status == "under_maintenance"
    ended = client.post(
        f"/admin/incidents/{window.public_id}/maintenance/extend",
        data={"scheduled_until": "2026-03-11T05:00"},
        follow_redirects=True,
    )
    assert "The new end time is posted." in ended.text
    client.post(f"/admin/incidents/{window.public_id}/maintenance/end")
    assert window.status == "completed" and checkout.status == "operational"
    again = client.post(
        f"/admin/incidents/{window.public_id}/maintenance/end", follow_redirects=True
    )
    assert "Only a maintenance in progress" in again.text
    assert client.post(f"/admin/incidents/{window.public_id}/maintenance/nope").status_code == 404
