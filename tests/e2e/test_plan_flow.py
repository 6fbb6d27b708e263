"""An agent plans in a real browser: a maintenance, a promise, a scheduled update; the countdown runs."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from statuspage.models import utcnow
from tests.conftest import PASSWORD
from tests.helpers import component

pytestmark = pytest.mark.e2e


def local(minutes: int) -> str:
    """Return a time from now as a datetime-local value (the test shop runs on UTC)."""
    return (utcnow() + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def test_agent_plans_promises_and_schedules(app, live_server, page, owner):
    component("Checkout")
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Schedule maintenance").click()
    page.get_by_label("Title").fill("Faster checkout")
    page.get_by_label("Work starts").fill(local(60 * 24))
    page.get_by_label("Work ends").fill(local(60 * 26))
    page.get_by_label("Checkout", exact=True).check()
    page.get_by_label("What customers gain").fill("a faster checkout")
    page.get_by_role("button", name="Schedule maintenance").click()
    expect(page.get_by_text("Maintenance scheduled.")).to_be_visible()
    expect(page.get_by_role("heading", name="Communication plan: Faster checkout")).to_be_visible()
    expect(page.get_by_role("button", name="Start now")).to_be_visible()

    page.goto(f"{live_server}/admin/incidents/new")
    page.get_by_label("Title").fill("Parcels arrive late")
    page.get_by_label("First update (Markdown)").fill("Parcels are late; we are on it.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Incident published.")).to_be_visible()

    page.get_by_label("New status").select_option("identified")
    page.get_by_label("Update (Markdown)").fill("The courier is overloaded.")
    page.get_by_label("Next update by").fill(local(30))
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Update posted.")).to_be_visible()
    expect(page.get_by_text("Next update promised by")).to_be_visible()

    page.get_by_label("New status").select_option("monitoring")
    page.get_by_label("Update (Markdown)").fill("Parcels move again.")
    page.get_by_label("Publish at").fill(local(120))
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Update scheduled for")).to_be_visible()

    page.get_by_role("link", name="Queue").first.click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.get_by_text("Edit text, time or promise").click()
    page.get_by_label("Text (Markdown)").fill("Parcels move again, all of them.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Scheduled update changed.")).to_be_visible()
    expect(page.locator(".card .body", has_text="Parcels move again, all of them.")).to_be_visible()

    page.get_by_role("link", name="Dashboard").click()
    row = page.locator(".promise-row", has_text="Parcels arrive late")
    expect(row.locator("time[data-countdown]")).to_have_attribute("data-live", "1")
    expect(row.locator(".countdown")).to_have_text(re.compile(r"^in (29|30) minutes$"))
    expect(page.locator(".promise-row").first).to_contain_text("Parcels arrive late")

    public = page.context.new_page()
    public.goto(live_server)
    expect(public.get_by_role("heading", name="Planned maintenance")).to_be_visible()
    expect(public.get_by_text("Next update by").first).to_be_visible()
    expect(public.get_by_text("Parcels move again")).to_have_count(0)

    page.get_by_role("link", name="Queue").first.click()
    page.get_by_role("button", name="Cancel this update").click()
    expect(page.get_by_text("Scheduled update cancelled.")).to_be_visible()
    expect(page.get_by_text("Nothing is scheduled.")).to_be_visible()
