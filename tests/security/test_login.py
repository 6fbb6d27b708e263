"""Logging in: rate limits that reveal nothing, two-factor login, password rules, sessions."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import time_machine

from statuspage.extensions import db
from statuspage.models import User
from statuspage.security import LOCKED_OUT
from statuspage.services import ServiceError
from statuspage.services.team import users
from statuspage.services.team.passwords import check_password
from statuspage.services.team.users import authenticate
from tests.conftest import PASSWORD
from tests.security.conftest import login


def _attempt(client, email="owner@shop.test", password="wrong password", address="10.0.0.1"):
    """Post the login form from a given client address."""
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_logins_are_limited_per_address_with_a_message_that_reveals_nothing(
    app, client, owner
):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert _attempt(client).status_code == 200
    answers = {
        (email, password): _attempt(client, email, password)
        for email, password in (
            ("owner@shop.test", "wrong password"),
            ("owner@shop.test", PASSWORD),  # even the right password waits
            ("nobody@shop.test", "wrong password"),
        )
    }
    for response in answers.values():
        assert response.status_code == 429
        page = response.get_data(as_text=True)
        assert LOCKED_OUT in page and "Wrong e-mail" not in page and "owner@shop.test" not in page
    bodies = {re.sub(r'value="[^"]*"', "", r.get_data(as_text=True)) for r in answers.values()}
    assert len(bodies) == 1  # the same page whatever was typed
    assert _attempt(client, password=PASSWORD, address="10.0.0.2").status_code == 302


def test_successful_logins_do_not_count(app, client, owner):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    for _ in range(5):
        assert _attempt(client, password=PASSWORD).status_code == 302
        client.post("/logout")
    assert _attempt(client).status_code == 200


def test_failed_logins_are_limited_per_account_from_any_address(app, client, owner):
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "4 per hour"
    for n in range(4):
        assert _attempt(client, address=f"10.1.0.{n}").status_code == 200
    assert _attempt(client, password=PASSWORD, address="10.1.1.1").status_code == 429
    assert _attempt(client, "other@shop.test", address="10.1.1.2").status_code == 200


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_werkzeugs_slow_default(app_ctx):
    user = users.create_user("slow@shop.test", PASSWORD, "editor")
    method = user.password_hash.split("$", 1)[0]
    assert method.startswith("scrypt:") and int(method.split(":")[1]) >= 2**15, method
    assert authenticate("slow@shop.test", PASSWORD) is user


def test_other_tests_hash_cheaply(app_ctx):
    user = users.create_user("fast@shop.test", PASSWORD, "editor")
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")


def test_an_unknown_account_costs_a_password_check_too(app, owner, monkeypatch):
    checked = []
    real = users.check_password_hash
    monkeypatch.setattr(
        users, "check_password_hash", lambda *args: checked.append(args[0]) or real(*args)
    )
    assert authenticate("nobody@shop.test", "wrong password") is None
    assert authenticate("owner@shop.test", "wrong password") is None
    assert len(checked) == 2  # so the answer takes as long whether or not the account exists
    assert checked[0] != owner.password_hash


# --- two-factor login ---------------------------------------------------------------------------


def _enrol(client) -> str:
    """Turn two-factor login on through the account page; return the secret."""
    page = client.get("/admin/account").get_data(as_text=True)
    secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert f"secret={secret}" in page.replace("&amp;", "&")  # the otpauth:// URI
    response = client.post(
        "/admin/account/2fa/enable", data={"password": PASSWORD, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return secret


def _code(secret: str, offset_steps: int = 0) -> str:
    """Return the code for now, or a number of 30-second steps away."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def test_two_factor_login(app, client, owner):
    login(client)
    secret = _enrol(client)
    assert "Two-factor login is on" in client.get("/admin/account").get_data(as_text=True)
    client.post("/logout")

    first = client.post("/login", data={"email": "owner@shop.test", "password": PASSWORD})
    assert first.headers["Location"] == "/login/2fa"
    assert client.get("/admin/").status_code == 302  # the password alone opens nothing
    wrong = client.post("/login/2fa", data={"code": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.get_data(as_text=True)
    done = client.post("/login/2fa", data={"code": _code(secret, +1)})  # one step of drift is fine
    assert done.status_code == 302 and done.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post("/logout")

    client.post("/login", data={"email": "owner@shop.test", "password": PASSWORD})
    replay = client.post("/login/2fa", data={"code": _code(secret, +1)})
    assert replay.status_code == 200  # a code works once
    assert client.get("/admin/").status_code == 302


def test_the_second_step_expires_and_needs_the_first(app, client, owner):
    login(client)
    secret = _enrol(client)
    client.post("/logout")
    assert client.post("/login/2fa", data={"code": _code(secret)}).status_code == 302
    assert client.get("/admin/").status_code == 302
    client.post("/login", data={"email": "owner@shop.test", "password": PASSWORD})
    with time_machine.travel(time.time() + 600, tick=False):
        late = client.post("/login/2fa", data={"code": _code(secret)})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert client.get("/admin/").status_code == 302


def test_guessing_codes_is_rate_limited(app, client, owner):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    login(client)
    secret = _enrol(client)
    client.post("/logout")
    client.post("/login", data={"email": "owner@shop.test", "password": PASSWORD})
    for _ in range(3):
        assert client.post("/login/2fa", data={"code": "123456"}).status_code == 200
    assert client.post("/login/2fa", data={"code": _code(secret)}).status_code == 429


def test_turning_two_factor_off_needs_password_and_code(app, client, owner):
    login(client)
    secret = _enrol(client)
    refused = client.post("/admin/account/2fa/disable", data={"password": "nope", "code": "1"})
    assert refused.status_code == 400
    db.session.refresh(owner)
    assert owner.totp_secret == secret
    response = client.post(
        "/admin/account/2fa/disable", data={"password": PASSWORD, "code": _code(secret, +1)}
    )
    assert response.status_code == 302
    db.session.refresh(owner)
    assert owner.totp_secret is None


def test_enrolment_needs_a_matching_code(client, owner):
    login(client)
    client.get("/admin/account")
    response = client.post(
        "/admin/account/2fa/enable", data={"password": PASSWORD, "code": "000000"}
    )
    assert response.status_code == 400 and "does not match" in response.get_data(as_text=True)
    db.session.refresh(owner)
    assert owner.totp_secret is None


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short", "password123", "Password2024!", "qwertyuiop", "1234567890", "aaaaaaaaaaaa",
     "!!iloveyou!!", "owner@shop.test1", "myownerpass", "x" * 201],
)  # fmt: skip
def test_weak_passwords_are_refused(password):
    with pytest.raises(ServiceError):
        check_password(password, "owner@shop.test")


