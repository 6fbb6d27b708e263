"""An agent opens a data-breach incident from the playbook in English and Polish, in a real browser."""

import pytest
from playwright.sync_api import expect

from statuspage.extensions import db
from statuspage.services.shop import saved_shop
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_open_data_breach_from_playbook_with_previews(app, live_server, page, owner):
    shop = saved_shop()
    shop.languages, shop.contact_email = "en,pl", "help@shop.test"
    db.session.commit()

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Playbooks").first.click()
    page.locator("a[href$='/playbooks/data-breach/open']").click()
    expect(page.get_by_text("within 72 hours of becoming aware").first).to_be_visible()

    page.locator("#var-data_types").fill("name and e-mail address")
    page.locator("#var-affected_customers").fill("customers who ordered in March")
    # No silent English: the free texts have their own Polish fields, open in the form.
    page.locator("#var-data_types-pl").fill("imię i adres e-mail")
    page.locator("#var-affected_customers-pl").fill("klienci, którzy zamawiali w marcu")
    page.locator("#var-dpo_contact").fill("privacy@shop.test")
    for leaked, answer in (("passwords", "no"), ("cards", "no"), ("documents", "no"),
                           ("contact", "yes"), ("orders", "yes")):  # fmt: skip
        page.locator(f"#var-{leaked}_exposed").select_option(answer)
    page.get_by_role("button", name="Compose the messages").click()

    polish = page.locator("section.language[data-lang=pl]")
    expect(polish.locator(".preview")).to_contain_text("privacy@shop.test")
    expect(page.locator("section.language[data-lang=en] .findings .fail")).to_have_count(0)

    # The live preview follows the agent's edits.
    polish.locator("textarea[data-section=what_happened]").fill("Przepraszamy. **Wyciek danych.**")
    expect(polish.locator(".preview strong")).to_have_text("Wyciek danych.")
    # The check speaks beside the section being typed, not below the whole message.
    polish.locator("textarea[data-section=who_is_affected]").fill("")
    beside = polish.locator(".findings-section[data-for=who_is_affected] .fail")
    expect(beside).to_have_count(1)
    expect(polish.locator(".findings-section[data-for=what_happened] .fail")).to_have_count(0)
    polish.locator("textarea[data-section=who_is_affected]").fill("Dotyczy to klientów z marca.")
    expect(beside).to_have_count(0)

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_text("Published.")).to_be_visible()

    page.goto(live_server)
    expect(page.locator(".incident-card")).to_contain_text("privacy@shop.test")
