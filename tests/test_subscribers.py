"""E-mail subscribers: sign-up, double opt-in, updates in the subscriber's language once each, one-click
unsubscribe — against a real SMTP server on 127.0.0.1 and a controlled clock."""

from __future__ import annotations

import csv
import io
import logging
import re

from sqlalchemy import func, select

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models.delivery import MailDelivery
from statuspage.models.subscribers import Subscriber, Suppression
from statuspage.services.delivery import notify
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.incidents import lifecycle as service
from tests.helpers import component, incident, languages

ADDRESS = "Kunde@Example.COM"


def _link(message, pattern: str) -> str:
    """Find a link in a message's text part and return its path."""
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://status\.test(" + pattern + r"\S+)", text).group(1)


def _subscribe(client, inbox, address=ADDRESS, lang="pl", **form) -> str:
    """Sign up, let the scheduler send the confirmation, and confirm; return the confirmation path."""
    page = client.post(f"/subscribe?lang={lang}", data={"email": address, "scope": "all", **form})
    assert page.status_code == 200, page.get_data(as_text=True)
    jobs.tick()
    confirmation = inbox.messages[-1]
    path = _link(confirmation, "/subscribe/confirm/")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    return path


def test_subscribe_confirm_receive_three_updates_in_polish_once_each_and_unsubscribe(
    app, client, inbox, clock
):
    languages("en,pl")
    assert client.get("/").get_data(as_text=True).count('href="/subscribe"') == 1
    form = client.get("/subscribe?lang=pl")
    assert form.status_code == 200 and "no-store" in form.headers["Cache-Control"]
    sent = client.post("/subscribe?lang=pl", data={"email": ADDRESS, "scope": "all"})
    assert "Sprawdź skrzynkę" in sent.get_data(as_text=True)
    assert inbox.messages == []  # never sent from the web request
    jobs.tick()
    (confirmation,) = inbox.messages
    assert confirmation["To"] == "Kunde@example.com"
    assert "Potwierdź" in confirmation["Subject"]
    path = _link(confirmation, "/subscribe/confirm/")
    # A mail scanner following the link confirms nothing: only the button (POST) does.
    assert client.get(path).status_code == 200
    assert db.session.scalar(select(Subscriber.confirmed_at)) is None
    assert "Subskrypcja jest aktywna" in client.post(path).get_data(as_text=True)

    clock(minutes=5)
    opened = incident(title="Parcels are late", body="Parcels are late.",
                      translations={"pl": "Paczki się spóźniają."})  # fmt: skip
    jobs.tick()
    clock(minutes=35)
    service.post_update(opened, status="identified", body="DHL is behind.", user=None,
                        translations={"pl": "DHL ma opóźnienia."})  # fmt: skip
    db.session.commit()
    jobs.tick()
    jobs.tick()  # a second tick (or scheduler) sends nothing twice
    clock(minutes=65)
    service.resolve(opened, body="All parcels delivered.", user=None)
    db.session.commit()
    jobs.tick()

    updates = inbox.messages[1:]
    assert len(updates) == 3
    assert [m["Subject"].split(": ")[-1] for m in updates] == [
        "Badamy przyczynę",
        "Przyczyna ustalona",
        "Rozwiązane",
    ]
    first = updates[0]
    assert "Paczki się spóźniają." in first.get_body(("plain",)).get_content()
    assert "<p>Paczki się spóźniają.</p>" in first.get_body(("html",)).get_content()
    assert first.get_content_type() == "multipart/alternative"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(
        r"<http://status\.test(/unsubscribe/\S+)>", first["List-Unsubscribe"]
    ).group(1)

    # The link opens a confirmation page (scanners that prefetch unsubscribe nobody) …
    page = client.get(unsubscribe)
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 1
    # … and the mail client's one-click POST (RFC 8058) needs no CSRF token, only the signed link.
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.post(unsubscribe).status_code == 400  # a plain form post still needs its token
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert db.session.get(Suppression, email_hash(ADDRESS)) is not None
    clock(minutes=90)
    service.reopen(opened, status="investigating", body="Some parcels are late again.", user=None)
    db.session.commit()
    jobs.tick()
    assert len(inbox.messages) == 4  # nothing after unsubscribing


