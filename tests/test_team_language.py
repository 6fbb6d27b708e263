"""The team's side in the team's language: flash messages, form errors, e-mail, the CLI — and the write
API, which stays in English for the tools that parse it."""

import json

from statuspage.extensions import db
from statuspage.i18n import terminal_language
from statuspage.models.delivery import MailDelivery
from statuspage.services.shop import saved_shop
from statuspage.services.team.tokens import create_token
from statuspage.services.team.users import create_user
from tests.conftest import PASSWORD


def test_a_polish_member_gets_a_polish_flash_and_a_polish_form_error(client, auth):
    auth.login()
    client.post("/admin/account/language", data={"language": "pl"})
    page = client.post(
        "/admin/account/password",
        data={"current": PASSWORD, "new": "a much longer secret", "repeat": "something else"},
    ).get_data(as_text=True)
    assert "Wpisane wartości się różnią." in page  # beside the field and in the flash
    assert "The two do not match." not in page
    page = client.post(
        "/admin/account/password",
        data={
            "current": "wrong one",
            "new": "a much longer secret",
            "repeat": "a much longer secret",
        },
    ).get_data(as_text=True)
    assert "Obecne hasło jest nieprawidłowe." in page


def test_the_cli_speaks_the_terminals_language(runner):
    result = runner.invoke(
        args=["create-user", "anna@shop.test", "--password", PASSWORD],
        env={"LANG": "pl_PL.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""},
    )
    assert result.exit_code == 0, result.output
    assert "Utworzono konto" in result.output and "anna@shop.test" in result.output
    result = runner.invoke(
        args=["create-user", "anna@shop.test"], env={"LANG": "pl_PL.UTF-8", "LC_ALL": ""}
    )
    assert result.exit_code != 0 and "Istnieje już konto dla anna@shop.test." in result.output
    result = runner.invoke(
        args=["create-user", "ben@shop.test", "--password", PASSWORD],
        env={"LANG": "de_DE.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""},
    )
    assert result.exit_code == 0 and "Created editor ben@shop.test" in result.output


def test_the_terminal_language_follows_gettexts_order():
    assert terminal_language({"LC_ALL": "ru_RU.UTF-8", "LANG": "pl_PL.UTF-8"}) == "ru"
    assert terminal_language({"LC_MESSAGES": "lv_LV", "LANG": "en_US.UTF-8"}) == "lv"
    assert terminal_language({"LANG": "ar_AE.UTF-8"}) == "ar"
    assert terminal_language({"LANG": "C.UTF-8"}) == "en"
    assert terminal_language({}) == "en"


def test_the_write_api_answers_errors_in_english_whatever_accept_language_says(
    app_ctx, client, editor
):
    saved_shop().languages = "en,pl"
    _, secret = create_token(editor, "helpdesk")
    db.session.commit()
    response = client.post(
        "/api/v1/incidents",
        data=json.dumps({"playbook": "no-such-kind"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "pl"},
    )
    assert response.status_code in (400, 409, 422)
    assert response.get_json()["error"]["message"].startswith("Unknown playbook “no-such-kind”")
    # The same person's admin speaks Polish.
    client.post("/login", data={"email": editor.email, "password": PASSWORD})
    page = client.get("/admin/account", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert '<html lang="pl"' in page and "Twoje konto" in page


def test_an_invitation_is_written_in_the_inviting_members_language(
    app, app_ctx, client, auth, inbox
):
    auth.login()
    page = client.post(
        "/admin/users",
        data={"email": "new@shop.test", "role": "editor"},
        headers={"Accept-Language": "lv"},
    )
    assert page.status_code == 200
    row = db.session.query(MailDelivery).filter_by(kind="invite").one()
    assert row.payload["language"] == "lv"


def test_the_test_mail_is_written_in_the_members_language(app, app_ctx, client, inbox):
    from statuspage.services.delivery import mailer

    member = create_user("olga@shop.test", PASSWORD, "owner")
    member.language = "ru"
    db.session.commit()
    client.post("/login", data={"email": member.email, "password": PASSWORD})
    client.post("/admin/subscribers/test")
    with app.test_request_context():
        assert mailer.deliver_due() == 1
    message = inbox.messages[-1]
    assert "Тестовое сообщение" in message["Subject"]
    assert "Доставка электронной почты работает." in message.get_body(("plain",)).get_content()


def test_settings_show_each_bad_field_beside_it_and_keep_everything_typed(client, auth):
    auth.login()
    sent = {"name": "Sock Shop", "timezone": "Europe/Warsaw", "brand_color": "#2457a6",
            "default_language": "en", "languages": ["en", "pl"], "url": "shop.example",
            "contact_email": "not-an-email", "contact_phone": "call us", "contact_hotline": "0800",
            "contact_chat_url": "chat.example/help", "contact_address": "1 Sock Street",
            "sms_sender": "SOCKS"}  # fmt: skip
    page = client.post("/admin/settings", data=sent)
    text = page.get_data(as_text=True)
    assert page.status_code == 400

    def beside(field_id: str) -> str:
        rest = text[text.index(f'id="{field_id}"') :]
        return rest[: rest.index("</div>")]

    assert "not an e-mail address" in beside("contact_email")
    assert "https://" in beside("url") and "https://" in beside("contact_chat_url")
    assert "digits" in beside("contact_phone")
    for value in ("shop.example", "not-an-email", "call us", "chat.example/help", "SOCKS"):
        assert f'value="{value}"' in text
    assert "1 Sock Street" in text


def test_team_notices_are_e_mailed_to_each_member_in_their_language(app, clock, inbox):
    from statuspage import jobs
    from statuspage.models.delivery import Notification
    from tests.helpers import at, incident

    polish = create_user("ola@shop.test", PASSWORD, "owner")
    polish.language = "pl"
    create_user("sam@shop.test", PASSWORD, "editor")
    gone = create_user("gone@shop.test", PASSWORD, "editor")
    gone.removed_at = at(0)
    db.session.commit()
    incident(next_update_at=at(30))
    clock(minutes=20)
    jobs.tick()
    by_address = {message["To"]: message for message in inbox.messages}
    assert sorted(by_address) == ["ola@shop.test", "sam@shop.test"]  # a removed member gets none
    assert by_address["ola@shop.test"]["Subject"] == "Kolejny komunikat za 10 min"
    assert "10 marca 2026" in by_address["ola@shop.test"].get_body(("plain",)).get_content()
    assert by_address["sam@shop.test"]["Subject"] == "Next update due in 10 min"
    log = db.session.query(Notification).filter_by(channel="log").one()
    assert log.subject == "Next update due in 10 min"  # the log stays in English


def test_a_required_field_is_named_in_latvian_too(client, auth):
    """WTForms has no Latvian catalog: "This field is required." comes from Candor's."""
    auth.login()
    client.post("/admin/account/language", data={"language": "lv"})
    page = client.post("/admin/tokens", data={"name": ""})
    assert page.status_code == 400 and "Šis lauks ir obligāts." in page.get_data(as_text=True)


def test_scheduled_and_maintenance_notices_are_written_in_each_members_language(app, clock, inbox):
    """The job's own notices (a scheduled update gone public, a maintenance started) too."""
    from statuspage import jobs
    from statuspage.services.incidents import lifecycle, maintenance
    from tests.helpers import at, component, incident

    polish = create_user("ola@shop.test", PASSWORD, "owner")
    polish.language = "pl"
    create_user("sam@shop.test", PASSWORD, "editor")
    opened = incident(title="Paczki")
    lifecycle.post_update(
        opened, status="monitoring", body="Obserwujemy.", user=None, display_at=at(10)
    )
    maintenance.plan_maintenance(
        title="Kasa", body="", user=None, components=[component("Checkout")],
        scheduled_for=at(20), scheduled_until=at(90), what_changes="a faster checkout",
    )  # fmt: skip
    db.session.commit()
    clock(minutes=30)
    jobs.tick()
    jobs.tick()
    to_ola = {m["Subject"]: m for m in inbox.messages if m["To"] == "ola@shop.test"}
    to_sam = {m["Subject"] for m in inbox.messages if m["To"] == "sam@shop.test"}
    assert {"Opublikowano zaplanowany komunikat", "Prace serwisowe rozpoczęły się"} <= set(to_ola)
    assert {"Scheduled update published", "Maintenance started"} <= to_sam
    body = to_ola["Opublikowano zaplanowany komunikat"].get_body(("plain",)).get_content()
    assert "„Paczki” jest już opublikowany (Monitorujemy)." in body  # the status in Polish too
