"""Feeds in sight: every public page shows its RSS/Atom links in the reader's language (keeping ?lang=);
"Get updates by e-mail" shows only when e-mail can be sent."""

from __future__ import annotations

from statuspage.extensions import db
from statuspage.services.shop import saved_shop
from tests.helpers import incident


def _body(page: str) -> str:
    """Return what a reader sees: the page without its <head>."""
    return page.split("</head>", 1)[1]


def test_every_public_page_shows_the_feeds_in_the_readers_language(app_ctx, client, inbox):
    saved_shop().languages = "en,pl"
    db.session.commit()
    opened = incident()
    for url in ("/", "/history", f"/incidents/{opened.public_id}", "/subscribe"):
        body = _body(client.get(url, query_string={"lang": "pl"}).get_data(as_text=True))
        assert 'href="/history.rss?lang=pl" type="application/rss+xml">Kanał RSS</a>' in body, url
        assert 'href="/history.atom?lang=pl" type="application/atom+xml">Kanał Atom</a>' in body, (
            url
        )
        assert 'href="/history.rss"' not in body, url  # no link that drops the language
    page = _body(client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True))
    assert f'href="/incidents/{opened.public_id}/feed.atom?lang=pl"' in page
    assert 'href="/subscribe">Powiadomienia e-mail</a>' in page


def test_the_e_mail_link_shows_only_when_e_mail_is_set_up(app_ctx, client):
    opened = incident()
    for url in ("/", f"/incidents/{opened.public_id}"):
        page = client.get(url).get_data(as_text=True)
        assert "Get updates by e-mail" not in page and "/subscribe" not in page, url
        assert 'href="/history.rss?lang=en"' in _body(page)
