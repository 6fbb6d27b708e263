"""No typed word is lost, in a real browser, for the rest of the admin forms: resolve, reopen, correcting an
update, the password change, the postmortem, a deadline note, an alert mapping, the playbook editor, API
tokens and the texts in other languages. Each one fails, comes back holding what was typed with the error
beside the field, and writes nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import AuditEntry, IncidentUpdate
from statuspage.models.api import ApiToken
from statuspage.models.plan import DeadlineDone
from statuspage.services.aftercare import checklist, postmortem
from statuspage.services.alerts import integrations
from statuspage.services.incidents import lifecycle
from tests.e2e.admin_session import error_beside, login, submit_of
from tests.helpers import component, incident, languages

pytestmark = pytest.mark.e2e
TEXT = "Parcels from the Riga depot leave tomorrow; we write to everyone whose order waits."
BLANK = "   "  # passes the browser's `required`, refused by the server


def _updates(opened) -> int:
    """Count the incident's updates (nothing written: the count stays)."""
    db.session.expire_all()
    return db.session.scalar(
        select(func.count())
        .select_from(IncidentUpdate)
        .where(IncidentUpdate.incident_id == opened.id)
    )


def _type_past_maxlength(page, selector: str, text: str) -> None:
    """Put text longer than the field's maxlength into it (as a paste through an old browser would)."""
    page.locator(selector).evaluate("(el, text) => { el.value = text; }", text)


def test_resolve_with_open_crisis_items_keeps_the_message_and_says_so_beside_the_box(
    app, app_ctx, live_server, page, owner
):
    opened = incident(kind="delivery-delay")  # its checklist has items for during the crisis
    before = _updates(opened)
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}")
    page.locator("#resolve-body").fill(TEXT)
    page.locator("#resolve-keep").check()
    submit_of(page, "resolve-body").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#resolve-body")).to_have_value(TEXT)
    expect(page.locator("#resolve-keep")).to_be_checked()
    expect(page.locator("#resolve-confirm")).not_to_be_checked()
    expect(error_beside(page, "resolve-confirm")).to_contain_text("still open")
    assert _updates(opened) == before


def test_reopen_keeps_the_status_and_says_the_text_is_missing(
    app, app_ctx, live_server, page, owner
):
    opened = incident()
    lifecycle.resolve(opened, body="Fixed.", user=None, confirm_open_items=True)
    db.session.commit()
    before = _updates(opened)
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}")
    page.locator("#reopen-status").select_option("monitoring")
    page.locator("#reopen-body").fill(BLANK)
    submit_of(page, "reopen-body").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#reopen-status")).to_have_value("monitoring")
    expect(error_beside(page, "reopen-body")).to_be_visible()
    assert _updates(opened) == before


def test_correcting_an_update_keeps_the_translation_typed(app, app_ctx, live_server, page, owner):
    languages("en,pl")
    opened = incident()
    first = lifecycle.post_update(
        opened, status="identified", body="Found it.", user=None, next_update_at=None,
        translations={"pl": "Znaleźliśmy przyczynę."},
    )  # fmt: skip
    db.session.commit()
    login(page, live_server)
    page.goto(f"{live_server}/admin/updates/{first.public_id}/edit")
    page.locator("#body").fill(BLANK)
    page.locator("#translation-pl").fill("Paczki z magazynu w Rydze wyjadą jutro.")
    submit_of(page, "body").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#translation-pl")).to_have_value("Paczki z magazynu w Rydze wyjadą jutro.")
    expect(error_beside(page, "body")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(IncidentUpdate, first.id).body == "Found it."


def test_password_change_with_a_wrong_current_password_says_so_beside_it(
    app, app_ctx, live_server, page, owner
):
    login(page, live_server)
    page.goto(f"{live_server}/admin/account")
    page.locator("#current").fill("not-my-password")
    page.locator("#new").fill("a brand new sentence 42")
    page.locator("#repeat").fill("a brand new sentence 42")
    submit_of(page, "current").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(error_beside(page, "current")).to_be_visible()
    # Password fields come back empty on purpose (never echoed into the page); the language stays.
    expect(page.locator("#current")).to_have_value("")
    expect(page.locator("nav.admin-nav")).to_be_visible()  # still logged in
    hashed = owner.password_hash
    db.session.expire_all()
    assert db.session.get(type(owner), owner.id).password_hash == hashed


def test_postmortem_with_template_text_left_keeps_the_draft(app, app_ctx, live_server, page, owner):
    opened = incident(kind="delivery-delay")
    lifecycle.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}/aftercare")
    draft = f"{TEXT}\n\n[[what we change so that it does not happen again]]"
    page.locator("#pm-body").fill(draft)
    page.locator("form:has(#pm-body) button[value=publish]").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#pm-body")).to_have_value(draft)
    expect(error_beside(page, "pm-body")).to_be_visible()
    db.session.expire_all()
    found = postmortem.get(opened)
    assert found is None or found.published_at is None


