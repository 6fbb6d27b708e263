"""Unit tests of the incident lifecycle service."""

import pytest

from statuspage.extensions import db
from statuspage.models import AuditEntry
from statuspage.services import ServiceError
from statuspage.services.incidents import lifecycle as service
from tests.helpers import component, incident


def test_open_incident_sets_components_and_audits(app, app_ctx):
    checkout = component()
    opened = incident(components={checkout: "major_outage"})
    assert checkout.status == "major_outage"
    assert opened.components == [checkout]
    assert len(opened.public_id) == 12 and not opened.public_id.isdigit()
    assert db.session.query(AuditEntry).filter_by(action="incident.open").count() == 1


def test_lifecycle_to_resolved_restores_components(app, app_ctx):
    checkout = component()
    opened = incident(components={checkout: "partial_outage"})
    service.post_update(opened, status="identified", body="Found it.", user=None)
    service.post_update(opened, status="monitoring", body="Fix deployed.", user=None)
    assert opened.monitoring_at is not None
    service.resolve(opened, body="All good.", user=None)
    db.session.commit()
    assert opened.status == "resolved" and opened.resolved_at is not None
    assert checkout.status == "operational"
    assert [u.status for u in opened.updates] == [
        "resolved",
        "monitoring",
        "identified",
        "investigating",
    ]


def test_resolve_can_leave_components_alone(app, app_ctx):
    checkout = component()
    opened = incident(components={checkout: "partial_outage"})
    service.resolve(
        opened, body="Done.", user=None, component_statuses={checkout: "degraded_performance"}
    )
    assert checkout.status == "degraded_performance"


def test_no_update_on_resolved_incident_without_reopening(app, app_ctx):
    opened = incident()
    service.resolve(opened, body="Done.", user=None)
    with pytest.raises(ServiceError, match="Reopen"):
        service.post_update(opened, status="investigating", body="Again?", user=None)
    service.reopen(opened, status="identified", body="It is back.", user=None)
    assert opened.status == "identified" and opened.resolved_at is None


@pytest.mark.parametrize(
    ("title", "body", "impact", "message"),
    [
        ("", "text", "minor", "title is empty"),
        ("x" * 201, "text", "minor", "too long"),
        ("Title", "   ", "minor", "text is empty"),
        ("Title", "x" * 20001, "minor", "too long"),
        ("Title", "text", "apocalyptic", "Unknown impact"),
    ],
)
def test_bad_input_is_refused(app, app_ctx, title, body, impact, message):
    with pytest.raises(ServiceError, match=message):
        service.open_incident(
            title=title, body=body, impact=impact, status="investigating", user=None
        )


def test_unknown_component_status_is_refused(app, app_ctx):
    checkout = component()
    with pytest.raises(ServiceError, match="component status"):
        incident(components={checkout: "on fire"})


def test_invalid_move_is_refused(app, app_ctx):
    opened = incident()
    with pytest.raises(ServiceError, match="cannot move"):
        service.post_update(opened, status="in_progress", body="?", user=None)


def test_edit_update_is_recorded(app, app_ctx):
    opened = incident(body="Frist text")
    update = opened.updates[0]
    service.edit_update(update, body="First text", user=None)
    db.session.commit()
    assert update.edited_at is not None and "First text" in update.body_html
    entry = db.session.query(AuditEntry).filter_by(action="update.edit").one()
    assert entry.before == {"body": "Frist text", "translations": {}}


def test_drafts_are_invisible_until_published_and_deletable(app, app_ctx):
    checkout = component()
    draft = incident(components={checkout: "major_outage"}, draft=True)
    assert checkout.status == "operational"  # a draft changes nothing public
    service.publish_draft(draft, user=None)
    assert checkout.status == "major_outage" and not draft.draft
    with pytest.raises(ServiceError):
        service.delete_draft(draft, user=None)
    other = incident(draft=True)
    service.delete_draft(other, user=None)
    db.session.commit()
    assert db.session.get(type(other), other.id) is None
