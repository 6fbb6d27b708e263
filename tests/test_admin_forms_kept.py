"""The team's side, issue 15: components, webhooks, aftercare and deadline forms that fail come back as
they were typed (400, the reason beside the field, nothing written); the trust report and the audit log
read as words, not raw figures and JSON."""

from html import unescape

from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import AuditEntry, Component, Incident
from statuspage.models.aftercare import ChecklistEntry
from statuspage.models.subscribers import WebhookEndpoint
from statuspage.services.aftercare import postmortem
from statuspage.services.incidents import lifecycle
from tests.helpers import at, component, incident, sqlite_only, write_lock


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _beside(page: str, anchor: str, error: str) -> bool:
    """Tell whether `error` is shown in the same block as the element `anchor` names."""
    start = page.index(anchor)
    block = page[start : page.find("</div>", start) if "</div>" in page[start:] else None]
    return error in unescape(block)


def test_a_refused_new_component_keeps_every_typed_value(client, auth):
    group = component("Shipping", is_group=True)
    auth.login()
    sent = {
        "name": "Parcel lockers",
        "description": "Lockers in Riga and Warsaw",
        "group_id": group.public_id,
        "is_group": "y",  # a group inside a group: a broken rule
    }
    page = client.post("/admin/components", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'value="Parcel lockers"' in text and 'value="Lockers in Riga and Warsaw"' in text
    assert f'<option selected value="{group.public_id}">' in text
    assert 'id="is_group" name="is_group" type="checkbox" value="y"' in text and "checked" in text
    assert _beside(text, 'id="group_id"', "groups cannot be nested")
    assert _count(Component) == 1


def test_a_refused_rename_keeps_the_typed_name_in_its_row(client, auth):
    checkout = component("Checkout")
    payments = component("Payments")
    auth.login()
    sent = {"name": "Checkout and basket", "description": "", "group_id": payments.public_id}
    page = client.post(f"/admin/components/{checkout.public_id}", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    row = text[text.index(f'id="component-{checkout.public_id}"') :]
    row = row[: row.index("</tr>")]
    assert 'value="Checkout and basket"' in row
    assert "Components can only be put in a group" in unescape(row)
    db.session.expire_all()
    assert db.session.get(Component, checkout.id).name == "Checkout"


def test_a_refused_webhook_keeps_its_address_and_component(client, auth):
    checkout = component("Checkout")
    auth.login()
    sent = {"url": "http://127.0.0.1:9/hook", "component": checkout.public_id}
    page = client.post("/admin/webhooks", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'value="http://127.0.0.1:9/hook"' in text
    assert f'<option value="{checkout.public_id}" selected>' in text
    assert _beside(text, 'id="hook-url"', "public addres")
    assert _count(WebhookEndpoint) == 0


def _delivery_delay() -> Incident:
    return incident(title="Parcels are late", kind="delivery-delay", impact="minor")


def test_a_refused_checklist_item_keeps_text_category_time_and_visibility(client, auth):
    opened = _delivery_delay()
    before = _count(ChecklistEntry)
    auth.login()
    sent = {
        "text": "Call every customer whose parcel is late",
        "category": "make_it_right",
        "due_at": "next week",
        "public": "y",
    }
    page = client.post(f"/admin/incidents/{opened.public_id}/checklist", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'value="Call every customer whose parcel is late"' in text
    assert 'value="next week"' in text
    assert '<option value="make_it_right" selected>' in text
    assert 'name="public" value="y" checked' in text
    assert _beside(text, 'id="new-due"', "must look like")
    assert _count(ChecklistEntry) == before


def test_a_refused_tick_keeps_its_note(client, auth):
    opened = _delivery_delay()
    entry = db.session.scalars(
        select(ChecklistEntry).where(ChecklistEntry.incident == opened)
    ).first()
    auth.login()
    note = "Refunded the shipping to everyone. " * 40  # over 1000 characters
    page = client.post(f"/admin/checklist/{entry.id}/done", data={"note": note})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert f'value="{note}"' in text
    assert _beside(text, f'id="note-{entry.id}"', "The note is too long")
    db.session.expire_all()
    assert db.session.get(ChecklistEntry, entry.id).state == "open"


def test_a_refused_skip_says_why_beside_the_note(client, auth):
    opened = _delivery_delay()
    entry = db.session.scalars(
        select(ChecklistEntry).where(ChecklistEntry.incident == opened)
    ).first()
    auth.login()
    page = client.post(f"/admin/checklist/{entry.id}/skip", data={"note": " "})
    assert page.status_code == 400
    assert _beside(page.get_data(as_text=True), f'id="note-{entry.id}"', "Say why")


def test_a_refused_postmortem_keeps_its_text_and_the_confirmation(client, auth):
    opened = _delivery_delay()
    lifecycle.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    auth.login()
    body = "We lost parcels because [[the cause]]. Our own words stay."
    page = client.post(
        f"/admin/incidents/{opened.public_id}/postmortem",
        data={"body": body, "action": "publish", "confirm": "y"},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Our own words stay." in text
    assert 'name="confirm" value="y" checked' in text
    assert _beside(text, 'id="pm-body"', "template text")
    assert postmortem.get(opened) is None


def test_a_refused_deadline_note_is_shown_again_in_its_form(client, auth, clock):
    breach = incident(title="Leak", kind="data-breach", next_update_at=at(60))
    auth.login()
    note = "Reported to the authority, case " + "1234567890" * 201  # over 2000 characters
    page = client.post(
        f"/admin/incidents/{breach.public_id}/deadlines/authority", data={"note": note}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    form = text[text.index('id="note-authority"') :]
    assert note in form[: form.index("</textarea>")]
    assert '<p class="error">' in form[: form.index("</form>")]
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "deadline.done")
    ).all()


def test_the_trust_report_says_durations_and_kinds_in_words(client, auth, clock):
    opened = _delivery_delay()
    clock(minutes=24 * 60)
    lifecycle.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    auth.login()
    page = client.get("/admin/report").get_data(as_text=True)
    assert "1440.0" not in page and "1 day" in page
    assert "delivery-delay ·" not in page and ">delivery-delay<" not in page
    polish = client.get("/admin/report", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "1 dzień" in polish and "Opóźnienie dostawy" in polish  # in the admin's language


def test_the_audit_log_reads_as_before_and_after(client, auth):
    checkout = component("Dostawa łódź")
    auth.login()
    client.post(f"/admin/components/{checkout.public_id}/status", data={"status": "major_outage"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "\\u0142" not in page and "{&#34;" not in page and '{"' not in page
    assert "Component status set" in page
    assert "<dt>Status</dt><dd>Operational</dd>" in page
    assert "<dt>Status</dt><dd>Major outage</dd>" in page
    assert "Dostawa łódź" in page


def test_these_pages_speak_polish_and_arabic(client, auth):
    """Every page of this side renders in the admin's language, headings and buttons included."""
    from statuspage.services.alerts.integrations import create_integration

    checkout = component("Checkout")
    opened = incident(title="Leak", kind="data-breach", components={checkout: "major_outage"})
    integration, _token = create_integration("alertmanager", "Production", None)
    db.session.commit()
    auth.login()
    pages = {  # a heading or button of each page, read from the catalogs (their wording may improve)
        "/admin/components": "Add a component or group",
        "/admin/webhooks": "Add a webhook",
        "/admin/subscribers": "Export as CSV",
        "/admin/alerts": "Connect a monitoring system",
        f"/admin/alerts/{integration.public_id}": "Add a mapping",
        f"/admin/incidents/{opened.public_id}/aftercare": "Add an item",
        f"/admin/incidents/{opened.public_id}/plan": "Mark done",
        "/admin/report": "Promises kept per month",
        "/admin/audit": "Audit log",
        "/admin/playbooks": "Start from a playbook",
        "/admin/playbooks/data-breach/edit": "Save playbook",
    }
    for path, english in pages.items():
        for lang in ("pl", "ar"):
            with force_locale(lang):
                word = str(escape(gettext(english)))
            page = client.get(path, headers={"Accept-Language": lang})
            assert page.status_code == 200, path
            text = page.get_data(as_text=True)
            assert word != english and word in text and english not in text, (path, lang)


def test_a_refused_new_end_keeps_the_time_and_the_message(client, auth, clock):
    checkout = component("Checkout")
    auth.login()
    data = {
        "title": "Faster checkout", "scheduled_for": "2026-03-11T02:00",
        "scheduled_until": "2026-03-11T04:00", "components": [checkout.public_id],
        "kind": "planned-maintenance", "what_changes": "a faster checkout",
    }  # fmt: skip
    client.post("/admin/maintenance/new", data=data)
    window = db.session.scalars(select(Incident)).one()
    planned_end = window.scheduled_until
    message = "The new card terminal needs one more hour; payments stay safe."
    page = client.post(
        f"/admin/incidents/{window.public_id}/maintenance/extend",
        data={"scheduled_until": "next Tuesday", "body": message},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'value="next Tuesday"' in text and message in text
    assert _beside(text, 'id="scheduled_until"', "must look like")
    db.session.expire_all()
    assert db.session.get(Incident, window.id).scheduled_until == planned_end
    assert len(db.session.get(Incident, window.id).updates) == 1


def test_a_refused_alert_mapping_keeps_every_choice(client, auth):
    from statuspage.models.alerts import AlertMapping
    from statuspage.services.alerts.integrations import create_integration

    checkout = component("Checkout")
    integration, _token = create_integration("alertmanager", "Production", None)
    db.session.commit()
    auth.login()
    sent = {
        "label": "service", "value": "CheckoutDown", "component": checkout.public_id,
        "kind": "payment-failure", "impact": "minor", "component_status": "partial_outage",
        "variables": "social_url is https://shop.example/social", "auto_publish": "y",
    }  # fmt: skip
    page = client.post(f"/admin/alerts/{integration.public_id}/mappings", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'value="service"' in text and 'value="CheckoutDown"' in text
    assert f'<option value="{checkout.public_id}" selected>' in text
    assert '<option value="payment-failure" selected>' in text
    assert '<option value="minor" selected>' in text
    assert '<option value="partial_outage" selected>' in text
    assert "social_url is https://shop.example/social</textarea>" in text
    assert 'value="y" checked' in text
    assert _beside(text, 'id="map-variables"', "write it as name = value")
    assert _count(AlertMapping) == 0


def test_a_refused_playbook_edit_keeps_the_typed_texts(client, auth):
    from statuspage.models.playbooks import PlaybookOverride

    auth.login()
    edit = client.get("/admin/playbooks/delivery-delay/edit").get_data(as_text=True)
    assert "cadence-investigating" in edit
    words = "--- what_happened\nOur own careful words about the late parcels.\n"
    page = client.post(
        "/admin/playbooks/delivery-delay/edit",
        data={"cadence-investigating": "-5", "tpl-investigating.en": words},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Our own careful words about the late parcels." in text and 'value="-5"' in text
    assert _count(PlaybookOverride) == 0


@sqlite_only
def test_a_busy_database_keeps_the_checklist_item_and_says_not_saved(app, client, auth):
    app.config["DATABASE_BUSY_SECONDS"] = 0.2
    db.engine.dispose()  # new connections take the shorter busy timeout
    opened = _delivery_delay()
    before = _count(ChecklistEntry)
    auth.login()
    sent = {"text": "Refund the shipping of every late parcel", "category": "make_it_right"}
    with write_lock(app):
        page = client.post(f"/admin/incidents/{opened.public_id}/checklist", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Not saved: the database is busy." in text
    assert 'value="Refund the shipping of every late parcel"' in text
    assert _count(ChecklistEntry) == before
    again = client.post(f"/admin/incidents/{opened.public_id}/checklist", data=sent)
    assert again.status_code == 302 and _count(ChecklistEntry) == before + 1
