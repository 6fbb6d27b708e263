"""A customer subscribes from the status page in a real browser, confirms from the e-mail, and unsubscribes."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models.subscribers import Subscriber
from tests.helpers import component

pytestmark = pytest.mark.e2e


def test_customer_subscribes_from_the_status_page_and_confirms(
    app, app_ctx, live_server, page, inbox
):
    component("Checkout")
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["BASE_URL"] = live_server
    page.goto(live_server)
    page.get_by_role("link", name="Get updates by e-mail").click()
    page.get_by_label("E-mail address").fill("customer@example.com")
    page.get_by_label("Only the components I choose:").check()
    page.get_by_label("Checkout").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    jobs.tick()
    text = inbox.messages[0].get_body(("plain",)).get_content()
    link = re.search(r"(http://127\.0\.0\.1:\d+/subscribe/confirm/\S+)", text).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    db.session.expire_all()
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.confirmed_at is not None and [c.name for c in subscriber.components] == [
        "Checkout"
    ]

    from statuspage.services.delivery.subscribers import unsubscribe_token

    page.goto(f"{live_server}/unsubscribe/{unsubscribe_token(subscriber)}")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
