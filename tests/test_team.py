"""A real team: invitations, roles, removal, and sessions that end on the server."""

import re

import pytest
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import AuditEntry, User
from statuspage.models.team import Invitation
from statuspage.services.team.tokens import create_token
from statuspage.services.team.users import create_user
from tests.conftest import PASSWORD

JOIN = re.compile(r'value="http://status\.test(/join/[A-Za-z0-9_-]+)"')


def _api(client, secret):
    """Call the write API with a token; return the status code."""
    return client.get(
        "/api/v1/incidents", headers={"Authorization": f"Bearer {secret}"}
    ).status_code


def _invite(client, email="new@shop.test", role="editor") -> str:
    """Invite someone as the logged-in owner; return the join path shown to copy."""
    page = client.post("/admin/users", data={"email": email, "role": role})
    assert page.status_code == 200, page.get_data(as_text=True)
    return JOIN.search(page.get_data(as_text=True)).group(1)


def test_a_copied_cookie_no_longer_opens_the_admin_after_logout(app, client, auth):
    auth.login()
    copied = client.get_cookie("session").value
    assert client.get("/admin/").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/").status_code == 302


def test_a_session_ends_after_session_max_hours_however_active(app, client, auth, time_machine):
    app.config["PERMANENT_SESSION_LIFETIME"] = 30 * 24 * 3600  # idle time is not what is tested
    time_machine.move_to("2026-03-10 12:00Z", tick=False)
    auth.login()
    time_machine.move_to("2026-03-16 12:00Z", tick=False)
    assert client.get("/admin/").status_code == 200
    time_machine.move_to("2026-03-17 12:01Z", tick=False)
    assert client.get("/admin/").status_code == 302


def test_the_enrolment_key_does_not_survive_to_the_next_user(app_ctx, client, auth):
    create_user("second@shop.test", PASSWORD, "editor")
    db.session.commit()
    auth.login()
    first = re.search(
        r'id="totp-key">([^<]+)<', client.get("/admin/account").get_data(as_text=True)
    )
    auth.logout()
    auth.login("second@shop.test")
    second = re.search(
        r'id="totp-key">([^<]+)<', client.get("/admin/account").get_data(as_text=True)
    )
    assert first.group(1) != second.group(1)


def test_reset_password_revokes_api_tokens_unless_kept(app_ctx, client, runner, owner):
    _, secret = create_token(owner, "helpdesk")
    _, kept = create_token(owner, "monitoring")
    db.session.commit()
    assert _api(client, secret) == 200
    result = runner.invoke(args=["reset-password", "owner@shop.test"])
    assert result.exit_code == 0, result.output
    assert "API tokens revoked: 2" in result.output
    assert _api(client, secret) == 401 and _api(client, kept) == 401
    _, again = create_token(db.session.get(User, owner.id), "again")
    db.session.commit()
    result = runner.invoke(args=["reset-password", "owner@shop.test", "--keep-tokens"])
    assert result.exit_code == 0 and "still work" in result.output
    assert _api(client, again) == 200


def test_invite_join_change_role_remove(app, app_ctx, client, auth):
    auth.login()
    join = _invite(client)
    newcomer = app.test_client()
    assert "new@shop.test" in newcomer.get(join).get_data(as_text=True)
    refused = newcomer.post(join, data={"password": "short", "repeat": "short"})
    assert refused.status_code == 400 and "too short" in refused.get_data(as_text=True)
    joined = newcomer.post(join, data={"password": "plum orchard 42", "repeat": "plum orchard 42"})
    assert joined.status_code == 302 and newcomer.get("/admin/").status_code == 200
    assert newcomer.get(join).status_code == 404  # the link works once
    member = db.session.scalar(select(User).where(User.email == "new@shop.test"))
    assert member.role == "editor"
    assert newcomer.get("/admin/users").status_code == 403

    client.post(f"/admin/users/{member.id}/role", data={"role": "owner"})
    assert db.session.get(User, member.id).role == "owner"
    assert newcomer.get("/admin/users").status_code == 200

    _, secret = create_token(db.session.get(User, member.id), "their script")
    db.session.commit()
    assert _api(client, secret) == 200
    removed = client.post(f"/admin/users/{member.id}/remove", data={"confirm": "y"})
    assert removed.status_code == 302
    assert newcomer.get("/admin/").status_code == 302  # their session ended at once
    assert _api(client, secret) == 401  # and so did their token
    again = newcomer.post("/login", data={"email": "new@shop.test", "password": "plum orchard 42"})
    assert again.status_code == 200 and "Wrong e-mail or password" in again.get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"user.invite", "user.join", "user.role", "user.remove", "token.revoke_all"} <= actions