def test_a_too_long_deadline_note_stays_in_its_form(app, app_ctx, live_server, page, owner):
    breach = incident(kind="data-breach")
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{breach.public_id}/plan")
    note = "Case 2026/17, filed with the authority. " * 60  # over 2,000 characters
    _type_past_maxlength(page, "#note-authority", note)
    submit_of(page, "note-authority").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#note-authority")).to_have_value(note)
    expect(error_beside(page, "note-authority")).to_be_visible()
    db.session.expire_all()
    assert not db.session.scalar(select(func.count()).select_from(DeadlineDone))


def test_alert_mapping_with_a_blank_label_keeps_everything(app, app_ctx, live_server, page, owner):
    checkout = component("Checkout")
    integration, _token = integrations.create_integration("alertmanager", "", None)
    db.session.commit()
    login(page, live_server)
    page.goto(f"{live_server}/admin/alerts/{integration.public_id}")
    page.locator("#map-label").fill(BLANK)
    page.locator("#map-value").fill("CheckoutDown")
    page.locator("#map-component").select_option(checkout.public_id)
    page.locator("#map-impact").select_option("critical")
    page.locator("#map-auto").check()
    submit_of(page, "map-label").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#map-label")).to_have_value(BLANK)
    expect(page.locator("#map-value")).to_have_value("CheckoutDown")
    expect(page.locator("#map-component")).to_have_value(checkout.public_id)
    expect(page.locator("#map-impact")).to_have_value("critical")
    expect(page.locator("#map-auto")).to_be_checked()
    expect(error_beside(page, "map-label")).to_be_visible()
    db.session.expire_all()
    assert not integration.mappings


def test_playbook_editor_with_a_bad_cadence_keeps_the_texts(app, app_ctx, live_server, page, owner):
    login(page, live_server)
    page.goto(f"{live_server}/admin/playbooks/website-outage/edit")
    cadence = page.locator("input[id^=cadence-]").first
    cadence_id = cadence.get_attribute("id")
    cadence.evaluate("el => { el.removeAttribute('min'); el.value = '0'; }")
    text = page.locator("textarea[id^=tpl-]").first
    text_id = text.get_attribute("id")
    page.locator(f"details:has(#{text_id}) summary").click()
    typed = text.input_value() + "\n" + TEXT
    text.fill(typed)
    submit_of(page, cadence_id).click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator(f"#{cadence_id}")).to_have_value("0")
    expect(page.locator(f"#{text_id}")).to_have_value(typed)
    expect(error_beside(page, cadence_id)).to_be_visible()
    db.session.expire_all()
    assert not db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("playbook%"))
    )


def test_a_token_without_a_name_is_refused_beside_the_name(app, app_ctx, live_server, page, owner):
    login(page, live_server)
    page.goto(f"{live_server}/admin/tokens")
    page.locator("#name").fill(BLANK)
    submit_of(page, "name").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value(BLANK)
    expect(error_beside(page, "name")).to_be_visible()
    expect(page.locator("#new-token")).to_have_count(0)
    assert not db.session.scalar(select(func.count()).select_from(ApiToken))


def test_titles_in_other_languages_keep_every_language_when_one_is_too_long(
    app, app_ctx, live_server, page, owner
):
    languages("en,pl,ar")
    opened = incident()
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}")
    page.locator("#titles summary").click()
    page.locator("#title-pl").fill("Płatności kartą nie działają")
    _type_past_maxlength(page, "#title-ar", "ب" * 201)
    submit_of(page, "title-pl").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#title-pl")).to_have_value("Płatności kartą nie działają")
    expect(page.locator("#title-ar")).to_have_value("ب" * 201)
    expect(error_beside(page, "title-ar")).to_be_visible()
    db.session.expire_all()
    assert not db.session.get(type(opened), opened.id).title_translations


def test_checklist_item_translations_keep_every_language_when_one_is_too_long(
    app, app_ctx, live_server, page, owner
):
    languages("en,pl,ar")
    opened = incident()
    own = checklist.add(opened, text="Refund the shipping fee", category="make_it_right",
                        lang="en", user=None, public=True)  # fmt: skip
    db.session.commit()
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}/aftercare")
    page.locator(f"#texts-{own.id} summary").click()
    page.locator(f"#text-{own.id}-pl").fill("Zwracamy opłatę za wysyłkę")
    _type_past_maxlength(page, f"#text-{own.id}-ar", "ب" * 501)
    submit_of(page, f"text-{own.id}-pl").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator(f"#text-{own.id}-pl")).to_have_value("Zwracamy opłatę za wysyłkę")
    expect(page.locator(f"#text-{own.id}-ar")).to_have_value("ب" * 501)
    expect(error_beside(page, f"text-{own.id}-ar")).to_be_visible()
    db.session.expire_all()
    assert set(db.session.get(type(own), own.id).text) == {"en"}
