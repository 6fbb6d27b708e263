"""Everything shown is translatable, in the browser: the team writes an incident's title and its
postmortem in Polish through the admin forms (CSRF on), and a Polish reader sees them."""

import pytest
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.services.aftercare import postmortem
from statuspage.services.incidents import lifecycle as service
from tests.e2e.admin_session import login
from tests.helpers import incident, languages

pytestmark = pytest.mark.e2e
POLISH = "# Co się stało\n\nCentrum sortowania było przeciążone, a paczki czekały dzień dłużej."


def test_the_team_writes_a_title_and_a_postmortem_in_polish(app, live_server, page, owner):
    app.config["WTF_CSRF_ENABLED"] = True
    languages("en,pl")
    opened = incident(title="Parcels arrive late", kind="delivery-delay", impact="minor")
    service.resolve(opened, body="All parcels delivered.", user=None, confirm_open_items=True)
    postmortem.save(opened, "# What happened\n\nThe hub was overloaded.", user=None)
    db.session.commit()
    login(page, live_server)
    page.goto(f"{live_server}/admin/incidents/{opened.public_id}")
    page.locator("#titles summary").click()
    page.locator("#title-pl").fill("Paczki docierają z opóźnieniem")
    page.locator("#titles button[type=submit]").click()
    expect(page.locator("#title-pl")).to_have_value("Paczki docierają z opóźnieniem")

    page.goto(f"{live_server}/admin/incidents/{opened.public_id}/aftercare")
    polish = page.locator("#postmortem-pl")
    polish.locator("summary").click()
    expect(polish.locator("textarea")).to_contain_text("## Podsumowanie")  # the Polish template
    polish.locator("textarea").fill(POLISH + "\n\n[[Opisz przyczynę.]]")
    polish.get_by_role("button", name="Preview").click()
    expect(page.locator("#postmortem-pl .preview")).to_contain_text("Centrum sortowania")
    page.locator("#postmortem-pl").get_by_role("button", name="Save").click()
    expect(page.locator("#postmortem-pl summary")).to_contain_text("translation saved")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash, [role=alert], .error").first).to_contain_text(
        "[[Opisz przyczynę.]]"
    )
    polish = page.locator("#postmortem-pl")
    polish.locator("summary").click()
    polish.locator("textarea").fill(POLISH)
    polish.get_by_role("button", name="Save").click()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Postmortem published.")).to_be_visible()

    page.goto(f"{live_server}/incidents/{opened.public_id}?lang=pl")
    expect(page.locator("h1")).to_have_text("Paczki docierają z opóźnieniem")
    expect(page.locator("#postmortem .body")).to_contain_text("Centrum sortowania")
    assert page.locator("#postmortem .body").get_attribute("lang") is None
