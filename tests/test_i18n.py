"""The public pages in the customers' languages: choice, fallback, right-to-left, complete catalogs."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from statuspage.extensions import db
from statuspage.services.incidents import lifecycle as service
from tests.helpers import incident, languages

ROOT = Path(__file__).resolve().parent.parent


def test_arabic_browser_gets_right_to_left_arabic(app_ctx, client):
    languages("en,ru,pl,lv,ar")
    page = client.get("/", headers={"Accept-Language": "ar,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert "جميع الأنظمة تعمل بشكل طبيعي" in page
    response = client.get("/", headers={"Accept-Language": "ar"})
    assert "Accept-Language" in response.headers["Vary"]


def test_switch_by_link_is_remembered_in_a_cookie(app_ctx, client):
    languages("en,ru,pl,lv,ar")
    response = client.get("/?lang=pl")
    assert "Wszystko działa normalnie" in response.get_data(as_text=True)
    assert "lang=pl" in response.headers["Set-Cookie"]
    assert '<html lang="pl"' in client.get("/history").get_data(as_text=True)


def test_only_enabled_languages_are_offered(app_ctx, client):
    languages("en,pl")
    page = client.get("/?lang=ru").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert 'hreflang="pl"' in page and 'hreflang="ru"' not in page
    assert ">Polski<" in page and "Русский" not in page


def test_update_text_in_the_readers_language_with_fallback(app_ctx, client):
    languages("en,ru,pl,lv,ar")
    opened = incident(body="Parcels are late.", translations={"pl": "Paczki się spóźniają."})
    service.post_update(opened, status="identified", body="Found the cause.", user=None)
    db.session.commit()
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert (
        "Paczki się spóźniają." in polish and "Found the cause." in polish
    )  # no Polish text: default
    assert "Parcels are late." in client.get(f"/incidents/{opened.public_id}?lang=en").get_data(
        as_text=True
    )


def test_the_admin_speaks_the_browsers_language_whatever_the_shop_publishes_in(client, auth):
    languages("en")
    auth.login()
    page = client.get("/admin/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ru"' in page
    page = client.get("/admin/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    client.post("/admin/account/language", data={"language": "pl"})
    page = client.get("/admin/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="pl" dir="ltr"' in page


def test_every_message_is_translated_in_every_language(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_l",
         "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    assert len(wanted) > 50
    for lang in ("ru", "pl", "lv", "ar"):
        with (ROOT / f"statuspage/translations/{lang}/LC_MESSAGES/messages.po").open("rb") as f:
            done = {m.id for m in read_po(f) if m.id and m.string}
        assert wanted - done == set(), f"{lang} lacks translations"


def test_switching_language_keeps_the_other_query_arguments(app, app_ctx, client):
    languages("en,pl")
    app.config["HISTORY_PAGE_SIZE"] = 1
    for n in range(2):
        service.resolve(incident(title=f"Incident {n}"), body="Done.", user=None)
    db.session.commit()
    page = client.get("/history?page=2&tag=a&tag=b&_external=1&endpoint=x").get_data(as_text=True)
    # The arguments the page reads (page), not the ones it ignores: a public page's bytes depend only
    # on what it reads, so ?utm_source=… shares its cached copy (render_cache).
    assert 'href="/history?page=2&amp;lang=pl" hreflang="pl"' in page
    assert 'href="/history?page=2&amp;lang=en" hreflang="en"' in page
    assert "tag=" not in page
    # url_for's own options are not taken from the URL (no absolute or javascript: links).
    assert "http://" not in page.split('class="languages"')[1].split("</ul>")[0]


def test_a_language_link_cannot_change_the_route_argument(app_ctx, client):
    languages("en,pl")
    opened = incident()
    page = client.get(f"/incidents/{opened.public_id}?public_id=other").get_data(as_text=True)
    assert f'href="/incidents/{opened.public_id}?lang=pl"' in page
