"""Security: sanitized Markdown everywhere, CSRF, no 500 for any junk input."""

import pytest

from statuspage import create_app
from statuspage.extensions import db
from statuspage.services.markup import render_markdown
from tests.helpers import component, incident

HOSTILE = """<script>alert(1)</script>
[click](javascript:alert(2)) <img src=x onerror="alert(3)"> <a href="#" onclick="alert(4)">a</a>
<iframe src="https://evil.example"></iframe><style>body{display:none}</style>
<svg onload=alert(5)></svg> [data](data:text/html;base64,PHNjcmlwdD4=)"""


def _assert_clean(html: str) -> None:
    lowered = html.lower()
    for bad in (
        "<script",
        "javascript:",
        "onerror",
        "onclick",
        "onload",
        "<iframe",
        "<style",
        "<svg",
        "data:text",
    ):
        assert bad not in lowered, bad


def test_render_markdown_strips_everything_dangerous():
    _assert_clean(render_markdown(HOSTILE))
    assert 'rel="noopener noreferrer nofollow"' in render_markdown("[ok](https://shop.example)")


def test_hostile_text_never_reaches_any_page(client, auth):
    checkout = component(name="<script>alert('c')</script>")
    opened = incident(
        title="<img src=x onerror=alert(9)>", body=HOSTILE, components={checkout: "major_outage"}
    )
    auth.login()
    for url in (
        "/",
        "/history",
        f"/incidents/{opened.public_id}",
        "/admin/",
        f"/admin/incidents/{opened.public_id}",
    ):
        page = client.get(url).get_data(as_text=True)
        body = page.split("<body>", 1)[1]
        _assert_clean(
            body.replace("&lt;script&gt;", "").replace("&lt;img src=x onerror=alert(9)&gt;", "")
        )


def test_csrf_is_required_on_forms(tmp_path, monkeypatch):
    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db",
        }
    )
    with app.app_context():
        db.create_all()
        client = app.test_client()
        response = client.post("/login", data={"email": "a@b.cd", "password": "x"})
        assert response.status_code == 400
        assert "form expired" in response.get_data(as_text=True)
        db.engine.dispose()


JUNK = [
    "",
    "0",
    "-1",
    "9" * 30,
    "9223372036854775807",
    "%00",
    "' OR 1=1 --",
    "../../etc/passwd",
    "x" * 5000,
    "ä😀",
    "<script>",
]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.mark.parametrize("logged_in", [False, True])
def test_no_route_answers_500_to_junk(app, client, auth, logged_in):
    incident()
    if logged_in:
        auth.login()
    for rule, method in _routes(app):
        for junk in JUNK:
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<{arg}>", junk or "x").replace(f"<int:{arg}>", "9")
            data = {
                key: junk
                for key in (
                    "title",
                    "body",
                    "status",
                    "impact",
                    "name",
                    "email",
                    "password",
                    "timezone",
                    "brand_color",
                    "group_id",
                    "component-x",
                    "confirm",
                )
            }
            response = client.open(
                path, method=method, data=data, query_string={"page": junk, "next": junk}
            )
            assert response.status_code < 500, (method, path, junk, response.status_code)
            if logged_in and method == "POST" and rule.endpoint == "auth.logout":
                auth.login()
    db.session.rollback()
