"""The admin flow: open an incident from a playbook, preview every language, check, publish; next update."""

from datetime import timedelta

from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident, utcnow
from statuspage.services.clock import to_local_input
from statuspage.services.shop import saved_shop
from tests.helpers import component

BREACH = {
    "var-data_types": "name and e-mail address",
    "var-affected_customers": "customers who ordered in March",
    "var-dpo_contact": "privacy@shop.test",
    "var-passwords_exposed": "no",
    "var-cards_exposed": "no",
    "var-documents_exposed": "no",
    "var-contact_exposed": "yes",
    "var-orders_exposed": "yes",
}


def _shop(langs="en,pl"):
    shop = saved_shop()
    shop.languages, shop.contact_email = langs, "help@shop.test"
    db.session.commit()


def _later(hours=4):
    return to_local_input(utcnow() + timedelta(hours=hours), "UTC")


def test_playbook_list_and_compose_form_show_guidance_and_deadlines(client, auth):
    auth.login()
    assert "Customer data breach" in client.get("/admin/playbooks").get_data(as_text=True)
    page = client.get("/admin/playbooks/data-breach/open").get_data(as_text=True)
    assert "GDPR Art. 33" in page and "within 72 h" in page
    assert "Guidance" in page and 'name="var-dpo_contact"' in page and 'type="email"' in page


