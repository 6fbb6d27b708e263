"""After a delivery delay: the agent ticks checklist items, publishes the postmortem; customers see both."""

import feedparser
import pytest
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.services.aftercare import checklist
from statuspage.services.incidents import lifecycle as service
from tests.conftest import PASSWORD
from tests.helpers import incident

pytestmark = pytest.mark.e2e


def test_checklist_and_postmortem_flow(app, live_server, page, owner):
    opened = incident(title="Parcels arrive late", kind="delivery-delay", impact="minor")
    service.resolve(opened, body="All parcels delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    public_items = [e for e in checklist.entries(opened) if e.public]
    apology = next(e for e in public_items if e.key == "apologise_by_email")
    compensation = next(e for e in public_items if e.key == "compensate")

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}/aftercare")
    for entry, note in (
        (apology, "Sent to every affected customer"),
        (compensation, "Refunded the shipping cost"),
    ):
        item = page.locator("li.card", has_text=entry.text_in("en"))
        item.get_by_label("Note").fill(note)
        item.get_by_role("button", name="Done").click()
        expect(page.get_by_text("Checklist updated.")).to_be_visible()
        expect(page.locator("li.card", has_text=entry.text_in("en"))).to_contain_text("✓ done")

    page.get_by_label("Postmortem (Markdown)").fill(
        "# What happened\n\nThe courier's hub was overloaded."
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview h3")).to_have_text("What happened")
    page.get_by_label("Publish anyway if checklist items are overdue (recorded)").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Postmortem published.")).to_be_visible()

    page.goto(f"{live_server}/incidents/{opened.public_id}")
    expect(page.locator("#postmortem")).to_contain_text("The courier's hub was overloaded.")
    expect(page.get_by_role("heading", name="What we are doing to make it right")).to_be_visible()
    for entry in (apology, compensation):  # both ticked: shown as done, with the date
        shown = page.locator(".make-it-right li", has_text=entry.text_in("en"))
        expect(shown).to_contain_text("done")
        expect(shown).not_to_contain_text("planned")
    feed = feedparser.parse(page.request.get(f"{live_server}/history.atom").text())
    assert feed.entries[0].title.startswith("[Postmortem]")
