"""Hostile text through every field that is shown anywhere: nothing in any output can run."""

from __future__ import annotations

import json
import smtplib
import xml.etree.ElementTree as ET
from datetime import timedelta
from types import SimpleNamespace

import pytest

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.aftercare import checklist, postmortem
from statuspage.services.components import create_component
from statuspage.services.incidents.lifecycle import open_incident, open_maintenance, resolve
from statuspage.services.shop import get_shop, update_settings
from statuspage.services.team.tokens import create_token
from statuspage.services.team.users import create_user
from tests.security.conftest import CORPUS, candidates, login, routes, title_chunks, unsafe_markup

BODY = "\n\n".join(CORPUS)
HOSTILE_QUERY = {
    "lang": "<script>alert(1)</script>",
    "label": '"><svg onload=alert(1)>',
    "page": "2",
}


@pytest.fixture
def hostile(app, owner):
    """A shop where every field a person can type holds the hostile corpus."""
    chunks = title_chunks()
    update_settings(
        {
            "name": chunks[0][:120], "url": "https://shop.example/", "logo_url": "",
            "timezone": "Europe/Riga", "brand_color": "#2457a6",
            "contact_email": "help@shop.example", "contact_phone": "+48 22 123 45 67",
            "contact_chat_url": 'https://chat.example/"><script>alert(1)</script>',
            "contact_social": "javascript:alert(1)\nhttps://x.example/<script>\n" + chunks[1],
            "contact_address": BODY, "default_language": "en", "languages": ["en", "pl", "ar"],
        },
        user=owner,
    )  # fmt: skip
    # The settings form now refuses these; rows saved before it (or by hand) must still be shown as text.
    shop = get_shop()
    shop.contact_email = '"><script>alert(1)</script>@shop.example'
    shop.contact_phone, shop.contact_hotline = "<img src=x onerror=alert(1)>", "javascript:alert(1)"
    group = create_component(name=chunks[2][:120], is_group=True, user=None, description=BODY)
    component = create_component(name=chunks[3][:120], group=group, user=None, description=BODY)
    db.session.flush()
    opened = [
        open_incident(
            title=chunk,
            impact="major",
            status="investigating",
            body=BODY,
            user=owner,
            component_statuses={component: "major_outage"},
            translations={"pl": BODY, "ar": BODY},
            next_update_at=utcnow() + timedelta(minutes=5),
        )  # fmt: skip
        for chunk in chunks
    ]
    closed = opened[-1]
    resolve(closed, body=BODY, user=owner)
    checklist.add(
        closed, text=chunks[0][:500], category="own_it", lang="en", user=owner, public=True
    )
    # A postmortem with unrendered template syntax is refused as unfinished; the rest of the corpus stays.
    postmortem_body = "\n\n".join(
        c for c in CORPUS if not any(s in c for s in ("{{", "}}", "{%", "%}", "[["))
    )
    postmortem.save(closed, postmortem_body, user=owner)
    postmortem.publish(closed, f"/incidents/{closed.public_id}", user=owner, confirm=True)
    start = utcnow() + timedelta(days=1)
    maintenance = open_maintenance(
        title="Upgrade " + chunks[4][:100], body=BODY,
        user=owner, components=[component], scheduled_for=start,
        scheduled_until=start + timedelta(hours=2),
    )  # fmt: skip
    # Titles are one line since input is checked; an old row with line breaks must not inject either.
    maintenance.title = "Upgrade\r\nBEGIN:VEVENT\r\nSUMMARY:injected " + chunks[4][:100]
    token, _ = create_token(owner, chunks[5][:80])
    member = create_user("member@x.yz", "plum orchard 42", "editor", by=owner)
    member.email = (
        '"><svg/onload=alert(1)>@x.yz'  # refused at input now; old rows are shown as text
    )
    db.session.commit()
    return SimpleNamespace(
        incident=opened[0], update=opened[0].updates[0], component=component, resolved=closed,
        maintenance=maintenance, kind="delivery-delay", owner_token=token, incidents=opened,
    )  # fmt: skip


def _check(path: str, response) -> int:
    """Inspect one response by its type; return 1 when something was inspected."""
    kind = response.mimetype
    if kind.startswith("image/") and not kind.startswith("image/svg"):
        return 0  # binary (the favicon): nothing a browser would run
    text = response.get_data(as_text=True)
    if kind == "text/html":
        assert unsafe_markup(text) == [], path
    elif kind == "application/json":
        _check_json(path, json.loads(text))
    elif kind.endswith("xml"):
        _check_xml(path, text)
    elif kind == "text/calendar":
        _check_calendar(path, text)
    else:
        return 0
    return 1


def _check_json(path: str, value, key: str = "") -> None:
    """Every HTML-bearing value in a JSON document must be clean."""
    if isinstance(value, dict):
        for name, item in value.items():
            _check_json(path, item, name)
    elif isinstance(value, list):
        for item in value:
            _check_json(path, item, key)
    elif isinstance(value, str) and "html" in key.lower():
        assert unsafe_markup(value) == [], (path, key)


def _check_xml(path: str, text: str) -> None:
    """Feeds and badges must be well-formed, and the HTML in feed entries (or typed html) clean."""
    root = ET.fromstring(text.encode())
    entries = {id(e) for e in root.iter() if _name(e) in ("item", "entry")}
    for element in root.iter():
        name = _name(element)
        assert name not in ("script", "foreignobject", "iframe"), (path, name)
        assert not any(attr.lower().startswith("on") for attr in element.attrib), (path, name)
        for attr, value in element.attrib.items():
            if attr.rsplit("}", 1)[-1] == "href":
                assert not value.strip().lower().startswith(("javascript:", "data:")), path
    for parent in root.iter():
        for element in parent:
            html = element.get("type") in ("html", "xhtml") or (
                id(parent) in entries
                and _name(element) in ("description", "content", "summary", "encoded")
            )
            if html and element.text:
                assert unsafe_markup(element.text) == [], (path, _name(element))


