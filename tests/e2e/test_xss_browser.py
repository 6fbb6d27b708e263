"""Nothing executes: the security suite's hostile shop in headless Chromium opens no dialog, breaks no CSP rule."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.security.test_xss import hostile  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || e.sample)));
"""


def test_hostile_text_runs_nothing_in_a_real_browser(browser, live_server, hostile):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(WATCH)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    public = ["/", "/history"] + [
        f"/incidents/{i.public_id}" for i in hostile.incidents[:3] + [hostile.resolved]
    ]
    admin = ["/admin/", f"/admin/incidents/{hostile.incident.public_id}", "/admin/components",
             "/admin/audit", "/admin/tokens", "/admin/settings", "/admin/account",
             f"/admin/incidents/{hostile.resolved.public_id}/aftercare"]  # fmt: skip
    for path in public:
        _visit(page, live_server + path)
    page.goto(f"{live_server}/login")
    page.fill("#email", "owner@shop.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/admin/")
    for path in admin:
        _visit(page, live_server + path)
    context.close()
    assert dialogs == []


def _visit(page, url: str) -> None:
    """Open a page, hover everything (mouse handlers), and check that nothing was blocked."""
    response = page.goto(url)
    assert response.status < 400, url
    page.mouse.move(5, 5)
    for link in page.locator("main a").all()[:40]:
        link.hover(timeout=2_000, force=True)
    assert page.evaluate("window.__violations") == [], url
