"""The plain "Post an update" form publishes once: a double click or three concurrent submits show the
update once on the incident, never an error (the compose flow's reserved id, reused)."""

from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import IncidentUpdate
from tests.helpers import at_once, incident, sqlite_only

TEXT = "The courier has picked up every waiting parcel; deliveries arrive from tomorrow."


def _form(client, public_id: str) -> dict:
    page = client.get(f"/admin/incidents/{public_id}").get_data(as_text=True)
    marker = 'name="update_id" value="'
    assert marker in page
    update_id = page.split(marker)[1][:12]
    return {"update_id": update_id, "status": "monitoring", "body": TEXT}


def _posted() -> int:
    return db.session.scalar(
        select(func.count()).select_from(IncidentUpdate).where(IncidentUpdate.body == TEXT)
    )


def test_a_double_click_posts_the_update_once(app_ctx, client, auth):
    opened = incident()
    auth.login()
    form = _form(client, opened.public_id)
    first = client.post(f"/admin/incidents/{opened.public_id}/updates", data=form)
    again = client.post(f"/admin/incidents/{opened.public_id}/updates", data=form)
    assert first.status_code == again.status_code == 302
    assert again.location.endswith(f"/admin/incidents/{opened.public_id}")
    page = client.get(again.location).get_data(as_text=True)
    assert "published already" in page and 'class="flash flash-error"' not in page
    assert page.count(TEXT) == 1 and _posted() == 1


@sqlite_only
def test_three_concurrent_posts_show_the_update_once(app, app_ctx, client, auth):
    opened = incident()
    auth.login()
    form, url = _form(client, opened.public_id), f"/admin/incidents/{opened.public_id}/updates"
    answers = at_once(app, lambda: client.post(url, data=form))  # all get past "is it posted?"
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert _posted() == 1
    page = client.get(f"/admin/incidents/{opened.public_id}").get_data(as_text=True)
    assert page.count(TEXT) == 1


def test_a_new_form_posts_a_new_update(app_ctx, client, auth):
    """The reserved id is per form: the next update typed on a fresh page is posted too."""
    opened = incident()
    auth.login()
    client.post(
        f"/admin/incidents/{opened.public_id}/updates", data=_form(client, opened.public_id)
    )
    second = {**_form(client, opened.public_id), "status": "resolved"}
    assert (
        client.post(f"/admin/incidents/{opened.public_id}/updates", data=second).status_code == 302
    )
    assert _posted() == 2


def test_a_double_click_on_resolve_resolves_once(app_ctx, client, auth):
    opened = incident()
    auth.login()
    page = client.get(f"/admin/incidents/{opened.public_id}").get_data(as_text=True)
    form = {"resolve_id": page.split('name="resolve_id" value="')[1][:12], "body": TEXT}
    first = client.post(f"/admin/incidents/{opened.public_id}/resolve", data=form)
    again = client.post(f"/admin/incidents/{opened.public_id}/resolve", data=form)
    assert first.status_code == again.status_code == 302
    shown = client.get(again.location).get_data(as_text=True)
    assert "published already" in shown and 'class="flash flash-error"' not in shown
    assert _posted() == 1


def test_a_composed_next_update_sent_twice_is_posted_once(app_ctx, client, auth):
    from tests.test_compose import BREACH, _later, _shop

    _shop("en")
    opened = incident(kind="data-breach", variables={k[4:]: v for k, v in BREACH.items()})
    auth.login()
    url = f"/admin/incidents/{opened.public_id}/compose"
    page = client.get(url).get_data(as_text=True)
    form = {"stage": "identified", "next_update_at": _later(), "langs": ["en"], "action": "publish"}
    form |= {"update_id": page.split('name="update_id" value="')[1][:12], "publish_anyway": "y"}
    form |= {f"sec-en-{s}": f"{TEXT} ({s})" for s in ("what_happened", "who_is_affected")}
    first, again = client.post(url, data=form), client.post(url, data=form)
    assert first.status_code == again.status_code == 302
    shown = client.get(again.location).get_data(as_text=True)
    assert "published already" in shown and 'class="flash flash-error"' not in shown
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(IncidentUpdate)
            .where(IncidentUpdate.status == "identified")
        )
        == 1
    )
