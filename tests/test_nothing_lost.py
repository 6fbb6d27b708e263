"""No typed word is lost: a form that fails comes back as it was sent, with the error beside the field;
a busy database is retried, then reported in words (the admin) or as 503 (the API), never a 500."""

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import IncidentUpdate
from statuspage.services.team.tokens import create_token
from tests.helpers import at_once, component, incident, sqlite_only, write_lock

TEXT = "Parcels from the Riga depot leave tomorrow; we write to everyone whose order waits."


def _updates() -> int:
    return db.session.scalar(select(func.count()).select_from(IncidentUpdate))


def test_an_update_refused_keeps_text_status_times_and_components(app_ctx, client, auth):
    checkout = component("Checkout")
    opened = incident(components={checkout: "major_outage"})
    auth.login()
    sent = {
        "status": "monitoring",
        "body": TEXT,
        "next_update_at": "2001-05-01T10:00",
        f"component-{checkout.public_id}": "degraded_performance",
    }
    page = client.post(f"/admin/incidents/{opened.public_id}/updates", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert TEXT in text and 'value="2001-05-01T10:00"' in text
    assert '<option value="monitoring" selected>' in text
    assert '<option value="degraded_performance" selected>' in text
    field = text[text.index('id="update-next"') :]
    assert '<p class="error">' in field[: field.index("</div>")]  # the error beside the field
    assert _updates() == 1


def test_a_resolution_refused_keeps_its_text(app_ctx, client, auth):
    opened = incident()
    auth.login()
    page = client.post(f"/admin/incidents/{opened.public_id}/resolve", data={"body": ""})
    assert page.status_code == 400 and 'id="resolve-body"' in page.get_data(as_text=True)
    page = client.post(
        f"/admin/incidents/{opened.public_id}/times",
        data={"began_at": "tomorrow", "became_aware_at": "2026-01-01T10:00"},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'value="tomorrow"' in text and "must look like" in text


@sqlite_only
def test_a_busy_database_says_not_published_and_keeps_the_text(app, app_ctx, client, auth):
    app.config["DATABASE_BUSY_SECONDS"] = 0.2
    db.engine.dispose()  # new connections take the shorter busy timeout
    opened = incident()
    auth.login()
    url = f"/admin/incidents/{opened.public_id}/updates"
    with write_lock(app):
        page = client.post(url, data={"status": "identified", "body": TEXT})
    text = page.get_data(as_text=True)
    assert page.status_code == 400, text
    assert "Not published: the database is busy. Your text is kept; press Publish again." in text
    assert TEXT in text and '<option value="identified" selected>' in text
    assert _updates() == 1
    again = client.post(url, data={"status": "identified", "body": TEXT})
    assert again.status_code == 302 and _updates() == 2


def test_a_passing_failure_is_tried_again_and_a_race_runs_the_checks_again(app_ctx):
    from sqlalchemy.exc import IntegrityError, OperationalError

    from statuspage.services import ServiceError
    from statuspage.services.transactions import DatabaseBusy
    from statuspage.views.common import committed

    locked = OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))
    tries = []

    def flaky():
        tries.append(1)
        if len(tries) < 3:
            raise locked
        return "done"

    assert committed(flaky) == "done" and len(tries) == 3
    tries.clear()
    with pytest.raises(DatabaseBusy):
        committed(lambda: (tries.append(1), (_ for _ in ()).throw(locked)))
    assert len(tries) == 3
    clash = IntegrityError("INSERT …", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    seen = []

    def racing():
        if seen:
            raise ServiceError("This incident was published already.")
        seen.append(1)
        raise clash

    with pytest.raises(ServiceError, match="published already"):
        committed(racing)
    broken = OperationalError("SELECT …", {}, sqlite3.OperationalError("no such table: x"))
    with pytest.raises(OperationalError):
        committed(lambda: (_ for _ in ()).throw(broken))


@sqlite_only
def test_the_api_answers_503_with_retry_after_while_the_database_is_busy(
    app, app_ctx, client, editor
):
    app.config["DATABASE_BUSY_SECONDS"] = 0.2
    db.engine.dispose()
    opened = incident()
    _, secret = create_token(editor, "helpdesk")
    db.session.commit()
    with write_lock(app):
        response = client.post(
            f"/api/v1/incidents/{opened.public_id}/updates",
            data=json.dumps({"status": "identified", "body": TEXT}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "database is busy" in response.get_json()["error"]["message"]
    assert _updates() == 1


@sqlite_only
def test_three_publishes_at_once_show_the_incident_once(app, app_ctx, client, auth):
    from statuspage.models import Incident
    from tests.test_compose import _publish_breach, _shop

    _shop("en")
    auth.login()
    public_id, form = _publish_breach(client)
    db.session.execute(db.delete(IncidentUpdate))
    db.session.execute(db.delete(Incident))
    db.session.commit()  # as if the three clicks had come before the first was done
    # All three get past "is it published?" and wait to write.
    answers = at_once(app, lambda: client.post("/admin/playbooks/data-breach/open", data=form))
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert {a.location for a in answers} == {f"/admin/incidents/{public_id}"}
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 1
