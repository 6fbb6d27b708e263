"""Done when (issue 13): a data breach walked from the playbook to the postmortem in a real browser.

The public page never states an undone action as done, shows when the team became aware and the
promise exactly, shows a notice rather than an outage, and no template postmortem goes public.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from statuspage.services.shop import saved_shop
from tests.conftest import PASSWORD
from tests.helpers import component

pytestmark = pytest.mark.e2e
PLANNED = "We will report the breach to the data protection authority by"
DONE = "We have reported the breach to the data protection authority"


def local(delta: timedelta) -> str:
    """Return a time from now as a datetime-local value (the test shop runs on UTC)."""
    return (utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def shown(value: str) -> str:
    """Write a datetime-local value the way English messages do: 5 December 2026 at 14:30 UTC."""
    day, clock = value.split("T")
    year, month, date = day.split("-")
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
    return f"{int(date)} {months[int(month) - 1]} {year} at {clock} UTC"


def test_a_data_breach_from_playbook_to_postmortem_stays_true(app, live_server, page, owner):
    shop = saved_shop()
    shop.languages, shop.contact_email = "en", "help@shop.test"
    db.session.commit()
    component("Customer accounts")
    aware, promise = local(-timedelta(hours=5)), local(timedelta(hours=3))

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/admin/playbooks/data-breach/open")
    page.locator("#var-data_types").fill("name, e-mail address and order history")
    page.locator("#var-affected_customers").fill("customers who ordered in March")
    page.locator("#var-dpo_contact").fill("privacy@shop.test")
    for leaked, answer in (("passwords", "yes"), ("cards", "no"), ("documents", "no"),
                           ("contact", "no"), ("orders", "yes")):  # fmt: skip
        page.locator(f"#var-{leaked}_exposed").select_option(answer)
    page.get_by_label("We became aware at").fill(aware)
    page.get_by_label("Next update by").fill(local(timedelta(hours=2)))
    page.get_by_role("button", name="Compose the messages").click()
    english = page.locator("section.language[data-lang=en]")
    expect(english.locator(".preview")).to_contain_text(PLANNED)
    # The team edits a section, then moves the promise: the edit stays, the time follows.
    what = english.locator("textarea[data-section=what_happened]")
    what.fill(what.input_value() + " We will keep you informed at every step.")
    page.get_by_label("Next update by").fill(promise)
    page.get_by_role("button", name="Update the previews").click()
    expect(english.locator(".preview")).to_contain_text("We will keep you informed at every step.")
    expect(english.locator(".preview")).to_contain_text(shown(promise))
    expect(english.locator(".findings .fail")).to_have_count(0)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Incident published.")).to_be_visible()
    public_id = re.search(r"/admin/incidents/([a-z0-9]{12})", page.url).group(1)

    page.goto(f"{live_server}/")
    banner = page.locator(".banner")
    expect(banner).to_contain_text("Important notice")
    expect(banner).not_to_contain_text("Outage")
    page.goto(f"{live_server}/incidents/{public_id}")
    body = page.locator("main")
    expect(body).to_contain_text(PLANNED)
    expect(body).not_to_contain_text(DONE)
    expect(body).to_contain_text(shown(promise))
    aware_shown = page.locator("[data-fact=became-aware]")
    expect(aware_shown).to_have_attribute("datetime", re.compile("^" + re.escape(aware)))

    # The authority is notified and marked so: only now may the next update say it.
    page.goto(f"{live_server}/admin/incidents/{public_id}/plan")
    page.locator("li.card", has_text="Notify the supervisory authority").get_by_role(
        "button", name="Mark done"
    ).click()
    expect(page.get_by_text("Deadline marked as done.")).to_be_visible()
    page.goto(f"{live_server}/admin/incidents/{public_id}/compose")
    page.locator("#var-cause").fill("a backup was reachable without a password")
    page.get_by_role("button", name="Compose the messages").click()
    expect(english.locator(".preview")).to_contain_text(DONE)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Update posted.")).to_be_visible()
    expect(page.get_by_text("keeps the promise")).to_be_visible()
    page.goto(f"{live_server}/incidents/{public_id}")
    expect(page.locator("main article.update").first).to_contain_text(DONE)

    # Resolve from the playbook, then try the pre-filled postmortem as it is.
    page.goto(f"{live_server}/admin/incidents/{public_id}/compose?stage=resolved")
    page.get_by_role("button", name="Compose the messages").click()
    page.get_by_label(re.compile("Resolve even though")).check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Incident resolved.")).to_be_visible()
    page.goto(f"{live_server}/admin/incidents/{public_id}/aftercare")
    page.get_by_label("Publish anyway if checklist items are overdue (recorded)").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#pm-body-error")).to_contain_text("The postmortem still has template text")
    expect(page.get_by_text("under “What we did to fix it”").first).to_be_visible()
    page.goto(f"{live_server}/incidents/{public_id}")
    expect(page.locator("#postmortem")).to_have_count(0)

    page.goto(f"{live_server}/admin/incidents/{public_id}/aftercare")
    editor = page.get_by_label("Postmortem (Markdown)")
    editor.fill(re.sub(r"\[\[[^\]]+\]\]", "We wrote this part ourselves.", editor.input_value()))
    page.get_by_label("Publish anyway if checklist items are overdue (recorded)").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Postmortem published.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish the changes")).to_be_visible()
    page.goto(f"{live_server}/incidents/{public_id}")
    expect(page.locator("#postmortem")).to_contain_text("We wrote this part ourselves.")
    assert db.session.query(Incident).one().is_notice
