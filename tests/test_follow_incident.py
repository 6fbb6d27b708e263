"""Follow one incident: sign up from its page, confirm (double opt-in), get its updates in your language
through a real SMTP server, and nothing more once the final update was sent."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from statuspage import jobs
from statuspage.extensions import db
from statuspage.models.subscribers import IncidentFollow, Subscriber, Suppression
from statuspage.services.incidents import lifecycle as service
from statuspage.services.shop import saved_shop
from tests.helpers import incident

ADDRESS = "kunde@example.com"


def _link(message, pattern: str) -> str:
    """Find a link in a message's text part and return its path."""
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://status\.test(" + pattern + r"\S+)", text).group(1)


def _count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_follow_one_incident_from_sign_up_to_its_end(app, app_ctx, client, inbox, clock):
    saved_shop().languages = "en,pl"
    db.session.commit()
    followed = incident(title="Checkout is down", body="Checkout fails.",
                        translations={"pl": "Kasa nie działa."})  # fmt: skip
    other = incident(title="Parcels are late", body="Parcels are late.")
    jobs.tick()

    page = client.get(f"/incidents/{followed.public_id}?lang=pl").get_data(as_text=True)
    link = (
        f'href="/subscribe?incident={followed.public_id}&amp;lang=pl">Śledź ten incydent e-mailem'
    )
    assert link in page
    form = client.get(f"/subscribe?incident={followed.public_id}&lang=pl").get_data(as_text=True)
    assert "Checkout is down" in form and 'name="scope"' not in form
    sent = client.post(f"/subscribe?incident={followed.public_id}&lang=pl", data={"email": ADDRESS})
    assert sent.status_code == 200 and "Sprawdź skrzynkę" in sent.get_data(as_text=True)
    assert inbox.messages == []  # never from the web request
    jobs.tick()
    (confirmation,) = inbox.messages
    path = _link(confirmation, "/subscribe/confirm/")
    assert client.get(path).status_code == 200  # a mail scanner confirms nothing
    assert _count(IncidentFollow) == 0
    assert client.post(path).status_code == 200
    assert _count(IncidentFollow) == 1

    clock(minutes=10)
    service.post_update(followed, status="identified", body="A payment provider fails.", user=None,
                        translations={"pl": "Zawodzi operator płatności."})  # fmt: skip
    service.post_update(other, status="identified", body="The carrier is behind.", user=None)
    db.session.commit()
    jobs.tick()
    jobs.tick()  # nothing twice
    clock(minutes=40)
    service.resolve(followed, body="Checkout works again.", user=None,
                    translations={"pl": "Kasa znów działa."})  # fmt: skip
    db.session.commit()
    jobs.tick()

    mails = inbox.to(ADDRESS)[1:]
    assert [m["Subject"].split(": ")[-1] for m in mails] == ["Przyczyna ustalona", "Rozwiązane"]
    assert "Kasa znów działa." in mails[-1].get_body(("plain",)).get_content()
    assert all("Parcels" not in m["Subject"] for m in mails)
    # The final update went out: the follow ended, and with it the address (not an unsubscription).
    assert _count(IncidentFollow) == _count(Subscriber) == _count(Suppression) == 0

    clock(minutes=60)
    service.reopen(followed, status="investigating", body="It fails again.", user=None)
    db.session.commit()
    jobs.tick()
    assert len(inbox.to(ADDRESS)) == 3  # nothing more
    assert client.get(f"/subscribe?incident={followed.public_id}").status_code == 200  # open again


def test_an_ended_or_hidden_incident_cannot_be_followed(app_ctx, client, inbox, clock):
    ended = incident(title="Old trouble")
    service.resolve(ended, body="Fixed.", user=None)
    draft = incident(title="Not public yet", draft=True)
    db.session.commit()
    for public_id in (ended.public_id, draft.public_id, "nope"):
        answer = client.get(f"/subscribe?incident={public_id}")
        assert answer.status_code == 404
        assert "no more updates" in answer.get_data(as_text=True)
        assert (
            client.post(f"/subscribe?incident={public_id}", data={"email": ADDRESS}).status_code
            == 404
        )
    page = client.get(f"/incidents/{ended.public_id}").get_data(as_text=True)
    assert "/subscribe?incident=" not in page
    assert _count(Subscriber) == 0


def test_following_has_the_same_rate_limit_and_keeps_a_wider_subscription(
    app, app_ctx, client, inbox, clock
):
    followed = incident()
    app.config["SUBSCRIBE_ADDRESS_RATE_LIMIT"] = "2 per hour"
    assert client.post("/subscribe", data={"email": ADDRESS, "scope": "all"}).status_code == 200
    url = f"/subscribe?incident={followed.public_id}"
    assert client.post(url, data={"email": ADDRESS}).status_code == 200
    assert client.post(url, data={"email": ADDRESS}).status_code == 429
    jobs.tick()
    for message in inbox.messages:  # confirm both: everything, then following the incident
        client.post(_link(message, "/subscribe/confirm/"))
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.all_components and _count(IncidentFollow) == 1
    service.resolve(followed, body="Fixed.", user=None)
    db.session.commit()
    jobs.tick()
    assert _count(IncidentFollow) == 0 and _count(Subscriber) == 1  # still subscribed to everything
