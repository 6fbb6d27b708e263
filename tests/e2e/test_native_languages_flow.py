"""Done when: a playbook incident read in Polish, Latvian and Arabic — page, feed and e-mail — has no
English outside brand names and addresses, dates in each language's own form, the same status words
everywhere, Arabic phone numbers and times in the right order, and fits a 360 px phone screen."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.models.subscribers import Subscriber
from statuspage.services import formats
from statuspage.services.delivery import mailer
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.demo import load_demo
from statuspage.services.playbooks.language import foreign_parts
from statuspage.vocabulary import label

pytestmark = pytest.mark.e2e
LANGS = ("pl", "lv", "ar")
BRANDS = ("Bright Socks", "DHL", "BRIGHTSOCK", "Candor", "RSS", "Atom", "JavaScript")
MONTHS_EN = ("January", "February", "March", "April", "June", "July", "August", "September",
             "October", "November", "December")  # fmt: skip
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def shop_site(app, app_ctx, live_server):
    """The demo shop (five languages, playbook incidents) served on 127.0.0.1."""
    active = load_demo()
    db.session.commit()
    return live_server, active


def _order_is_left_to_right(page, text: str) -> bool:
    """Tell whether the first character of `text` on the page is drawn left of its last one."""
    return page.evaluate(
        """text => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode, at = node.data.indexOf(text);
                if (at < 0) continue;
                const first = document.createRange(), last = document.createRange();
                first.setStart(node, at); first.setEnd(node, at + 1);
                last.setStart(node, at + text.length - 1); last.setEnd(node, at + text.length);
                return first.getBoundingClientRect().left < last.getBoundingClientRect().left;
            }
            return null;
        }""",
        text,
    )


def test_polish_latvian_and_arabic_read_natively(shop_site, page, client, tmp_path):
    base, incident = shop_site
    latest = incident.updates[0]
    word = {lang: label(latest.status, lang) for lang in LANGS}
    for lang in LANGS:
        # The page: no English, the language's own dates, its status word, fits on a phone.
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"{base}/incidents/{incident.public_id}?lang={lang}")
        text = page.locator("main").inner_text()
        assert foreign_parts(text, lang, BRANDS) == [], lang
        assert word[lang] in text
        promised = formats.datetime_text(latest.next_update_at, lang, "Europe/Warsaw", short=True)
        shown = page.locator("body").inner_text().replace("\u2068", "").replace("\u2069", "")
        assert promised in shown  # isolates (Arabic) aside, exactly the language's own form
        assert not any(month in text for month in MONTHS_EN), lang
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, lang
        for width in (360, 1280):
            for scheme in ("light", "dark"):
                page.set_viewport_size({"width": width, "height": 900})
                page.emulate_media(color_scheme=scheme)
                page.screenshot(path=str(tmp_path / f"incident-{lang}-{width}-{scheme}.png"))
        # The feed: the same words, the entry title in the language.
        feed = client.get(f"/feed.atom?lang={lang}")
        root = ElementTree.fromstring(feed.data)
        entry = root.find(f"{ATOM}entry")
        assert entry.find(f"{ATOM}title").text.startswith(f"[{word[lang]}] ")
        assert foreign_parts(root.find(f"{ATOM}title").text, lang, BRANDS) == []
        assert foreign_parts(entry.find(f"{ATOM}title").text, lang, BRANDS) == []
        # The e-mail: subject and body in the language, the same status word.
        subscriber = Subscriber(
            email=f"{lang}@shop.test", email_hash=email_hash(f"{lang}@shop.test")
        )
        subscriber.language, subscriber.confirmed_at = lang, utcnow() - timedelta(days=1)
        db.session.add(subscriber)
        db.session.commit()
        message = mailer._update_message(subscriber, latest, f"native-{lang}")
        plain = message.get_body(("plain",)).get_content()
        assert str(message["Subject"]).endswith(word[lang])
        assert foreign_parts(plain.split("\n--\n")[0], lang, BRANDS) == [], lang
    # Arabic: the phone number and the times keep their left-to-right order inside the RTL text.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{base}/incidents/{incident.public_id}?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert _order_is_left_to_right(page, "+48 22 123 45 67") is True
    assert _order_is_left_to_right(page, "CET") is True
    clock = page.locator(".body bdi", has_text="CET").first.inner_text()
    assert clock[0].isdigit() and clock.endswith("CET")  # "14:30 CET", not "CET 14:30" or "0100+"
    plain = mailer._update_message(subscriber, latest, "native-ar-2").get_body(("plain",))
    assert "\u2068+48 22 123 45 67\u2069" in plain.get_content()