def _name(element) -> str:
    """Return an XML element's local name, lower-case."""
    return element.tag.rsplit("}", 1)[-1].lower()


def _check_calendar(path: str, text: str) -> None:
    """An iCalendar feed keeps one event per maintenance: titles cannot add lines."""
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1, path
    assert not any(line.startswith("SUMMARY:injected") for line in lines), path


def test_nothing_hostile_survives_in_pages_feeds_or_json(app, client, hostile):
    inspected = 0
    for logged_in in (False, True):
        if logged_in:
            login(client)
        for rule, method in routes(app):
            if method != "GET" or rule.endpoint == "static":
                continue
            ids = candidates(rule, hostile)
            extra = [f"/incidents/{i.public_id}" for i in hostile.incidents] + ["/history?page=2"]
            for path in ids + (extra if rule.endpoint == "public.index" else []):
                for query in (None, HOSTILE_QUERY) if "?" not in path else (None,):
                    response = client.get(path, query_string=query)
                    assert response.status_code < 500, (path, query)
                    if response.status_code == 200:
                        inspected += _check(path, response)
    assert inspected > 100


def test_hostile_text_is_shown_as_text(client, hostile):
    page = client.get(f"/incidents/{hostile.incident.public_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # escaped in the title, not dropped
    assert "\u202egnp.exe" in page  # right-to-left text kept as written …
    summary = client.get("/api/v2/summary.json").json
    names = [incident["name"] for incident in summary["incidents"]]
    assert any(name.startswith("<script>alert(1)</script>") for name in names)  # raw in JSON


def test_the_write_api_returns_only_clean_html(app, client, hostile, owner):
    _, secret = create_token(owner, "reader")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/incidents?status=all", headers=headers)
    assert listed.status_code == 200
    _check_json("/api/v1/incidents", listed.json)
    one = client.get(f"/api/v1/incidents/{hostile.incident.public_id}", headers=headers)
    _check_json("/api/v1/incidents/<id>", one.json)


def test_team_emails_are_plain_text_with_no_injected_headers(app, hostile, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, **kwargs):
            pass

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(SMTP_HOST="smtp.test", SMTP_SECURITY="none")
    jobs.tick()
    assert sent, "no reminder e-mail was sent"
    for message in sent:
        assert message.get_content_type() == "text/plain"
        assert set(message.keys()) <= {
            "Subject", "From", "To", "X-Candor-Event-Id", "Message-ID", "Content-Type",
            "Content-Transfer-Encoding", "MIME-Version",
        }  # fmt: skip
        assert "\n" not in message["Subject"] and "Bcc" not in message.as_string()


def test_the_static_export_is_as_clean_as_the_live_site(app, app_ctx, runner, hostile, tmp_path):
    if "export" not in app.cli.list_commands(None):
        pytest.skip("no static export in this build")
    target = tmp_path / "site"
    result = runner.invoke(args=["export", str(target)])
    assert result.exit_code == 0, result.output
    checked = 0
    for file in target.rglob("*"):
        if file.is_dir() or file.parts[len(target.parts)] == "static" or file.suffix == ".ico":
            continue
        text = file.read_bytes().decode()
        suffix = file.suffix
        if suffix == ".json" and not text.lstrip().startswith(("{", "[")):
            suffix = ".txt"  # e.g. /healthz, a plain "ok"
        response = SimpleNamespace(
            get_data=lambda as_text=True, text=text: text,
            mimetype={
                ".html": "text/html", ".json": "application/json", ".rss": "application/xml",
                ".atom": "application/xml", ".svg": "image/svg+xml", ".ics": "text/calendar",
            }.get(suffix, "other"),
        )  # fmt: skip
        checked += _check(str(file), response)
    assert checked > 20


def test_settings_refuse_script_urls(client, owner):
    login(client)
    base = {"name": "Shop", "timezone": "UTC", "brand_color": "#112233", "default_language": "en"}
    for field in ("url", "logo_url", "contact_chat_url"):
        for bad in ("javascript:alert(1)", "data:text/html,x", " javascript:alert(1)"):
            client.post("/admin/settings", data={**base, field: bad})
            assert getattr(get_shop(), field) != bad.strip(), (field, bad)
    client.post("/admin/settings", data={**base, "brand_color": "red;}</style><script>"})
    assert get_shop().brand_color != "red;}</style><script>"


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>", '<script src="https://evil.example/x.js"></script>',
        "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>', '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>', "<svg><animate onbegin=alert(1)>",
        '<form action="https://evil.example/"></form>', "<style>*{}</style>",
        '<p style="background:red">x</p>', '<meta http-equiv="refresh" content="0">',
        '<object data="x"></object>', '<a href="data:text/html,x">x</a>', "<base href=/x>",
    ],
)  # fmt: skip
def test_the_inspector_catches_what_it_must(markup):
    assert unsafe_markup(markup)


def test_the_inspector_passes_ordinary_markup():
    ordinary = (
        '<html style="--brand: #123456"><link rel="stylesheet" href="/static/style.css">'
        '<script src="/static/compose.js" defer></script><p><a href="https://ok.example/" '
        'rel="noopener">ok</a> <a href="mailto:a@b.cd">mail</a> <a href="/history?page=2">2</a>'
        " &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert unsafe_markup(ordinary) == []
    with pytest.raises(AssertionError):
        _check_xml("feed", "<rss><channel><item><description>&lt;script&gt;x&lt;/script&gt;"
                   "</description></item></channel></rss>")  # fmt: skip
