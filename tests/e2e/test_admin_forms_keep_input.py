"""No typed word is lost, in a real browser: every admin form that fails comes back holding what the agent
typed, with the error beside the field; a busy database is said in words and the text waits for a retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import IncidentUpdate, utcnow
from statuspage.services.incidents import lifecycle, maintenance
from statuspage.services.shop import saved_shop
from tests.e2e.admin_session import error_beside, login, submit_of
from tests.helpers import component, incident, sqlite_only, write_lock

pytestmark = pytest.mark.e2e
TEXT = "Parcels from the Riga depot leave tomorrow; we write to everyone whose order waits."
PAST = "2001-05-01T10:00"  # a time long gone: every "future" field refuses it
PROMISE = "2200-01-01T10:00"  # a time far ahead
BEFORE_2000 = "1999-05-01T10:00"  # a year outside 2000–2200: every time field refuses it


def test_update_form_keeps_status_text_times_and_components(app, live_server, page, owner):
    checkout = component("Checkout")
    opened = incident(components={checkout: "major_outage"})
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}")
    page.locator("#update-status").select_option("monitoring")
    page.locator(f"#component-{checkout.public_id}").select_option("degraded_performance")
    page.locator("#update-body").fill(TEXT)
    page.locator("#update-next").fill(PAST)
    submit_of(page, "update-body").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#update-status")).to_have_value("monitoring")
    expect(page.locator(f"#component-{checkout.public_id}")).to_have_value("degraded_performance")
    expect(page.locator("#update-body")).to_have_value(TEXT)
    expect(page.locator("#update-next")).to_have_value(PAST)
    expect(error_beside(page, "update-next")).to_contain_text("past")


def test_new_incident_form_keeps_everything(app, live_server, page, owner):
    checkout = component("Checkout")
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/new")
    page.locator("#title").fill("Card payments fail at checkout")
    page.locator("#impact").select_option("critical")
    page.locator("#status").select_option("identified")
    page.locator(f"#component-{checkout.public_id}").select_option("major_outage")
    page.locator("#began_at").fill(BEFORE_2000)
    page.locator("#body").fill(TEXT)
    submit_of(page, "body").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Card payments fail at checkout")
    expect(page.locator("#impact")).to_have_value("critical")
    expect(page.locator("#status")).to_have_value("identified")
    expect(page.locator(f"#component-{checkout.public_id}")).to_have_value("major_outage")
    expect(page.locator("#began_at")).to_have_value(BEFORE_2000)
    expect(page.locator("#body")).to_have_value(TEXT)
    expect(error_beside(page, "began_at")).to_contain_text("2000")


def test_new_maintenance_form_keeps_everything(app, live_server, page, owner):
    checkout = component("Checkout")
    login(page, live_server)
    page.goto(f"{live_server}/admin/maintenance/new")
    page.locator("#title").fill("Faster checkout: planned work")
    page.locator("#scheduled_for").fill(PAST)  # the start is long gone
    page.locator("#scheduled_until").fill("2001-05-01T12:00")
    page.locator(f"#mc-{checkout.public_id}").check()
    page.locator("#what_changes").fill("a faster checkout")
    page.locator("#body").fill(TEXT)
    page.locator("#reminder_minutes").fill("45")
    submit_of(page, "body").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Faster checkout: planned work")
    expect(page.locator("#scheduled_for")).to_have_value(PAST)
    expect(page.locator("#scheduled_until")).to_have_value("2001-05-01T12:00")
    expect(page.locator(f"#mc-{checkout.public_id}")).to_be_checked()
    expect(page.locator("#what_changes")).to_have_value("a faster checkout")
    expect(page.locator("#body")).to_have_value(TEXT)
    expect(page.locator("#reminder_minutes")).to_have_value("45")
    expect(error_beside(page, "scheduled_for")).to_be_visible()


def test_settings_form_keeps_everything_and_names_the_bad_email(app, live_server, page, owner):
    login(page, live_server)
    page.goto(f"{live_server}/admin/settings")
    page.locator("#name").fill("Brightsock")
    page.locator("#url").fill("https://brightsock.test")
    page.locator("#timezone").fill("Europe/Warsaw")
    page.locator("#contact_email").fill("not-an-email")
    page.locator("#contact_phone").fill("+48 22 123 45 67")
    page.locator("#contact_address").fill("ul. Prosta 1\n00-001 Warszawa")
    page.locator("#sms_sender").fill("BRIGHTSOCK")
    submit_of(page, "name").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value("Brightsock")
    expect(page.locator("#url")).to_have_value("https://brightsock.test")
    expect(page.locator("#timezone")).to_have_value("Europe/Warsaw")
    expect(page.locator("#contact_email")).to_have_value("not-an-email")
    expect(page.locator("#contact_phone")).to_have_value("+48 22 123 45 67")
    expect(page.locator("#contact_address")).to_have_value("ul. Prosta 1\n00-001 Warszawa")
    expect(page.locator("#sms_sender")).to_have_value("BRIGHTSOCK")
    expect(error_beside(page, "contact_email")).to_be_visible()


def test_component_form_keeps_everything(app, live_server, page, owner):
    group = component("Shop", is_group=True)
    login(page, live_server)
    page.goto(f"{live_server}/admin/components")
    form = page.locator("form[action$='/admin/components']")
    form.locator("#name").fill("Payments")
    form.locator("#description").fill("Cards, BLIK and transfers")
    form.locator("#group_id").select_option(group.public_id)
    form.locator("#is_group").check()  # a group inside a group: refused
    form.locator("button[type=submit]").click()

    expect(page.locator(".flash-error")).to_be_visible()
    form = page.locator("form[action$='/admin/components']")
    expect(form.locator("#name")).to_have_value("Payments")
    expect(form.locator("#description")).to_have_value("Cards, BLIK and transfers")
    expect(form.locator("#group_id")).to_have_value(group.public_id)
    expect(form.locator("#is_group")).to_be_checked()
    expect(form.locator(".error")).to_be_visible()


def test_webhook_form_keeps_the_url_and_component(app, live_server, page, owner):
    checkout = component("Checkout")
    login(page, live_server)
    page.goto(f"{live_server}/admin/webhooks")
    bad = "ftp://hooks.brightsock.test/status"  # a URL to the browser, not a webhook to Candor
    page.locator("#hook-url").fill(bad)
    page.locator("#hook-component").select_option(checkout.public_id)
    submit_of(page, "hook-url").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#hook-url")).to_have_value(bad)
    expect(page.locator("#hook-component")).to_have_value(checkout.public_id)
    expect(error_beside(page, "hook-url")).to_be_visible()


def test_checklist_item_form_keeps_everything(app, live_server, page, owner):
    opened = incident()
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}/aftercare")
    categories = page.locator("#new-category option").evaluate_all("os => os.map(o => o.value)")
    page.locator("#new-text").fill("Call every customer whose parcel waited")
    page.locator("#new-category").select_option(categories[-1])
    page.locator("#new-due").fill(BEFORE_2000)
    page.locator("input[name=public]").check()
    submit_of(page, "new-text").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#new-text")).to_have_value("Call every customer whose parcel waited")
    expect(page.locator("#new-category")).to_have_value(categories[-1])
    expect(page.locator("#new-due")).to_have_value(BEFORE_2000)
    expect(page.locator("input[name=public]")).to_be_checked()
    expect(error_beside(page, "new-due")).to_be_visible()


def test_queue_reschedule_keeps_text_and_times(app, app_ctx, live_server, page, owner):
    opened = incident()
    later = lifecycle.post_update(
        opened, status="monitoring", body="Scheduled text.", user=None,
        display_at=utcnow() + timedelta(hours=2), next_update_at=None,
    )  # fmt: skip
    db.session.commit()
    login(page, live_server)
    page.goto(f"{live_server}/admin/queue")
    page.locator(f"#update-{later.public_id}-queue summary").click()
    page.locator(f"#body-{later.public_id}").fill(TEXT)
    page.locator(f"#at-{later.public_id}").fill(PAST)
    page.locator(f"#next-{later.public_id}").fill(PROMISE)
    submit_of(page, f"body-{later.public_id}").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator(f"#body-{later.public_id}")).to_have_value(TEXT)
    expect(page.locator(f"#at-{later.public_id}")).to_have_value(PAST)
    expect(page.locator(f"#next-{later.public_id}")).to_have_value(PROMISE)
    expect(error_beside(page, f"at-{later.public_id}")).to_be_visible()


def test_maintenance_extend_keeps_the_new_end_and_message(app, app_ctx, live_server, page, owner):
    now = utcnow()
    planned = maintenance.plan_maintenance(
        title="Faster checkout", body="We speed up the checkout.", user=None,
        components=[component("Checkout")],
        scheduled_for=now + timedelta(hours=1), scheduled_until=now + timedelta(hours=3),
    )  # fmt: skip
    db.session.commit()
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{planned.public_id}/plan")
    page.locator("#scheduled_until").fill(PAST)
    page.locator("#body").fill(TEXT)
    submit_of(page, "scheduled_until").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#scheduled_until")).to_have_value(PAST)
    expect(page.locator("#body")).to_have_value(TEXT)
    expect(error_beside(page, "scheduled_until")).to_be_visible()


def test_compose_form_keeps_the_sections_and_times(app, live_server, page, owner):
    login(page, live_server)
    page.goto(f"{live_server}/admin/playbooks/website-outage/open")
    page.locator("#var-social_url").fill("https://social.test/brightsock")
    page.locator("#var-confirmation_email_from").fill("orders@shop.test")
    page.locator("#var-promo_extended_until").fill("2026-12-27T23:59")
    page.get_by_role("button", name="Compose the messages").click()
    section = page.locator("section.language[data-lang=en] textarea").first
    expect(section).not_to_have_value("")
    page.locator("#title").fill("Our shop does not open")
    section.fill(TEXT)
    page.locator("#next_update_at").fill(PAST)
    page.get_by_role("button", name="Publish", exact=True).click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Our shop does not open")
    expect(page.locator("section.language[data-lang=en] textarea").first).to_have_value(TEXT)
    expect(page.locator("#next_update_at")).to_have_value(PAST)
    expect(error_beside(page, "next_update_at")).to_be_visible()


def test_times_form_keeps_both_times(app, live_server, page, owner):
    opened = incident()
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}")
    page.locator("#times summary").click()
    page.locator("#times-began").fill(BEFORE_2000)
    page.locator("#times-aware").fill("2026-01-02T08:30")
    submit_of(page, "times-began").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#times-began")).to_have_value(BEFORE_2000)
    expect(page.locator("#times-aware")).to_have_value("2026-01-02T08:30")
    expect(error_beside(page, "times-began")).to_be_visible()


def test_invite_form_keeps_the_address_and_role(app, live_server, page, owner):
    login(page, live_server)
    page.goto(f"{live_server}/admin/users")
    page.locator("#email").fill("not-an-email")
    page.locator("#role").select_option("owner")
    submit_of(page, "email").click()

    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator("#email")).to_have_value("not-an-email")
    expect(page.locator("#role")).to_have_value("owner")
    expect(error_beside(page, "email")).to_be_visible()


# -- a busy database -------------------------------------------------------------------------------


@sqlite_only
def test_busy_database_says_not_published_keeps_text_then_publishes_once(
    app, app_ctx, live_server, page, owner
):
    opened = incident()
    saved_shop()  # the shop's row exists before the lock: reading the page writes nothing
    db.session.commit()
    app.config["DATABASE_BUSY_SECONDS"] = 0.2  # each of the three tries waits this long
    db.engine.dispose()  # connections made from now on get the short busy timeout
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}")
    page.locator("#update-status").select_option("identified")
    page.locator("#update-body").fill(TEXT)
    submit = submit_of(page, "update-body")

    with write_lock(app, "EXCLUSIVE"):
        submit.click()
        expect(page.locator(".flash-error")).to_contain_text("Not published")
        expect(page.locator(".flash-error")).to_contain_text("busy")
        expect(page.locator("#update-body")).to_have_value(TEXT)
        expect(page.locator("#update-status")).to_have_value("identified")

    submit.click()
    expect(page.locator(".flash-error")).to_have_count(0)
    expect(page.locator(".flash-info, .flash-success")).to_be_visible()
    db.session.expire_all()
    bodies = db.session.scalars(
        select(IncidentUpdate.body).where(IncidentUpdate.incident_id == opened.id)
    ).all()
    assert bodies.count(TEXT) == 1
    assert db.session.scalar(select(func.count()).select_from(IncidentUpdate)) == 2