def test_the_answer_never_tells_whether_an_address_is_subscribed(app_ctx, client, inbox):
    _subscribe(client, inbox)
    known = client.post("/subscribe", data={"email": ADDRESS, "scope": "all"})
    unknown = client.post("/subscribe", data={"email": "new@example.com", "scope": "all"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()


def test_the_honeypot_and_bad_input_store_nothing(app_ctx, client, inbox):
    trap = client.post("/subscribe", data={"email": "bot@example.com", "website": "http://spam"})
    assert trap.status_code == 200
    for data in ({"email": "not an address"}, {"email": "a@b.cd", "scope": "some"},
                 {"email": "x" * 300 + "@example.com"}, {"email": "<script>@x.com"}):  # fmt: skip
        response = client.post("/subscribe", data=data)
        assert response.status_code == 400, data
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert db.session.scalar(select(func.count()).select_from(MailDelivery)) == 0


def test_sign_ups_are_limited_per_address_and_per_client(app, client, inbox):
    app.config["SUBSCRIBE_ADDRESS_RATE_LIMIT"] = "2 per hour"
    for n in range(3):
        response = client.post(
            "/subscribe",
            data={"email": "same@example.com"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
    assert response.status_code == 429
    app.config["SUBSCRIBE_RATE_LIMIT"] = "3 per minute"
    codes = [
        client.post("/subscribe", data={"email": f"p{n}@example.com"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
        for n in range(4)
    ]  # fmt: skip
    assert codes == [200, 200, 200, 429]


def test_confirmation_links_expire_and_unconfirmed_addresses_are_purged(app, client, inbox, clock):
    client.post("/subscribe", data={"email": ADDRESS})
    jobs.tick()
    path = _link(inbox.messages[0], "/subscribe/confirm/")
    clock(hours=49)
    response = client.post(path)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert client.get("/subscribe/confirm/forged").status_code == 400
    assert client.get("/unsubscribe/forged").status_code == 400
    jobs.tick()
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_component_subscribers_get_only_their_components(client, inbox, clock):
    checkout, delivery = component("Checkout"), component("Delivery")
    _subscribe(client, inbox, address="pay@example.com", lang="en", scope="some",
               components=[checkout.public_id])  # fmt: skip
    clock(minutes=1)
    incident(title="Card payments fail", components={checkout: "major_outage"})
    incident(title="Parcels are late", components={delivery: "degraded_performance"})
    jobs.tick()
    subjects = [m["Subject"] for m in inbox.to("pay@example.com")][1:]
    assert subjects == ["[Our shop] Card payments fail: Investigating"]


def test_temporary_failures_are_retried_and_permanent_ones_recorded(
    app, client, inbox, clock, caplog
):
    _subscribe(client, inbox, lang="en")
    clock(minutes=1)
    inbox.refuse = "450 4.2.1 Mailbox busy, try later"
    incident(title="First")
    caplog.set_level(logging.INFO)
    jobs.tick()
    row = db.session.scalar(select(MailDelivery).where(MailDelivery.kind == "update"))
    assert (row.state, row.attempts) == ("pending", 1) and row.error.startswith("refused: 450")
    inbox.refuse = None
    clock(minutes=1, seconds=30)
    jobs.tick()
    assert len(inbox.messages) == 1  # still in backoff (1 minute after the first attempt)
    clock(minutes=2, seconds=30)
    jobs.tick()
    db.session.refresh(row)
    assert (row.state, row.attempts, len(inbox.messages)) == ("sent", 2, 2)

    inbox.refuse = "550 5.1.1 <kunde@example.com>: no such user"
    incident(title="Second")
    jobs.tick()
    clock(hours=3)
    jobs.tick()
    failed = db.session.scalar(select(MailDelivery).where(MailDelivery.state == "failed"))
    assert failed.attempts == 1 and failed.error.startswith("refused: 550")
    assert "kunde@example.com" not in failed.error.lower()
    ours = [r.getMessage().lower() for r in caplog.records if r.name.startswith("statuspage")]
    assert ours and not any("kunde@example.com" in line for line in ours)


def test_the_owner_sees_mail_that_could_not_be_delivered(app, client, auth, inbox):
    _subscribe(client, inbox, lang="en")
    subscriber = db.session.scalar(select(Subscriber))
    db.session.add(MailDelivery(key="update:x", kind="update", subscriber_id=subscriber.id,
                                state="failed", attempts=1, error="refused: 550 5.1.1 no such user"))  # fmt: skip
    db.session.commit()
    auth.login()
    page = client.get("/admin/subscribers").get_data(as_text=True)
    assert "Mail that could not be delivered" in page and "refused: 550" in page
    assert subscriber.email in page  # owners may see addresses


def test_admin_lists_searches_exports_and_removes_subscribers(app, client, auth, inbox):
    _subscribe(client, inbox, lang="en")
    auth.login()
    page = client.get("/admin/subscribers?q=KUNDE").get_data(as_text=True)
    assert "Kunde@example.com" in page and "1 confirmed" in page
    assert "Kunde@example.com" not in client.get("/admin/subscribers?q=zzz").get_data(as_text=True)
    rows = list(
        csv.reader(io.StringIO(client.get("/admin/subscribers.csv").get_data(as_text=True)))
    )
    assert rows[1][:3] == ["Kunde@example.com", "en", "all"]
    client.post("/admin/subscribers/test")
    jobs.tick()
    assert inbox.messages[-1]["To"] == "owner@shop.test"
    subscriber = db.session.scalar(select(Subscriber))
    client.post(f"/admin/subscribers/{subscriber.id}/remove")
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert "Kunde@example.com" not in client.get("/admin/subscribers").get_data(as_text=True)


def test_slack_text_escapes_control_sequences(app):
    assert (
        notify.slack_escape("<!channel> & <https://x|y>")
        == "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"
    )
