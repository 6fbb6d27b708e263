"""Security headers on every response, and pages that need no inline script."""

from __future__ import annotations

from tests.security.conftest import candidates, login, routes, unsafe_markup


def _csp(response) -> dict[str, str]:
    """Parse the Content-Security-Policy header into directives."""
    policy = response.headers.get("Content-Security-Policy", "")
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()
    }


def _every_get(app, client, world):
    """Yield (path, response) for every GET route, with real ids where they fit."""
    paths = [
        path for rule, method in routes(app) if method == "GET" for path in candidates(rule, world)
    ]
    for path in [*paths, "/static/style.css", "/no-such-page", "/admin/incidents/nope"]:
        with client.get(path) as response:
            response.get_data()
            yield path, response


def _check_headers(path: str, response) -> None:
    """Assert the headers every response must carry."""
    csp = _csp(response)
    assert csp.get("script-src") == "'self'", (path, csp)
    assert csp.get("object-src") == "'none'" and csp.get("base-uri") == "'none'", path
    assert "unsafe" not in csp.get("default-src", ""), path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("Referrer-Policy"), path
    private = path.startswith(("/admin", "/login", "/logout", "/join"))
    if private:
        assert csp["frame-ancestors"] == "'none'", path
        assert response.headers.get("X-Frame-Options") == "DENY", path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    else:
        assert csp["frame-ancestors"] == "'self'", path
        assert "X-Frame-Options" not in response.headers, path


def test_every_response_carries_the_security_headers(app, client, world):
    seen = 0
    for path, response in _every_get(app, client, world):
        assert response.status_code < 500, path
        _check_headers(path, response)
        seen += 1
    login(client)
    for path, response in _every_get(app, client, world):
        assert response.status_code < 500, path
        _check_headers(path, response)
        seen += 1
    assert seen > 80


def test_no_page_needs_inline_script_or_handlers(app, client, world):
    login(client)
    pages = 0
    for path, response in _every_get(app, client, world):
        if response.mimetype == "text/html":
            assert unsafe_markup(response.get_data(as_text=True)) == [], path
            pages += 1
    assert pages > 20


def test_cross_origin_surfaces_stay_usable(client, world):
    script = client.get("/embed.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    assert "Cross-Origin-Resource-Policy" not in script.headers
    data = client.get("/embed.json", headers={"Origin": "https://shop.example"})
    assert data.headers.get("Access-Control-Allow-Origin") == "*"
    assert "X-Frame-Options" not in client.get("/").headers


def test_public_framing_is_configurable(app, client):
    app.config["PUBLIC_FRAME_ANCESTORS"] = "'self' https://help.shop.example"
    assert _csp(client.get("/"))["frame-ancestors"] == "'self' https://help.shop.example"
    assert _csp(client.get("/login"))["frame-ancestors"] == "'none'"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://status.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_forwarded_proto_is_trusted_only_when_configured(tmp_path, monkeypatch):
    from statuspage import create_app
    from statuspage.extensions import db

    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(tmp_path))
    for proxies, expected in ((0, False), (1, True)):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "t",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p{proxies}.db",
                "TRUSTED_PROXIES": proxies,
            }
        )
        with app.app_context():
            db.create_all()
            with app.test_client().get("/", headers={"X-Forwarded-Proto": "https"}) as response:
                assert response.status_code == 200
                assert ("Strict-Transport-Security" in response.headers) is expected
            db.engine.dispose()
