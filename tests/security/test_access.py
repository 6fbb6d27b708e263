"""Who may do what: walk the URL map instead of trusting a hand-kept list."""

from __future__ import annotations

from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import AuditEntry, User
from statuspage.services.alerts import integrations
from statuspage.services.shop import get_shop
from tests.security.conftest import (
    ADMIN_PREFIX,
    ALERTS_PREFIX,
    API_PREFIX,
    PUBLIC_API_ENDPOINTS,
    candidates,
    login,
    routes,
    sample_path,
)


def _owner_only(app) -> set[str]:
    """Return the endpoints whose view carries owner_required's mark."""
    return {name for name, view in app.view_functions.items() if getattr(view, "owner_only", False)}


def test_every_admin_route_sends_anonymous_visitors_to_the_login(app, client, world):
    before, checked = _audit_count(), 0
    for rule, method in routes(app, ADMIN_PREFIX):
        response = client.open(sample_path(rule, world), method=method, data={"title": "x"})
        assert response.status_code == 302, (method, rule.rule, response.status_code)
        assert response.headers["Location"].startswith("/login?next="), (method, rule.rule)
        checked += 1
    assert checked > 30
    assert _audit_count() == before  # nothing was changed


def _audit_count() -> int:
    """Return how many changes the audit log holds."""
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_every_write_api_route_refuses_requests_without_a_valid_token(app, client, world):
    for rule, method in routes(app, API_PREFIX):
        path = sample_path(rule, world)
        if rule.endpoint in PUBLIC_API_ENDPOINTS:
            assert client.open(path, method=method).status_code == 200, rule.rule
            continue
        for headers in (
            {},
            {"Authorization": "Bearer "},
            {"Authorization": "Bearer candor_not-a-real-token"},
            {"Authorization": f"Basic {world.editor_secret}"},
            {"Authorization": f"Bearer {world.revoked_secret}"},
        ):
            response = client.open(path, method=method, headers=headers, json={"title": "x"})
            assert response.status_code == 401, (method, rule.rule, headers, response.status_code)
            assert response.is_json and response.json["error"]["status"] == 401


def test_alert_intake_refuses_requests_without_its_integrations_token(app, client, world):
    other, _secret = integrations.create_integration("grafana", "Other", None)
    mine, secret = integrations.create_integration("alertmanager", "Mine", None)
    db.session.commit()
    login(client)  # a logged-in session is no token either
    for rule, method in routes(app, ALERTS_PREFIX):
        for path, headers in (
            (f"/api/alerts/{mine.public_id}", {}),
            (f"/api/alerts/{mine.public_id}", {"Authorization": f"Bearer {world.editor_secret}"}),
            (f"/api/alerts/{other.public_id}", {"Authorization": f"Bearer {secret}"}),
            (f"/api/alerts/{other.public_id}/{secret}", {}),
            (f"/api/alerts/{mine.public_id}/{secret}x", {}),
        ):
            response = client.open(path, method=method, headers=headers, json={"version": "4"})
            assert response.status_code == 401, (method, rule.rule, path, response.status_code)
            assert response.is_json and response.json["error"]["status"] == 401


def test_the_api_does_not_accept_a_logged_in_session_instead_of_a_token(app, client, world):
    login(client)
    for rule, method in routes(app, API_PREFIX):
        if rule.endpoint not in PUBLIC_API_ENDPOINTS:
            response = client.open(sample_path(rule, world), method=method, json={})
            assert response.status_code == 401, (method, rule.rule)


def test_owner_only_views_answer_403_to_editors_and_no_other_view_does(app, client, world):
    owner_only = _owner_only(app)
    assert {"admin.settings", "admin.users", "admin.audit"} <= owner_only
    login(client, "editor@shop.test")
    refused = set()
    for rule, method in routes(app, ADMIN_PREFIX):
        if method != "GET":
            continue
        codes = {client.get(path).status_code for path in candidates(rule, world)}
        assert max(codes) < 500, (rule.rule, codes)
        if 403 in codes:
            refused.add(rule.endpoint)
    expected = {
        rule.endpoint
        for rule, method in routes(app, ADMIN_PREFIX)
        if method == "GET" and rule.endpoint in owner_only
    }
    assert refused == expected


def test_editors_cannot_post_to_owner_only_views(app, client, world):
    login(client, "editor@shop.test")
    before, name = _audit_count(), get_shop().name
    for rule, method in routes(app, ADMIN_PREFIX):
        if method == "POST" and rule.endpoint in _owner_only(app):
            data = {"email": "mole@shop.test", "role": "owner", "password": "plum orchard 42",
                    "name": "Taken over", "timezone": "UTC", "brand_color": "#000000"}  # fmt: skip
            response = client.post(sample_path(rule, world), data=data)
            assert response.status_code == 403, rule.rule
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "mole@shop.test")) is None
    assert get_shop().name == name
    assert _audit_count() == before


def test_editors_cannot_revoke_someone_elses_token(client, world):
    login(client, "editor@shop.test")
    response = client.post(f"/admin/tokens/{world.owner_token.id}/revoke", data={"confirm": "y"})
    assert response.status_code == 404
    db.session.refresh(world.owner_token)
    assert world.owner_token.revoked_at is None


def test_drafts_stay_private(client, world):
    for path in (
        f"/incidents/{world.draft.public_id}",
        f"/incidents/{world.draft.public_id}/feed.rss",
    ):
        assert client.get(path).status_code == 404, path
    for path in ("/", "/history", "/feed.atom", "/api/v2/incidents.json", "/embed.json"):
        assert "Secret draft" not in client.get(path).get_data(as_text=True), path
