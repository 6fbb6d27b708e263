"""Done when: a playbook incident read in Polish, Latvian and Arabic — page, feed and e-mail — has no
English outside brand names and addresses, dates in each language's own form, the same status words
everywhere, Arabic phone numbers and times in the right order, and fits a 360 px phone screen. The
same for a resolved one with its postmortem and checklist, written in each language in the admin."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest

from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from statuspage.models.subscribers import Subscriber
from statuspage.services import formats
from statuspage.services.aftercare import postmortem
from statuspage.services.delivery import mailer
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.demo import OWN_ITEM, POSTMORTEM, load_demo
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


def _entry(root, incident):
    """Return the newest feed entry of an incident."""
    return next(
        e for e in root.findall(f"{ATOM}entry")
        if incident.public_id in e.find(f"{ATOM}link").get("href")
    )  # fmt: skip


def _mail(lang: str, update, key: str):
    """Render the e-mail a subscriber reading `lang` gets for an update."""
    subscriber = db.session.query(Subscriber).filter_by(email=f"{lang}@shop.test").first()
    if subscriber is None:
        subscriber = Subscriber(
            email=f"{lang}@shop.test", email_hash=email_hash(f"{lang}@shop.test")
        )
        subscriber.language, subscriber.confirmed_at = lang, utcnow() - timedelta(days=1)
        db.session.add(subscriber)
        db.session.commit()
    return mailer._update_message(subscriber, update, key)


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
        entry = _entry(root, incident)
        assert entry.find(f"{ATOM}title").text.startswith(f"[{word[lang]}] ")
        assert foreign_parts(root.find(f"{ATOM}title").text, lang, BRANDS) == []
        assert foreign_parts(entry.find(f"{ATOM}title").text, lang, BRANDS) == []
        # The e-mail: subject and body in the language, the same status word.
        message = _mail(lang, latest, f"native-{lang}")
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
    plain = _mail("ar", latest, "native-ar-2").get_body(("plain",))
    assert "\u2068+48 22 123 45 67\u2069" in plain.get_content()


def test_a_postmortem_and_checklist_read_natively(shop_site, page, client):
    base, _ = shop_site
    closed = db.session.query(Incident).filter_by(kind="payment-failure").one()
    announced, report = closed.updates[0], postmortem.get(closed)
    assert announced.status == "postmortem"
    for lang in LANGS:
        word = label("postmortem", lang)
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"{base}/incidents/{closed.public_id}?lang={lang}")
        text = page.locator("main").inner_text()
        assert foreign_parts(text, lang, BRANDS) == [], lang
        assert not any(month in text for month in MONTHS_EN), lang
        published = formats.datetime_text(report.published_at, lang, "Europe/Warsaw", short=True)
        assert published in text.replace("\u2068", "").replace("\u2069", ""), lang
        heading = POSTMORTEM[lang].split("\n")[0].lstrip("# ")
        written = page.locator("#postmortem .body")
        assert heading in written.inner_text() and written.get_attribute("lang") is None, lang
        assert OWN_ITEM[lang] in text and page.locator("ul.make-it-right [lang]").count() == 0
        assert word in page.locator(".facts").inner_text(), lang  # the status, as in feed and mail
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, lang
        entry = _entry(ElementTree.fromstring(client.get(f"/feed.atom?lang={lang}").data), closed)
        assert entry.find(f"{ATOM}title").text.startswith(f"[{word}] ")
        assert foreign_parts(entry.find(f"{ATOM}title").text, lang, BRANDS) == []
        message = _mail(lang, announced, f"postmortem-{lang}")
        assert str(message["Subject"]).endswith(word)
        plain = message.get_body(("plain",)).get_content().split("\n--\n")[0]
        assert foreign_parts(plain, lang, BRANDS) == [], lang
    # Arabic: the phone number in the postmortem keeps its left-to-right order.
    page.goto(f"{base}/incidents/{closed.public_id}?lang=ar")
    assert page.locator("#postmortem .body bdi", has_text="+48 22 123 45 67").count() == 1
    assert _order_is_left_to_right(page, "+48 22 123 45 67") is True
