"""Native in every language: dates, numbers and lists per language; right-to-left isolation; links;
texts per language with visible fallbacks; no English borrowed into another language's message."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from statuspage.extensions import db
from statuspage.models import Incident
from statuspage.models.subscribers import Subscriber
from statuspage.services import ServiceError, bidi, formats, texts
from statuspage.services.delivery import mailer
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.demo import load_demo
from statuspage.services.incidents import lifecycle
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks import language, lint
from statuspage.services.playbooks.check import SAMPLE_SHOP
from statuspage.services.playbooks.composer import Facts, compose
from statuspage.services.playbooks.loader import LANGUAGES, load_directory
from statuspage.services.playbooks.messages import transparency_check
from statuspage.services.shop import saved_shop
from statuspage.services.team.tokens import create_token
from tests.helpers import component, incident

ROOT = "incidents"
WHEN = datetime(2026, 12, 21, 13, 30)  # UTC: 14:30 in Warsaw


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "21 December 2026 at 14:30 CET"),
        ("ru", "21 декабря 2026 в 14:30 CET"),
        ("pl", "21 grudnia 2026, godz. 14:30 CET"),
        ("lv", "21.12.2026. plkst. 14.30 CET"),
        ("ar", "21 ديسمبر 2026، الساعة 14:30 CET"),
    ],
)
def test_a_time_reads_inside_a_sentence_in_each_language(lang, expected):
    assert formats.datetime_text(WHEN, lang, "Europe/Warsaw") == expected


def test_one_zone_style_dates_numbers_lists_and_no_doubled_stops():
    assert formats.datetime_text(WHEN, "en", "Asia/Riyadh").endswith("16:30 UTC+3")
    assert formats.datetime_text(WHEN, "ru", "UTC").endswith("UTC")
    assert "+0" not in formats.datetime_text(WHEN, "ru", "Europe/Warsaw")  # never "+0100"
    assert formats.date_text(date(2026, 12, 23), "en") == "23 December 2026"  # one English style
    assert formats.date_text(date(2026, 12, 23), "lv") == "23.12.2026."
    assert (
        formats.percent_text(99.95, "pl") == "99,95%" and formats.percent_text(100, "en") == "100%"
    )
    assert formats.number_text(1234.5, "pl") == "1\xa0234,5"
    assert formats.list_text(["A", "B", "C"], "pl") == "A, B i C"
    assert formats.list_text(["A", "B"], "ar") == "A وB"
    assert formats.tidy_punctuation("до 21.12.2026.. Далее... Да.") == "до 21.12.2026. Далее... Да."


def test_right_to_left_runs_are_isolated_and_addresses_become_links():
    html = render_markdown(
        "الهاتف: +48 22 123 45 67 والموعد 14:30 CET، https://shop.example/x.", "ar"
    )
    assert '<bdi><a href="tel:+48221234567"' in html and "<bdi>14:30 CET</bdi>" in html
    assert '<a href="https://shop.example/x"' in html and bidi.unisolated_runs(html) == []
    english = render_markdown("Write to help@shop.example or call +48 22 123 45 67.", "en")
    assert '<a href="mailto:help@shop.example"' in english and "<bdi>" not in english
    assert "<script" not in render_markdown("<script>alert(1)</script> +48 22 123 45 67", "ar")
    text = bidi.isolate_text("اتصلوا على +48 22 123 45 67", "ar")
    assert "\u2068+48 22 123 45 67\u2069" in text and bidi.isolate_text(text, "ar") == text
    assert bidi.isolate_text("call +48 22", "en") == "call +48 22"


def test_a_sentence_not_in_the_messages_language_fails_the_check():
    polish = "Teraz wiemy, jak doszło do wycieku: a backup of our customer database was exposed."
    assert language.foreign_parts(polish, "pl")
    assert not language.foreign_parts(
        "Teraz wiemy, jak doszło do wycieku. Napisz: help@x.example", "pl"
    )
    assert language.foreign_parts("Мы знаем причину: a stock error let us sell more", "ru")
    assert not language.foreign_parts("Мы уведомили Safety Business Gateway и DHL.", "ru")
    findings = transparency_check(None, "investigating", "pl", {"what_happened": polish}, True)
    assert [f.ok for f in findings if f.code == "language"] == [False]


def test_composing_for_several_languages_asks_for_each_free_text(app):
    playbook = load_directory(ROOT)[0]["order-error"]
    facts = Facts(title="Order error", components=["Orders"], started_at=WHEN,
                  next_update_at=datetime(2026, 12, 22, 10, 0), link="https://s.example/i/1")  # fmt: skip
    shared = {v.name: v.example for v in playbook.variables}
    composition = compose(playbook, "investigating", ["en", "pl"], shared, facts, SAMPLE_SHOP)
    assert set(composition.errors) == {"error_description.pl", "affected_orders.pl"}
    assert composition.messages == {}
    raw = lint.example_values(playbook)
    done = compose(playbook, "investigating", list(LANGUAGES), raw, facts, SAMPLE_SHOP)
    assert done.errors == {} and "zimowych Alpine" in done.messages["pl"].text


def test_choices_read_as_labels_and_conditions_still_choose(app):
    playbook = load_directory(ROOT)[0]["phishing-impersonation"]
    facts = Facts(title="Fake", components=[], started_at=WHEN,
                  next_update_at=datetime(2026, 12, 22, 10, 0), link="https://s.example/i/1")  # fmt: skip
    raw = lint.example_values(playbook) | {"channel": "social media"}
    message = compose(playbook, "investigating", ["ru"], raw, facts, SAMPLE_SHOP).messages["ru"]
    assert "соцсети" in message.text and "social media" not in message.text


def test_the_language_linter_catches_what_a_reader_would_notice(app):
    playbook = load_directory(ROOT)[0]["phishing-impersonation"]
    found = lint.problems(playbook, "investigating", "ru",
                          "Где встречается: social media. Мы 2026 г.. и , 2026-12-01 14:30 +0100.", ())  # fmt: skip
    kinds = " | ".join(found)
    for what in ("two full stops", "a space before punctuation", "an ISO date",
                 "numeric UTC offset", "choice channel shown as “social media”"):  # fmt: skip
        assert what in kinds


def test_texts_per_language_fall_back_visibly_and_refuse_unknown_languages(app_ctx, client):
    shop = saved_shop()
    shop.languages = "en,pl,ar"
    checkout = component("Checkout")
    made = incident(title="Checkout is slow", components={checkout: "degraded_performance"})
    texts.set_incident_titles(made, {"pl": "Kasa działa wolno"}, user=None)
    texts.set_component_texts(checkout, {"pl": "Kasa"}, {}, user=None)
    with pytest.raises(ServiceError):
        texts.set_incident_titles(made, {"xx": "?"}, user=None)
    db.session.commit()
    polish = client.get(f"/incidents/{made.public_id}?lang=pl").get_data(as_text=True)
    assert "Kasa działa wolno" in polish and "<dd>Kasa</dd>" in polish
    arabic = client.get(f"/incidents/{made.public_id}?lang=ar").get_data(as_text=True)
    assert '<span lang="en" dir="auto">Checkout is slow</span>' in arabic
    assert '<div class="body" lang="en" dir="auto">' in arabic  # the body fell back to English
    feed = client.get("/feed.atom?lang=pl").get_data(as_text=True)
    assert "Kasa działa wolno" in feed and "Status Our shop" in feed
    data = client.get("/api/v2/incidents.json?lang=pl").get_json()
    assert data["incidents"][0]["name"] == "Kasa działa wolno"


def test_pages_use_direction_aware_arrows_and_the_languages_separators(app_ctx, client):
    saved_shop().languages = "en,pl,ar"
    made = incident(title="Slow")
    db.session.commit()
    arabic = client.get(f"/incidents/{made.public_id}?lang=ar").get_data(as_text=True)
    assert '<span aria-hidden="true">→</span> الحالة الحالية' in arabic  # back points right in RTL
    english = client.get(f"/incidents/{made.public_id}?lang=en").get_data(as_text=True)
    assert '<span aria-hidden="true">←</span> Current status' in english
    assert "100.0 %" not in client.get("/?lang=pl").get_data(as_text=True)


def test_the_demo_shop_publishes_in_five_languages(app_ctx):
    active = load_demo()
    db.session.commit()
    assert active.kind == "delivery-delay" and set(active.title_translations) == {
        "pl",
        "ru",
        "lv",
        "ar",
    }
    latest = active.updates[0]
    assert set(latest.translations) == {"pl", "ru", "lv", "ar"}
    assert "<bdi>" in latest.translations["ar"]["html"]
    for lang in ("pl", "ru", "lv", "ar"):
        assert not language.foreign_parts(latest.translations[lang]["body"], lang,
                                          ("Bright Socks", "DHL", "BRIGHTSOCK"))  # fmt: skip
    assert db.session.query(Incident).count() == 2


def test_titles_and_component_names_are_written_per_language_in_the_api_and_admin(
    app_ctx, client, auth, owner
):
    saved_shop().languages = "en,pl"
    checkout = component("Checkout")
    auth.login()
    page = client.post(
        f"/admin/components/{checkout.public_id}/texts",
        data={"name.pl": "Kasa", "description.pl": "Płacenie za zamówienie"},
    )
    assert page.status_code == 302
    db.session.refresh(checkout)
    assert checkout.name_translations == {"pl": "Kasa"}
    _, secret = create_token(owner, "helpdesk")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    made = client.post("/api/v1/incidents", headers=headers,
                       json={"title": "Slow checkout", "body": "We are on it.",
                             "title_translations": {"pl": "Kasa działa wolno"}})  # fmt: skip
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["incident"]["title_translations"] == {"pl": "Kasa działa wolno"}
    wrong = client.post("/api/v1/incidents", headers=headers,
                        json={"title": "x", "body": "y", "title_translations": {"xx": "?"}})  # fmt: skip
    assert wrong.status_code == 422 and db.session.query(Incident).count() == 1


@pytest.mark.parametrize(
    ("lang", "slip", "fine"),
    [
        (
            "pl",
            "Przepraszamy za niepokój, który to Państwu sprawia.",
            "Przepraszamy, że Cię to spotkało.",
        ),
        (
            "pl",
            "Jeśli zamówiłeś albo zostałaś poinformowana …",
            "Właśnie sprawdzamy Twoje zamówienie.",
        ),
        ("lv", "Mēs atvainojamies, ka jums bija jāgaida.", "Jūs varat sekot Jūsu pasūtījumam."),
        ("ru", "Мы благодарим Вас за терпение.", "Вы можете следить за заказом. Спасибо вам."),
        ("ar", "الخطوات المتبقية في صفحة هذا الحادث.", "نعتذر لكم عن هذه المشكلة."),
        ("ar", "يمكنك تتبع طلبك هنا.", "يمكنكم تتبع طلبكم هنا."),
        (
            "en",
            "--- what_you_should_do\nNothing: your order is safe.",
            "--- what_you_should_do\nYou don't need to do anything: your order is safe.",
        ),
        (
            "en",
            "--- who_is_affected\nCustomers who paid on our website.",
            "--- who_is_affected\nThis concerns customers who paid on our website.",
        ),
        (
            "en",
            "--- who_is_affected\n{known:began_at} Orders placed between A and B.",
            "--- who_is_affected\n{known:began_at} It affects orders placed between A and B.",
        ),
    ],
)
def test_one_voice_per_language_is_checked(lang, slip, fine):
    assert lint.voice_problems(slip, lang)
    assert lint.voice_problems(fine, lang) == []


def test_every_shipped_template_keeps_its_languages_voice():
    playbooks, _ = load_directory(ROOT)
    slips = {
        f"{kind}/{stage}.{lang}": found
        for kind, playbook in playbooks.items()
        for (stage, lang), source in playbook.templates.items()
        if (found := lint.voice_problems(source, lang))
    }
    assert slips == {}


def test_an_arabic_plain_text_email_keeps_links_whole(app_ctx):
    shop = saved_shop()
    shop.default_language, shop.languages = "ar", "ar,en"
    body = (
        "نشرنا تقريرًا عن المشكلة. [اقرؤوا التقرير](https://status.shop.example/incidents/abc#pm).\n\n"
        "الرابط المباشر: <https://shop.example/x> أو (https://shop.example/y)."
    )
    made = incident(title="مشكلة", body=body)
    subscriber = Subscriber(email="ar@shop.test", email_hash=email_hash("ar@shop.test"))
    subscriber.language, subscriber.confirmed_at = "ar", made.started_at
    db.session.add(subscriber)
    db.session.commit()
    message = mailer._update_message(subscriber, made.updates[0], "links-ar")
    plain = message.get_body(("plain",)).get_content()
    assert "اقرؤوا التقرير (\u2068https://status.shop.example/incidents/abc#pm\u2069)." in plain
    assert "الرابط المباشر: \u2068https://shop.example/x\u2069 أو" in plain
    assert "(\u2068https://shop.example/y\u2069)." in plain
    assert "](" not in plain and "<https" not in plain
    assert bidi.unisolated_runs(plain, html_input=False) == []
    assert bidi.isolate_text("متجر (Example Shop)", "ar") == "متجر (\u2068Example Shop\u2069)"


def test_the_uptime_bar_names_incidents_in_the_readers_language(app_ctx, client):
    saved_shop().languages = "en,pl,ar"
    checkout = component("Checkout")
    closed = incident(title="Checkout was slow", components={checkout: "degraded_performance"})
    texts.set_incident_titles(closed, {"pl": "Kasa działała wolno"}, user=None)
    db.session.commit()
    lifecycle.resolve(closed, body="Fixed.", user=None)
    db.session.commit()
    incident(title="Checkout is down", components={checkout: "major_outage"})  # open, not stored
    polish = client.get("/?lang=pl").get_data(as_text=True)
    assert "Kasa działała wolno" in polish and "Checkout was slow" not in polish
    assert '<span lang="en" dir="auto">Checkout is down</span>' in polish  # a visible fallback
    assert "Kasa działała wolno i Checkout is down" in polish  # joined as Polish joins a list
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Checkout was slow" in english and "Kasa" not in english
