"""The embeddable banner on a storefront in real Chromium: shown during an incident, gone after it."""

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from statuspage.extensions import db
from statuspage.services.incidents import lifecycle as service
from statuspage.services.shop import saved_shop
from tests.helpers import component, incident

pytestmark = pytest.mark.e2e


@pytest.fixture
def shop_site(live_server):
    """Serve a storefront on another origin (another port) whose page carries the one-line embed."""
    pages = {
        "/": "<!doctype html><html><head><title>Bright Socks</title>"
        f'<script src="{live_server}/embed.js" async></script></head>'
        "<body><h1>Bright Socks</h1><button id='buy'>Buy socks</button></body></html>",
        "/broken": f'<!doctype html><script src="{live_server}/embed.js" async></script>'
        "<h1>Shop</h1><script>document.title = 'still running'</script>",
    }

    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [pages.get(environ["PATH_INFO"], "").encode()]

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def storefront(browser, shop_site, locale="en-US", path="/"):
    """Open the storefront in a fresh browser context; collect the page's script errors."""
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(shop_site + path)
    return page, errors


def test_banner_appears_during_an_incident_and_disappears_after_it(
    app, app_ctx, shop_site, browser
):
    page, errors = storefront(browser, shop_site)
    expect(page.get_by_role("heading", name="Bright Socks")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-candor-banner]")).to_have_count(0)  # nothing wrong, nothing shown
    page.context.close()

    opened = incident(
        title="Card payments fail at checkout", components={component(): "major_outage"}
    )
    page, errors = storefront(browser, shop_site)
    banner = page.get_by_role("status")
    expect(banner).to_contain_text("Card payments fail at checkout")
    expect(banner).to_contain_text("Investigating")
    details = banner.get_by_role("link", name="Details")
    expect(details).to_have_attribute("href", f"http://status.test/incidents/{opened.public_id}")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("[data-candor-banner]")).to_have_count(0)
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-candor-banner]")).to_have_count(0)  # dismissed stays dismissed
    assert errors == []
    page.context.close()

    service.resolve(opened, body="Card payments work again.", user=None)
    db.session.commit()
    page, errors = storefront(browser, shop_site)
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-candor-banner]")).to_have_count(0)
    expect(page.get_by_role("button", name="Buy socks")).to_be_visible()
    assert errors == []
    page.context.close()


def test_banner_speaks_the_visitors_language(app, app_ctx, shop_site, browser):
    saved_shop().languages = "en,pl"
    incident(title="Opóźnione dostawy", translations={"pl": "Kurier ma opóźnienia."})
    page, errors = storefront(browser, shop_site, locale="pl-PL")
    banner = page.get_by_role("status")
    expect(banner).to_contain_text("Badamy przyczynę")
    expect(banner).to_contain_text("Kurier ma opóźnienia.")
    expect(banner.get_by_role("link", name="Szczegóły")).to_be_visible()
    assert errors == []
    page.context.close()


def test_unreachable_candor_never_breaks_the_host_page(app, app_ctx, shop_site, browser):
    incident(title="Something is wrong")
    context = browser.new_context()
    context.route("**/embed.json*", lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(shop_site + "/broken")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Shop")).to_be_visible()
    expect(page).to_have_title("still running")
    expect(page.locator("[data-candor-banner]")).to_have_count(0)
    assert errors == []
    context.close()
