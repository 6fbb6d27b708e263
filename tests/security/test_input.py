"""Hostile input: oversized and malformed bodies, SQL-ish and path-traversal ids — a 4xx, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident
from tests.security.conftest import login, routes

JUNK_IDS = [
    "' OR 1=1 --",
    "1; DROP TABLE incident; --",
    '" OR ""="',
    "1 UNION SELECT password_hash FROM user",
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "....//....//etc/passwd",
    "..\\..\\windows\\win.ini",
    "%252e%252e%252f",
    "x" * 3000,
    "<script>alert(1)</script>",
    "{{7*7}}",
    "$(id)",
    "ä😀\u202e",
    "-1",
    "99999999999999999999999999",
    "NaN",
    "null",
    "%00",
    "%ff%fe",
]
LEAKS = (
    "root:x:0:0",
    "[fonts]",
    "Traceback",
    "OperationalError",
    "syntax error",
    "sqlite3",
    "psycopg",
)


def _count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def _paths(rule, junk: str) -> list[str]:
    """Put the junk into every argument of a rule (numbers stay numeric where they must be)."""
    path = rule.rule
    for arg in rule.arguments:
        path = path.replace(f"<int:{arg}>", "99999").replace(f"<{arg}>", junk)
    return [path]


@pytest.mark.parametrize("who", ["anonymous", "owner", "token"])
def test_junk_ids_answer_4xx_and_leak_nothing(app, client, world, who):
    headers = {}
    if who == "owner":
        login(client)
    if who == "token":
        headers = {"Authorization": f"Bearer {world.editor_secret}"}
    before = (_count(Incident), _count(AuditEntry))
    prefix = {"anonymous": "/", "owner": "/admin", "token": "/api/v1/"}[who]
    for rule, method in routes(app, prefix):
        if not rule.arguments or rule.endpoint == "static":
            continue
        for junk in JUNK_IDS:
            for path in _paths(rule, junk):
                response = client.open(path, method=method, headers=headers, json={})
                text = response.get_data(as_text=True)
                assert response.status_code < 500, (who, method, path[:80], response.status_code)
                assert not any(leak in text for leak in LEAKS), (who, path[:80])
                if method == "GET" and (who == "owner" or not path.startswith("/admin")):
                    assert response.status_code in (400, 401, 404), (who, path[:80])
    assert (_count(Incident), _count(AuditEntry)) == before


@pytest.mark.parametrize(
    "path",
    [
        "/static/../statuspage/config.py",
        "/static/..%2fstatuspage%2fconfig.py",
        "/static/%2e%2e/%2e%2e/wsgi.py",
        "/static/....//config.py",
        "/static/%2e%2e%5c%2e%2e%5cwsgi.py",
        "/static//etc/passwd",
        "/static/..%252f..%252fwsgi.py",
        "/incidents/..%2f..%2finstance%2fsecret_key",
    ],
)
def test_no_path_leaves_the_static_folder(client, path):
    with client.get(path, follow_redirects=True) as response:
        assert response.status_code in (400, 404), path
        assert all(r.request.path.startswith(("/static/", "/incidents/")) for r in response.history)
        text = response.get_data(as_text=True)
    assert "SECRET_KEY" not in text and "root:x:0:0" not in text and "create_app" not in text


def test_oversized_bodies_are_refused_with_413(app, client, world):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    big = "x" * 60_000
    assert client.post("/login", data={"email": big, "password": "x"}).status_code == 413
    login(client)
    assert client.post("/admin/incidents/new", data={"title": "t", "body": big}).status_code == 413
    api = client.post(
        "/api/v1/incidents",
        headers={"Authorization": f"Bearer {world.editor_secret}"},
        data=f'{{"title": "{big}"}}',
        content_type="application/json",
    )
    assert api.status_code == 413 and api.json["error"]["status"] == 413


def test_too_many_form_fields_are_refused(client, world):
    fields = "&".join(f"f{i}=x" for i in range(5000))
    response = client.post("/login", data=fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413)


def test_long_fields_are_refused_with_a_message(app, client, world):
    login(client)
    before = _count(Incident)
    too_long = "x" * (app.config["MAX_UPDATE_LENGTH"] + 1)
    for data in (
        {"title": "t" * 500, "body": "b", "status": "investigating", "impact": "minor"},
        {"title": "t", "body": too_long, "status": "investigating", "impact": "minor"},
    ):
        response = client.post("/admin/incidents/new", data=data)
        assert response.status_code == 400
    assert _count(Incident) == before


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\xfd",
        b'{"title": "\xff"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"title": "a", "title": "b"}',
        b'{"title": "\\u0000", "body": "x", "impact": "minor", "status": "investigating"}',
        b'{"title": "\\ud800", "body": "x"}',
        b'{"title": 1e999999}',
        b"null",
        b"[]",
        b'"just a string"',
        b'{"components": {"\\u0000": "major_outage"}}',
        b'{"display_at": "2026-13-45T99:99:99+25:00"}',
    ],
)
def test_malformed_json_gets_a_clear_4xx(client, world, body):
    before = _count(Incident)
    response = client.post(
        "/api/v1/incidents",
        headers={"Authorization": f"Bearer {world.editor_secret}"},
        data=body,
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500, (body[:40], response.status_code)
    assert response.json["error"]["message"]
    assert _count(Incident) == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"title=%ff%fe&body=%c3%28"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
        ("multipart/form-data", b"no boundary at all"),
        ("application/json", b'{"title": "t"}'),
        ("text/plain", b"\x00\x01\x02"),
    ],
)
def test_malformed_form_bodies_never_break_the_admin(client, world, content_type, body):
    login(client)
    before = _count(Incident)
    for path in ("/admin/incidents/new", "/admin/components", "/login", "/admin/preview"):
        response = client.post(path, data=body, content_type=content_type)
        assert response.status_code < 500, (path, content_type)
    assert _count(Incident) == before
