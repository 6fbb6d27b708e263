"""The admin in the team's own language, in a real browser: a Polish session chosen by the browser and an
Arabic one (right to left) chosen on the Account page, from login to a published update; axe-core finds
no WCAG 2.2 AA violation on the admin pages in English and in Arabic."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.demo import load_demo
from statuspage.services.incidents import lifecycle
from tests.e2e.admin_session import login, submit_of
from tests.helpers import incident

pytestmark = pytest.mark.e2e
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TEXT = {"pl": "Paczki z magazynu w Rydze wyjadą jutro.", "ar": "ستغادر الطرود مستودع ريغا غدًا."}


def translated(app, lang: str, msgid: str) -> str:
    """Return the catalog's translation of an English text (and insist there is one)."""
    with app.test_request_context(), force_locale(lang):
        text = gettext(msgid)
    assert text != msgid, f"{msgid!r} has no {lang} translation"
    return text


def publish_update(page: Page, base: str, public_id: str, text: str) -> None:
    """Post a Monitoring update by hand on the incident page."""
    page.goto(f"{base}/admin/incidents/{public_id}")
    page.locator("#update-status").select_option("monitoring")
    page.locator("#update-body").fill(text)
    submit_of(page, "update-body").click()


def assert_admin_speaks(app, page: Page, lang: str, direction: str) -> None:
    """The page is marked up in the language and speaks it in the navigation and the form labels."""
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == direction
    nav = page.locator("nav.admin-nav")
    for msgid in ("Dashboard", "Queue", "Log out"):
        expect(nav).to_contain_text(translated(app, lang, msgid))
    expect(page.locator("label[for=update-next]")).to_contain_text(
        translated(app, lang, "Next update by")
    )
    expect(page.locator("label[for=update-body]")).to_contain_text(
        translated(app, lang, "Update (Markdown)")
    )
    expect(page.locator("label[for=update-status]")).to_contain_text(
        translated(app, lang, "New status")
    )


def test_polish_session_from_login_to_published_update(app, live_server, browser, owner):
    opened = incident()
    context = browser.new_context(locale="pl-PL", extra_http_headers={"Accept-Language": "pl"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/login")
        assert page.locator("html").get_attribute("lang") == "pl"
        expect(page.locator("label[for=password]")).to_have_text(translated(app, "pl", "Password"))
        login(page, live_server)
        publish_update(page, live_server, opened.public_id, TEXT["pl"])
        expect(page.locator(".update", has_text=TEXT["pl"]).first).to_be_visible()
        assert_admin_speaks(app, page, "pl", "ltr")
        expect(page.locator(".flash-info")).to_contain_text(translated(app, "pl", "Update posted."))
    finally:
        context.close()


def test_arabic_session_chosen_on_the_account_page_is_right_to_left(app, live_server, page, owner):
    opened = incident()
    login(page, live_server)  # the browser asks for English
    page.goto(f"{live_server}/admin/account")
    page.locator("#language").select_option("ar")
    submit_of(page, "language").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    publish_update(page, live_server, opened.public_id, TEXT["ar"])
    expect(page.locator(".update", has_text=TEXT["ar"]).first).to_be_visible()
    assert_admin_speaks(app, page, "ar", "rtl")
    expect(page.locator(".flash-info")).to_contain_text(translated(app, "ar", "Update posted."))


# -- axe-core on the admin pages ---------------------------------------------------------------------


@pytest.fixture
def demo_admin(app, app_ctx, live_server, owner):
    """The demo shop with an active incident that has a queued update and an aftercare checklist."""
    active = load_demo()
    lifecycle.post_update(
        active, status="monitoring", body="Parcels move again.", user=None,
        display_at=utcnow() + timedelta(hours=2),
    )  # fmt: skip
    db.session.commit()
    return live_server, active.public_id


def admin_paths(public_id: str) -> list[str]:
    """The admin pages axe checks."""
    return [
        "/admin/",
        f"/admin/incidents/{public_id}",
        f"/admin/incidents/{public_id}/compose",
        "/admin/settings",
        "/admin/users",
        f"/admin/incidents/{public_id}/aftercare",
        f"/admin/incidents/{public_id}/plan",
        "/admin/queue",
        # … and the rest of the admin
        "/admin/incidents/new",
        "/admin/maintenance/new",
        "/admin/components",
        "/admin/webhooks",
        "/admin/tokens",
        "/admin/account",
        "/admin/playbooks",
        "/admin/subscribers",
        "/admin/report",
        "/admin/audit",
    ]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_admin_pages_have_no_axe_violations(demo_admin, browser, lang):
    base, public_id = demo_admin
    context = browser.new_context(  # the site's CSP (rightly) refuses the injected script otherwise
        bypass_csp=True, extra_http_headers={"Accept-Language": lang}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    failures: list[str] = []
    try:
        login(page, base)
        for path in admin_paths(public_id):
            response = page.goto(f"{base}{path}")
            assert response.status == 200, path
            assert page.locator("html").get_attribute("lang") == lang
            failures += axe_violations(page, f"{lang} {path}")
        # A refused form, with its errors beside the fields and in the flash message.
        page.goto(f"{base}/admin/incidents/{public_id}")
        page.locator("#update-body").fill("Still on it.")
        page.locator("#update-next").fill("2001-05-01T10:00")
        submit_of(page, "update-body").click()
        expect(page.locator(".field:has(#update-next) .error")).to_be_visible()
        failures += axe_violations(page, f"{lang} refused update")
    finally:
        context.close()
    assert failures == []


def axe_violations(page: Page, where: str) -> list[str]:
    """Run axe-core on the page; describe each violation in a line."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    assert len(result["passes"]) > 10  # axe really ran
    return [
        f"{where}: {v['id']} ({v['help']}) at " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
    ]