@pytest.mark.parametrize("password", [PASSWORD, "plum orchard 42", "Kx8#vQ2!mZ"])
def test_good_passwords_pass(password):
    check_password(password, "owner@shop.test")


def test_changing_the_password_ends_other_sessions(app, client, owner):
    other = app.test_client()
    login(client)
    login(other)
    response = client.post(
        "/admin/account/password",
        data={"current": PASSWORD, "new": "plum orchard 42", "repeat": "plum orchard 42"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200  # this session goes on
    assert other.get("/admin/").status_code == 302  # the other one is over
    assert authenticate("owner@shop.test", "plum orchard 42") is not None


def test_changing_the_password_checks_the_rules_and_the_current_one(client, owner):
    login(client)
    for data, message in (
        ({"current": "nope", "new": "plum orchard 42", "repeat": "plum orchard 42"}, "is wrong"),
        ({"current": PASSWORD, "new": "password123", "repeat": "password123"}, "too common"),
        ({"current": PASSWORD, "new": "plum orchard 42", "repeat": "plum orchard 43"}, "match"),
    ):
        response = client.post("/admin/account/password", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert authenticate("owner@shop.test", PASSWORD) is not None


def test_reset_password_command(app, app_ctx, runner, client, owner):
    login(client)
    generated = runner.invoke(args=["reset-password", "Owner@Shop.test"])
    assert generated.exit_code == 0, generated.output
    password = re.search(r"New password for owner@shop.test: (\S+)", generated.output).group(1)
    assert authenticate("owner@shop.test", password) is not None
    assert client.get("/admin/").status_code == 302  # the old session ended

    chosen = runner.invoke(
        args=["reset-password", "owner@shop.test", "--password", "plum orchard 42"]
    )
    assert chosen.exit_code == 0, chosen.output
    assert authenticate("owner@shop.test", "plum orchard 42") is not None
    weak = runner.invoke(args=["reset-password", "owner@shop.test", "--password", "password1"])
    assert weak.exit_code == 1 and "too short" in weak.output
    unknown = runner.invoke(args=["reset-password", "nobody@shop.test"])
    assert unknown.exit_code == 1 and "no account" in unknown.output


def test_reset_password_can_turn_two_factor_off(app_ctx, runner, owner):
    owner.totp_secret = pyotp.random_base32()
    db.session.commit()
    result = runner.invoke(args=["reset-password", "owner@shop.test", "--reset-2fa"])
    assert result.exit_code == 0 and "Two-factor login is off" in result.output
    assert db.session.get(User, owner.id).totp_secret is None


# --- the session cookie -------------------------------------------------------------------------


def test_the_session_cookie_is_httponly_samesite_and_secure_when_asked(app, client, owner):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.post(
        "/login", data={"email": "owner@shop.test", "password": PASSWORD}, base_url="https://s.test"
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert "Expires=" in cookie  # a lifetime, not "until the browser closes … or never"


def test_the_session_ends_after_the_idle_timeout_and_activity_extends_it(app, client, owner):
    hour = 3600
    with time_machine.travel(1_900_000_000, tick=False) as clock:
        login(client)
        clock.shift(11 * hour)
        assert client.get("/admin/").status_code == 200  # activity refreshes the session
        clock.shift(11 * hour)
        assert client.get("/admin/").status_code == 200
        clock.shift(13 * hour)
        response = client.get("/admin/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_public_pages_never_send_the_session_cookie(app, client, owner):
    login(client)
    for path in ("/", "/history", "/api/v2/summary.json", "/feed.atom", "/embed.json"):
        assert "Set-Cookie" not in client.get(path).headers, path
    assert "Set-Cookie" in client.get("/admin/").headers


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:x",
    ],
)
def test_login_never_redirects_off_site(client, owner, target):
    response = client.post(
        "/login",
        data={"email": "owner@shop.test", "password": PASSWORD},
        query_string={"next": target},
    )
    assert response.headers["Location"] == "/admin/"
