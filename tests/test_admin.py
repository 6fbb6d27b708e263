"""The admin through the test client: login, roles, incidents, components, settings, audit."""

from statuspage.extensions import db
from statuspage.models import AuditEntry, Component, Incident
from tests.helpers import component, incident


def test_admin_needs_login(app_ctx, client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/admin/incidents/new", data={"title": "x"}).status_code == 302
    assert db.session.query(Incident).count() == 0


def test_login_and_logout(client, auth):
    assert "Wrong e-mail or password" in auth.login(password="nope").get_data(as_text=True)
    assert auth.login().status_code == 302
    assert client.get("/admin/").status_code == 200
    auth.logout()
    assert client.get("/admin/").status_code == 302


def test_login_ignores_offsite_next(client, auth):
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": "owner@shop.test", "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/admin/"


def test_walk_an_incident_through_its_lifecycle(client, auth):
    checkout = component()
    auth.login()
    response = client.post(
        "/admin/incidents/new",
        data={
            "title": "Card payments fail",
            "impact": "major",
            "status": "investigating",
            "body": "Card payments fail at checkout. **Nobody was charged.**",
            f"component-{checkout.public_id}": "major_outage",
        },
    )
    opened = db.session.query(Incident).one()
    assert response.headers["Location"] == f"/admin/incidents/{opened.public_id}"
    assert "<strong>Nobody was charged.</strong>" in client.get("/").get_data(as_text=True)
    assert checkout.status == "major_outage"

    client.post(
        f"/admin/incidents/{opened.public_id}/updates",
        data={"status": "identified", "body": "The payment provider is down."},
    )
    assert "The payment provider is down." in client.get("/").get_data(as_text=True)

    client.post(
        f"/admin/incidents/{opened.public_id}/resolve", data={"body": "Payments work again."}
    )
    db.session.expire_all()
    assert opened.status == "resolved" and checkout.status == "operational"
    front = client.get("/").get_data(as_text=True)
    assert "All Systems Operational" in front and "Card payments fail" in front  # listed as past

    page = client.get(f"/admin/incidents/{opened.public_id}").get_data(as_text=True)
    assert "Reopen" in page
    response = client.post(
        f"/admin/incidents/{opened.public_id}/updates",
        data={"status": "investigating", "body": "Again"},
        follow_redirects=True,
    )
    assert "This incident is closed" in response.get_data(as_text=True)


def test_bad_incident_input_flashes_and_changes_nothing(client, auth):
    auth.login()
    response = client.post(
        "/admin/incidents/new",
        data={"title": "", "impact": "major", "status": "investigating", "body": "x"},
    )
    assert response.status_code == 400 and "This field is required" in response.get_data(
        as_text=True
    )
    response = client.post(
        "/admin/incidents/new",
        data={"title": "T", "impact": "major", "status": "investigating", "body": "x",
              "component-nosuchthing": "major_outage"},
    )  # fmt: skip
    assert "Unknown component" in response.get_data(as_text=True)
    response = client.post(
        "/admin/incidents/new",
        data={"title": "T", "impact": "huge", "status": "investigating", "body": "x"},
    )
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.query(Incident).count() == 0


def test_draft_publish_and_delete(client, auth):
    auth.login()
    client.post(
        "/admin/incidents/new",
        data={
            "title": "Draft one",
            "impact": "minor",
            "status": "investigating",
            "body": "x",
            "draft": "y",
        },
    )
    draft = db.session.query(Incident).one()
    assert draft.draft and "Draft one" not in client.get("/").get_data(as_text=True)
    client.post(f"/admin/incidents/{draft.public_id}/publish")
    assert "Draft one" in client.get("/").get_data(as_text=True)
    second = incident(title="Second", draft=True)
    client.post(f"/admin/incidents/{second.public_id}/delete")
    assert db.session.query(Incident).count() == 1


def test_edit_update_is_shown_and_audited(client, auth):
    opened = incident(body="Teh text")
    auth.login()
    update = opened.updates[0]
    assert "Teh text" in client.get(f"/admin/updates/{update.public_id}/edit").get_data(
        as_text=True
    )
    client.post(f"/admin/updates/{update.public_id}/edit", data={"body": "The text"})
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert "The text" in page and "edited" in page
    assert db.session.query(AuditEntry).filter_by(action="update.edit").count() == 1


def test_components_create_group_move_status_delete(client, auth):
    auth.login()
    client.post("/admin/components", data={"name": "Shopping", "is_group": "y"})
    group = db.session.query(Component).filter_by(name="Shopping").one()
    client.post("/admin/components", data={"name": "Cart", "group_id": group.public_id})
    client.post("/admin/components", data={"name": "Delivery"})
    cart = db.session.query(Component).filter_by(name="Cart").one()
    assert cart.group == group
    client.post(f"/admin/components/{cart.public_id}/status", data={"status": "partial_outage"})
    client.post(f"/admin/components/{cart.public_id}", data={"name": "Basket", "group_id": ""})
    db.session.expire_all()
    assert cart.name == "Basket" and cart.group is None and cart.status == "partial_outage"
    delivery = db.session.query(Component).filter_by(name="Delivery").one()
    client.post(f"/admin/components/{delivery.public_id}/move/up")
    db.session.expire_all()
    assert delivery.position < cart.position

    incident(components={cart: "major_outage"})
    response = client.post(f"/admin/components/{cart.public_id}/delete", follow_redirects=True)
    assert "to delete it anyway" in response.get_data(as_text=True)
    client.post(f"/admin/components/{cart.public_id}/delete", data={"confirm": "y"})
    assert db.session.query(Component).filter_by(name="Basket").count() == 0


def test_settings_validate_and_show_publicly(client, auth):
    auth.login()
    base = {"name": "Sock Shop", "timezone": "Europe/Riga", "brand_color": "#112233"}
    response = client.post("/admin/settings", data={**base, "timezone": "Mars/Olympus"})
    assert "Unknown timezone" in response.get_data(as_text=True)
    pale = client.post("/admin/settings", data={**base, "brand_color": "#ffcc00"})
    assert "too light" in pale.get_data(as_text=True) and "1.5:1" in pale.get_data(as_text=True)
    client.post("/admin/settings", data={**base, "contact_phone": "+371 2000 0000"})
    page = client.get("/").get_data(as_text=True)
    assert "Sock Shop" in page and "tel:+37120000000" in page and "#112233" in page


def test_editors_cannot_reach_owner_pages(client, editor):
    client.post("/login", data={"email": "editor@shop.test", "password": "correct horse battery"})
    assert client.get("/admin/").status_code == 200
    for url in ("/admin/settings", "/admin/users", "/admin/audit"):
        assert client.get(url).status_code == 403


def test_owner_invites_team_member_and_reads_audit(client, auth):
    auth.login()
    response = client.post("/admin/users", data={"email": "bad", "role": "editor"})
    assert "not an e-mail address" in response.get_data(as_text=True)
    invited = client.post("/admin/users", data={"email": "new@shop.test", "role": "editor"})
    assert "/join/" in invited.get_data(as_text=True)
    assert "Team member invited" in client.get("/admin/audit").get_data(as_text=True)


def test_dashboard_lists_active_first_with_time_since_update(client, auth):
    incident(title="Active one")
    auth.login()
    page = client.get("/admin/").get_data(as_text=True)
    assert "Active one" in page and "last update 0 minutes ago" in page


def test_a_correction_reaches_every_language(client, auth):
    from statuspage.services.shop import saved_shop

    saved_shop().languages = "en,pl"
    opened = incident(
        body="Parcels leave on Monday.", translations={"pl": "Paczki wyjadą w środę."}
    )
    auth.login()
    update = opened.updates[0]
    form = client.get(f"/admin/updates/{update.public_id}/edit").get_data(as_text=True)
    assert "Paczki wyjadą w środę." in form
    client.post(
        f"/admin/updates/{update.public_id}/edit",
        data={"body": "Parcels leave on Tuesday.", "translation-pl": "Paczki wyjadą we wtorek."},
    )
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert "Paczki wyjadą we wtorek." in polish and "środę" not in polish
    entry = db.session.query(AuditEntry).filter_by(action="update.edit").one()
    assert entry.before["translations"]["pl"] == "Paczki wyjadą w środę."