def test_open_a_data_breach_in_polish_and_english(client, auth):
    _shop()
    accounts = component("Customer accounts")
    auth.login()
    data = {"title": "Customer data exposed", "impact": "critical", "stage": "investigating",
            "langs": ["en", "pl"], "next_update_at": _later(), **BREACH,
            f"component-{accounts.public_id}": "partial_outage"}  # fmt: skip
    # No silent English: the free texts must be written in Polish too, in fields the form shows open.
    asked = client.post("/admin/playbooks/data-breach/open", data={**data, "action": "compose"})
    page = asked.get_data(as_text=True)
    assert 'name="var-data_types.pl"' in page and "<details><summary>Write it" not in page
    assert "in this language too (Polish)" in page and 'name="sec-pl-what_happened"' not in page
    data |= {"var-data_types.pl": "imię i adres e-mail",
             "var-affected_customers.pl": "klienci, którzy zamawiali w marcu"}  # fmt: skip
    composed = client.post("/admin/playbooks/data-breach/open", data={**data, "action": "compose"})
    page = composed.get_data(as_text=True)
    assert composed.status_code == 200
    assert 'name="sec-pl-what_happened"' in page and 'name="sec-en-contact"' in page
    assert "privacy@shop.test" in page and "Transparency check" in page
    public_id = page.split('name="public_id" value="')[1][:12]
    sections = {key: value for key, value in _textareas(page).items()}
    response = client.post(
        "/admin/playbooks/data-breach/open",
        data={**data, **sections, "public_id": public_id, "action": "publish"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    incident = db.session.query(Incident).one()
    assert incident.public_id == public_id and incident.kind == "data-breach"
    update = incident.updates[0]
    assert "privacy@shop.test" in update.body and "pl" in update.translations
    assert update.next_update_at is not None
    assert accounts.status == "partial_outage"


def test_missing_variable_is_shown_next_to_the_field_and_nothing_is_published(client, auth):
    _shop("en")
    auth.login()
    data = {"stage": "investigating", "next_update_at": _later(), "langs": ["en"], "action": "compose",
            **BREACH, "var-dpo_contact": "not-an-address"}  # fmt: skip
    page = client.post("/admin/playbooks/data-breach/open", data=data).get_data(as_text=True)
    assert "Enter an e-mail address" in page and "sec-en-what_happened" not in page
    publish = client.post("/admin/playbooks/data-breach/open", data={**data, "action": "publish"})
    assert publish.status_code == 400 and "Compose the messages first" in publish.get_data(
        as_text=True
    )
    assert db.session.query(Incident).count() == 0


def test_failing_check_needs_confirmation_which_is_audited(client, auth):
    _shop("en")
    auth.login()
    base = {"stage": "investigating", "next_update_at": _later(), "langs": ["en"], **BREACH,
            "sec-en-what_happened": "Due to unforeseen circumstances something happened."}  # fmt: skip
    refused = client.post("/admin/playbooks/data-breach/open", data={**base, "action": "publish"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "transparency check found problems" in page and "Who is affected: missing" in page
    assert db.session.query(Incident).count() == 0
    forced = client.post(
        "/admin/playbooks/data-breach/open",
        data={**base, "action": "publish", "publish_anyway": "y"},
    )
    assert forced.status_code == 302
    entry = db.session.query(AuditEntry).filter_by(action="incident.publish_despite_check").one()
    assert any("unforeseen" in message for message in entry.after["en"])


def _publish_breach(client, **extra) -> str:
    """Compose and publish a data-breach incident; return the compose page's public id."""
    data = {
        "stage": "investigating",
        "next_update_at": _later(),
        "langs": ["en"],
        **BREACH,
        **extra,
    }
    page = client.post(
        "/admin/playbooks/data-breach/open", data={**data, "action": "compose"}
    ).get_data(as_text=True)
    public_id = page.split('name="public_id" value="')[1][:12]
    form = {**data, **_textareas(page), "public_id": public_id, "action": "publish"}
    first = client.post("/admin/playbooks/data-breach/open", data=form)
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    return public_id, form


def test_publishing_twice_shows_the_incident_once(client, auth):
    _shop("en")
    auth.login()
    public_id, form = _publish_breach(client)
    again = client.post("/admin/playbooks/data-breach/open", data=form)  # double click, or Back
    assert again.status_code == 302 and again.location.endswith(f"/admin/incidents/{public_id}")
    assert db.session.query(Incident).count() == 1


def test_publish_at_a_chosen_time_queues_the_first_message(client, auth):
    _shop("en")
    auth.login()
    public_id, _ = _publish_breach(client, display_at=_later(1), next_update_at=_later(3))
    incident = db.session.query(Incident).one()
    assert incident.updates[0].display_at > utcnow() + timedelta(minutes=50)
    assert client.get(f"/incidents/{public_id}").status_code == 404  # not public before its time
    refused = client.post(
        "/admin/playbooks/data-breach/open",
        data={**BREACH, "stage": "investigating", "langs": ["en"], "action": "publish",
              "sec-en-what_happened": "x", "display_at": _later(3), "next_update_at": _later(2)},
    )  # fmt: skip
    assert "after the publication time" in refused.get_data(as_text=True)


def test_a_follow_up_message_names_the_day_the_team_became_aware(client, auth):
    _shop("en")
    auth.login()
    public_id, _ = _publish_breach(client)
    incident = db.session.query(Incident).one()
    incident.became_aware_at = utcnow().replace(hour=9, minute=15) - timedelta(days=3)
    db.session.commit()
    page = client.post(
        f"/admin/incidents/{public_id}/compose",
        data={
            "stage": "resolved",
            "langs": ["en"],
            "action": "compose",
            "var-cause": "a leaked key",
        },
    ).get_data(as_text=True)
    began = incident.became_aware_at
    assert f"{began.day} {began:%B} {began.year}" in page or f"{began:%B} {began.day}" in page


def test_past_next_update_time_is_refused(client, auth):
    _shop("en")
    auth.login()
    data = {
        "stage": "investigating",
        "next_update_at": _later(-1),
        "langs": ["en"],
        **BREACH,
        "action": "compose",
    }
    page = client.post("/admin/playbooks/data-breach/open", data=data).get_data(as_text=True)
    assert "is in the past" in page


def test_next_update_from_the_playbook_prefills_the_incident_variables(client, auth):
    _shop("en")
    auth.login()
    data = {"stage": "investigating", "next_update_at": _later(), "langs": ["en"], **BREACH}
    page = client.post(
        "/admin/playbooks/data-breach/open", data={**data, "action": "compose"}
    ).get_data(as_text=True)
    client.post(
        "/admin/playbooks/data-breach/open", data={**data, **_textareas(page), "action": "publish"}
    )
    incident = db.session.query(Incident).one()
    page = client.get(f"/admin/incidents/{incident.public_id}/compose").get_data(as_text=True)
    assert 'value="identified" selected' in page and "name and e-mail address" in page
    page = client.get(f"/admin/incidents/{incident.public_id}").get_data(as_text=True)
    assert "from the playbook" in page


def test_owner_edits_playbook_text_and_resets_it(client, auth):
    auth.login()
    page = client.get("/admin/playbooks/website-outage/edit").get_data(as_text=True)
    original = _textareas(page)["tpl-investigating.en"]
    edited = original.replace("--- what_happened\n", "--- what_happened\nEDITED OPENING.\n")
    form = {**_textareas(page), "tpl-investigating.en": edited, "cadence-investigating": "15"}
    assert client.post("/admin/playbooks/website-outage/edit", data=form).status_code == 302
    page = client.get("/admin/playbooks/website-outage/edit").get_data(as_text=True)
    assert "EDITED OPENING." in page and "— edited" in page and 'value="15"' in page
    broken = {**form, "tpl-investigating.en": "--- what_happened\n{{ missing_thing }}"}
    response = client.post("/admin/playbooks/website-outage/edit", data=broken)
    assert "The edit breaks the playbook" in response.get_data(as_text=True)
    client.post("/admin/playbooks/website-outage/reset")
    assert "EDITED OPENING." not in client.get("/admin/playbooks/website-outage/edit").get_data(
        as_text=True
    )


def test_preview_endpoint_sanitizes_and_checks(client, auth):
    auth.login()
    response = client.post("/admin/preview", data={"kind": "website-outage", "stage": "investigating", "lang": "en",
                                                  "what_happened": "<script>x</script>**Down**"})  # fmt: skip
    assert (
        "<script" not in response.json["html"] and "<strong>Down</strong>" in response.json["html"]
    )
    assert any(not f["ok"] for f in response.json["findings"])


def _textareas(page: str) -> dict[str, str]:
    """Read every textarea's name and text from a page (as a browser would submit them)."""
    import html
    import re

    return {
        name: html.unescape(text)
        for name, text in re.findall(
            r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
        )
    }