def test_the_last_owner_can_be_neither_removed_nor_demoted(app_ctx, client, auth, owner):
    auth.login()
    demoted = client.post(f"/admin/users/{owner.id}/role", data={"role": "editor"})
    assert demoted.status_code == 400 and "the team needs one" in demoted.get_data(as_text=True)
    removed = client.post(f"/admin/users/{owner.id}/remove", data={"confirm": "y"})
    assert removed.status_code == 400 and "last owner" in removed.get_data(as_text=True)
    assert db.session.get(User, owner.id).role == "owner"
    assert db.session.get(User, owner.id).removed_at is None


def test_a_bad_invitation_keeps_what_was_typed(client, auth):
    auth.login()
    page = client.post("/admin/users", data={"email": "not-an-email", "role": "owner"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'value="not-an-email"' in text
    assert re.search(r'<option selected value="owner">|<option value="owner" selected', text)
    assert 'class="error"' in text  # beside the field, not only at the top


def test_an_expired_or_withdrawn_invitation_says_so(app, app_ctx, client, auth, time_machine):
    auth.login()
    join = _invite(client, "late@shop.test")
    invitation = db.session.scalar(select(Invitation))
    client.post(f"/admin/invitations/{invitation.id}/withdraw")
    page = app.test_client().get(join)
    assert page.status_code == 404 and "Ask an owner" in page.get_data(as_text=True)


@pytest.mark.usefixtures("inbox")
def test_with_smtp_the_invitation_is_e_mailed_too(app, app_ctx, client, auth, inbox):
    from statuspage.services.delivery import mailer

    auth.login()
    join = _invite(client, "mailed@shop.test")
    with app.test_request_context():
        assert mailer.deliver_due() == 1
    message = inbox.messages[-1]
    assert (
        "mailed@shop.test" in message["To"] and join in message.get_body(("plain",)).get_content()
    )


def test_admin_pages_mark_the_current_page_use_the_admin_layout_and_skip_the_public_footer(
    app_ctx, client, auth
):
    from statuspage.services.shop import saved_shop

    saved_shop().contact_email = "help@shop.test"
    db.session.commit()
    auth.login()
    page = client.get("/admin/queue").get_data(as_text=True)
    assert '<a href="/admin/queue" aria-current="page">' in page
    assert page.count('aria-current="page"') == 1 and "help@shop.test" not in page
    editor = create_user("ed@shop.test", PASSWORD, "editor")
    db.session.commit()
    auth.logout()
    auth.login(editor.email)
    refused = client.get("/admin/settings")
    assert refused.status_code == 403 and 'aria-label="Admin"' in refused.get_data(as_text=True)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"


def test_settings_refuse_a_bad_e_mail_beside_the_field_and_keep_the_rest(client, auth):
    auth.login()
    sent = {"name": "Sock Shop", "timezone": "Europe/Warsaw", "brand_color": "#2457a6",
            "default_language": "pl", "languages": ["pl", "ar"], "contact_email": "not-an-email",
            "contact_phone": "+48 22 123 45 67"}  # fmt: skip
    page = client.post("/admin/settings", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'value="not-an-email"' in text
    field = text[text.index('id="contact_email"') :]
    assert "not an e-mail address" in field[: field.index("</div>")]
    assert 'value="+48 22 123 45 67"' in text and ">Polski<" in text and "العربية" in text
    assert '<option value="Europe/Warsaw">' in text  # the searchable timezone list
