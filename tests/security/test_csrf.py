"""CSRF: every form posted without its token, or with a wrong one, is refused with 400 and changes nothing."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import AuditEntry
from tests.conftest import PASSWORD
from tests.security.conftest import ALERTS_PREFIX, API_PREFIX, candidates, routes, sample_path

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(client, path="/login") -> str:
    """Read a CSRF token from a page's form."""
    return _TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def _login(client) -> None:
    """Log in with the token from the login form."""
    data = {"email": "owner@shop.test", "password": PASSWORD, "csrf_token": _token(client)}
    assert client.post("/login", data=data).status_code == 302


def _audit() -> int:
    """Count the audit log's entries (every change writes one)."""
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_every_form_refuses_a_missing_or_wrong_token(csrf_app, client, world):
    _login(client)
    # Correctly signed, but made for another session.
    stolen = URLSafeTimedSerializer(csrf_app.secret_key, salt="wtf-csrf-token").dumps("f" * 40)
    before, checked = _audit(), 0
    for rule, method in routes(csrf_app):
        if method != "POST" or rule.rule.startswith((API_PREFIX, ALERTS_PREFIX)):
            continue
        path = sample_path(rule, world)
        data = {"title": "x", "body": "x", "name": "x", "confirm": "y", "email": "a@b.cd"}
        for token in (None, "", "forged", stolen):
            sent = data if token is None else {**data, "csrf_token": token}
            response = client.post(path, data=sent)
            assert response.status_code == 400, (rule.rule, token, response.status_code)
            assert "form expired" in response.get_data(as_text=True), rule.rule
        checked += 1
    assert checked > 25
    assert _audit() == before
    assert client.get("/admin/").status_code == 200  # still logged in


def test_every_post_form_on_every_page_carries_a_token(csrf_app, client, world):
    _login(client)
    forms = 0
    for rule, method in routes(csrf_app):
        if method != "GET" or rule.rule.startswith(("/api", "/static")):
            continue
        for path in candidates(rule, world):
            page = client.get(path)
            if page.mimetype != "text/html":  # feeds, JSON, images (/favicon.ico)
                continue
            html = page.get_data(as_text=True)
            for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
                if re.search(r'method="?post', form, flags=re.I):
                    assert 'name="csrf_token"' in form, (path, form[:200])
                    forms += 1
    assert forms > 20


def test_logout_needs_a_token(csrf_app, client, world):
    _login(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/admin/").status_code == 200
    assert client.post("/logout", data={"csrf_token": _token(client, "/admin/")}).status_code == 302
