"""A support agent walks an incident from investigating to resolved; the public page follows."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.helpers import component

pytestmark = pytest.mark.e2e


def test_agent_walks_an_incident_and_public_page_follows(app, live_server, page, owner):
    checkout = component("Checkout")
    public = page.context.new_page()

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Open an incident").click()
    page.get_by_label("Title").fill("Card payments fail at checkout")
    page.get_by_label("Impact").select_option("major")
    page.get_by_label("Checkout").select_option("major_outage")
    page.get_by_label("First update (Markdown)").fill("Card payments fail. **Nobody was charged.**")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Incident published.")).to_be_visible()

    public.goto(live_server)
    expect(public.get_by_text("Major Service Outage")).to_be_visible()
    expect(public.get_by_role("link", name="Card payments fail at checkout")).to_be_visible()
    expect(public.locator("strong", has_text="Nobody was charged.")).to_be_visible()

    page.get_by_label("New status").select_option("identified")
    page.get_by_label("Update (Markdown)").fill("Our payment provider is down; they are fixing it.")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Update posted.")).to_be_visible()

    public.reload()
    expect(public.get_by_text("Our payment provider is down")).to_be_visible()
    public.get_by_role("link", name="Card payments fail at checkout").click()
    expect(public.locator(".update")).to_have_count(2)

    page.get_by_label("Closing message (Markdown)").fill("Card payments work again. We are sorry.")
    page.get_by_role("button", name="Resolve incident").click()
    expect(page.get_by_text("Incident resolved.")).to_be_visible()

    public.goto(live_server)
    expect(public.get_by_text("All Systems Operational")).to_be_visible()
    expect(public.locator(".component.status-operational", has_text=checkout.name)).to_be_visible()
    expect(public.get_by_role("heading", name="Past incidents")).to_be_visible()
