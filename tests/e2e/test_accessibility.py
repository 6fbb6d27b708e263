"""WCAG 2.2 AA on every public page in every language: axe-core in real headless Chromium, zero violations."""

from pathlib import Path

import pytest

from statuspage.extensions import db
from statuspage.models import Incident
from statuspage.services.demo import load_demo
from statuspage.services.incidents import lifecycle as service
from statuspage.services.shop import saved_shop

pytestmark = pytest.mark.e2e
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "ru", "pl", "lv", "ar")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def demo_site(app, app_ctx, live_server):
    """A demo shop with every language enabled, an active and a resolved incident (with its
    postmortem and checklist, written in every language)."""
    active = load_demo()
    shop = saved_shop()
    shop.languages = ",".join(LANGUAGES)
    service.post_update(active, status="monitoring", body="Parcels move again.", user=None,
                        translations={"ar": "الطرود تتحرك مجددًا.", "pl": "Paczki znów jadą."})  # fmt: skip
    db.session.commit()
    return live_server, active.public_id


@pytest.fixture
def axe_page(browser):
    """A page that may inject axe-core: the site's CSP (rightly) refuses inline scripts."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_public_pages_have_no_axe_violations(demo_site, axe_page, scheme):
    base, public_id = demo_site
    closed = db.session.query(Incident).filter_by(kind="payment-failure").one().public_id
    page = axe_page
    page.emulate_media(color_scheme=scheme)
    failures = []
    for lang in LANGUAGES:
        for path in ("/", f"/incidents/{public_id}", f"/incidents/{closed}", "/history"):
            page.goto(f"{base}{path}?lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
            )
            assert len(result["passes"]) > 10  # axe really ran
            for violation in result["violations"]:
                nodes = "; ".join(n["target"][0] for n in violation["nodes"][:3])
                failures.append(
                    f"{lang} {path}: {violation['id']} ({violation['help']}) at {nodes}"
                )
    assert failures == []


def test_arabic_reader_sees_rtl_and_switches_to_polish(demo_site, browser):
    base, _ = demo_site
    context = browser.new_context(locale="ar", extra_http_headers={"Accept-Language": "ar"})
    page = context.new_page()
    page.goto(base)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "جميع" in page.content() or "اضطراب" in page.content()
    page.get_by_role("link", name="Polski").click()
    assert page.locator("html").get_attribute("lang") == "pl"
    page.goto(f"{base}/history")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "pl"
    context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_public_pages_reflow_at_320_css_pixels(demo_site, browser, lang):
    """WCAG 1.4.10: no sideways scrolling at 320 px, with the 90-day bars in a grouped component."""
    base, public_id = demo_site
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    overflowing = []
    for path in ("/", f"/incidents/{public_id}", "/history"):
        page.goto(f"{base}{path}?lang={lang}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            overflowing.append(f"{path}: {width}px")
    assert page.goto(f"{base}/?lang={lang}") and page.locator(".children .days").count() > 0
    context.close()
    assert overflowing == []


@pytest.mark.parametrize(
    ("scheme", "ring"),
    [("light", "rgb(36, 87, 166)"), ("dark", "rgb(232, 235, 241)")],  # brand 6.6:1; --fg 15:1
)
def test_focus_ring_keeps_3_to_1_in_both_schemes(demo_site, browser, scheme, ring):
    """WCAG 1.4.11: the dark brand colour is too faint on the dark ground, so dark mode rings in --fg."""
    base, _ = demo_site
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{base}/?lang=en")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    style = page.evaluate(
        "(({outlineStyle, outlineWidth, outlineColor}) => [outlineStyle, outlineWidth, outlineColor])"
        "(getComputedStyle(document.activeElement))"
    )
    context.close()
    assert style == ["solid", "3px", ring]  # a link's default outline colour is its text colour
