"""A real team, in a real browser: the owner invites by e-mail (no SMTP: a link to copy), the member joins
in their own browser with their own password, the owner changes the member's role and removes them; the
removed member's open session and API token are refused at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.admin_session import login, submit_of

pytestmark = pytest.mark.e2e
MEMBER = "ewa@shop.test"
MEMBER_PASSWORD = "violet kayak umbrella 42"


def test_invite_join_change_role_remove(app, live_server, browser, page, owner):
    login(page, live_server)
    page.goto(f"{live_server}/admin/users")
    page.locator("#email").fill(MEMBER)
    page.locator("#role").select_option("editor")
    submit_of(page, "email").click()
    link = page.locator("#invite-url").input_value()  # no SMTP: the page shows the link to copy
    assert "/join/" in link
    join_path = link[
        link.index("/join/") :
    ]  # the link names BASE_URL; the test server is elsewhere

    member_context = browser.new_context()
    member = member_context.new_page()
    member.set_default_timeout(10_000)
    try:
        member.goto(f"{live_server}{join_path}")
        member.locator("#password").fill(MEMBER_PASSWORD)
        member.locator("#repeat").fill(MEMBER_PASSWORD)
        submit_of(member, "password").click()
        expect(member.locator("nav.admin-nav")).to_be_visible()
        member.locator("nav.admin-nav form[action$='/logout'] button").click()
        login(member, live_server, MEMBER, MEMBER_PASSWORD)
        # An editor: the team page is not theirs.
        assert member.goto(f"{live_server}/admin/users").status == 403

        # The member makes an API token for their helpdesk tool.
        member.goto(f"{live_server}/admin/tokens")
        member.locator("#name").fill("helpdesk")
        submit_of(member, "name").click()
        token = member.locator("#new-token").input_value()
        api = f"{live_server}/api/v1/incidents"
        bearer = {"Authorization": f"Bearer {token}"}
        assert member.request.get(api, headers=bearer).status == 200

        # The owner makes the member an owner: the member's next page shows the team.
        page.goto(f"{live_server}/admin/users")
        row = page.locator("tr", has_text=MEMBER)
        row.locator("select[name=role]").select_option("owner")
        row.locator("form[action$='/role'] button[type=submit]").click()
        expect(page.locator(".flash-info, .flash-success").first).to_contain_text(MEMBER)
        expect(page.locator("tr", has_text=MEMBER).locator("select[name=role]")).to_have_value(
            "owner"
        )
        assert member.goto(f"{live_server}/admin/users").status == 200

        # The owner removes the member: their open session and their token end at once.
        row = page.locator("tr", has_text=MEMBER)
        row.locator("input[name=confirm]").check()
        row.locator("form[action$='/remove'] button[type=submit]").click()
        expect(page.locator("tr", has_text=MEMBER)).to_have_count(0)

        member.goto(f"{live_server}/admin/")
        assert "/login" in member.url
        expect(member.locator("nav.admin-nav")).to_have_count(0)
        assert member.request.get(api, headers=bearer).status == 401
        # The old password no longer opens the admin either.
        member.goto(f"{live_server}/login")
        member.get_by_label("E-mail").fill(MEMBER)
        member.get_by_label("Password").fill(MEMBER_PASSWORD)
        member.locator("form button[type=submit]").click()
        expect(member.locator("nav.admin-nav")).to_have_count(0)
    finally:
        member_context.close()


def test_owner_cannot_remove_the_last_owner(app, live_server, page, owner):
    login(page, live_server)
    page.goto(f"{live_server}/admin/users")
    row = page.locator("tr", has_text=owner.email)
    row.locator("input[name=confirm]").check()
    row.locator("form[action$='/remove'] button[type=submit]").click()
    expect(page.locator(".flash-error")).to_be_visible()
    page.goto(f"{live_server}/admin/")
    expect(page.locator("nav.admin-nav")).to_be_visible()
