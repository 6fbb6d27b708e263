"""The test harness behaves like production: each request and command runs in an app context of its own."""

import pytest
from flask import g

from statuspage.services.shop import saved_shop
from tests.conftest import AuthActions
from tests.helpers import component, languages


def test_a_request_does_not_inherit_the_previous_requests_language(app_ctx, client):
    languages("en,pl")
    assert '<html lang="pl"' in client.get("/?lang=pl").get_data(as_text=True)
    stranger = client.application.test_client()  # no cookie: the shop's default language
    assert '<html lang="en"' in stranger.get("/").get_data(as_text=True)


def test_a_request_does_not_inherit_the_previous_requests_user(client, auth):
    assert auth.login().status_code == 302
    assert client.get("/admin/").status_code == 200
    stranger = client.application.test_client()
    assert stranger.get("/admin/").status_code == 302  # to the login page


def test_the_tests_own_context_is_left_alone(app_ctx, client, owner):
    g.marker = "the test's"
    AuthActions(client).login()
    client.get("/admin/")
    assert g.marker == "the test's" and "_login_user" not in g


def test_the_test_reads_what_a_request_committed(app_ctx, client, auth):
    checkout = component("Checkout")
    assert checkout.status == "operational"  # loaded into the test's session
    auth.login()
    client.post(f"/admin/components/{checkout.public_id}/status", data={"status": "major_outage"})
    assert checkout.status == "major_outage"


def test_a_request_after_uncommitted_writes_is_refused(app_ctx, client):
    saved_shop().languages = "en,pl"
    with pytest.raises(AssertionError, match="commit before a request"):
        client.get("/")
