"""A data breach is a notice, not an outage; a postmortem never goes public as a template; the write
API composes follow-ups from the playbook like the admin."""

from datetime import timedelta

import pytest

from statuspage.extensions import db
from statuspage.models import Incident, utcnow
from statuspage.services import ServiceError
from statuspage.services.aftercare import postmortem
from statuspage.services.incidents import lifecycle
from statuspage.services.playbooks.messages import BLANK
from statuspage.services.shop import saved_shop
from tests.helpers import component, incident
from tests.test_api_v1 import api  # noqa: F401  (the fixture)
from tests.test_api_v2 import validate
from tests.test_truthful_messages import _english_shop, _open_breach


def test_a_data_breach_is_an_important_notice_not_an_outage(client, auth):
    _english_shop()
    accounts = component("Customer accounts")
    auth.login()
    page = client.get("/admin/playbooks/data-breach/open").get_data(as_text=True)
    assert "A notice, not an outage" in page
    assert (
        'value="partial_outage" selected' not in page
        and 'value="major_outage" selected' not in (page)
    )
    breach = _open_breach(client)
    assert breach.is_notice and accounts.status == "operational"
    front = client.get("/").get_data(as_text=True)
    banner = front.split('class="banner', 1)[1].split("</section>", 1)[0]
    assert "Important notice" in banner and "Outage" not in banner
    assert "indicator-notice" in front
    summary = client.get("/api/v2/summary.json").get_json()
    validate(summary, "summary")
    assert summary["status"] == {"indicator": "none", "description": "Important notice"}
    assert summary["incidents"][0]["impact"] == "none"
    assert summary["incidents"][0]["candor"]["notice"] is True
    assert client.get("/badge.json").get_json()["message"] == "important notice"


def test_the_notice_banner_speaks_every_language(client, auth):
    shop = saved_shop()
    shop.languages, shop.contact_email = "en,ru,pl,lv,ar", "help@shop.test"
    db.session.commit()
    incident(title="Fake e-mails in our name", kind="phishing-impersonation", notice=True)
    words = {"en": "Important notice", "ru": "Важное уведомление", "pl": "Ważny komunikat",
             "lv": "Svarīgs paziņojums", "ar": "إشعار مهم"}  # fmt: skip
    for lang, word in words.items():
        front = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert word in front.split('class="banner', 1)[1].split("</section>", 1)[0], lang


def test_a_notice_with_a_component_down_still_shows_the_outage(app_ctx, client):
    checkout = component("Checkout")
    incident(title="Fake e-mails", kind="phishing-impersonation", notice=True)
    incident(title="Checkout is down", components={checkout: "major_outage"}, impact="critical")
    status = client.get("/api/v2/status.json").get_json()["status"]
    assert status == {"indicator": "critical", "description": "Major Service Outage"}


def _resolved(title="Parcels are late", components=None):
    made = incident(title=title, kind="delivery-delay", impact="minor", components=components)
    lifecycle.post_update(
        made, status="identified", user=None,
        body="The courier " + "really " * 40 + "should have told us much earlier about the hub.",
    )  # fmt: skip
    lifecycle.resolve(made, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    return made


def test_the_prefilled_postmortem_has_no_broken_or_cut_sentences(app_ctx):
    draft = postmortem.prefill(_resolved())
    assert ", —" not in draft and "()" not in draft and "—." not in draft
    timeline = [line for line in draft.splitlines() if line.startswith("- **")]
    assert timeline and all(line.endswith((".", "…")) for line in timeline)
    assert any(line.endswith("really…") for line in timeline)
    assert postmortem.leftovers(_resolved("Second"), draft)  # the prompts are still there


@pytest.mark.parametrize(
    ("edit", "place"),
    [
        (lambda text: text.replace("We replaced the broken part.", "Describe the fix."),
         "under “What we did to fix it”"),
        (lambda text: text + "\n- **3 Mar 2026, 10:00 UTC** — Identified: It shou", "cut off"),
        (lambda text: text + "\n\nBetween 1 and 2 March (), — did not work.", "broken"),
    ],
)  # fmt: skip
def test_a_postmortem_with_template_text_is_refused_with_the_place_named(app_ctx, edit, place):
    made = _resolved()
    written = BLANK.sub("We replaced the broken part.", postmortem.prefill(made))
    postmortem.save(made, edit(written), user=None)
    db.session.flush()
    with pytest.raises(ServiceError, match="template text") as refused:
        postmortem.publish(made, "http://status.test/x", user=None, confirm=True)
    assert place in str(refused.value)
    postmortem.save(made, written, user=None)  # the same text, written: it goes out
    postmortem.publish(made, "http://status.test/x", user=None, confirm=True)


def test_a_published_postmortem_says_its_button_publishes_and_refuses_template_text(client, auth):
    auth.login()
    made = _resolved()
    text = BLANK.sub("We wrote this ourselves.", postmortem.prefill(made))
    postmortem.save(made, text, user=None)
    db.session.commit()
    postmortem.publish(made, "http://status.test/x", user=None, confirm=True)
    db.session.commit()
    page = client.get(f"/admin/incidents/{made.public_id}/aftercare").get_data(as_text=True)
    assert "Publish the changes" in page and "Save draft" not in page
    refused = client.post(
        f"/admin/incidents/{made.public_id}/postmortem",
        data={"action": "save", "body": text + "\n\n[[Describe the cause.]]"},
    )
    assert refused.status_code == 400 and "template text" in refused.get_data(as_text=True)
    assert "[[Describe the cause.]]" in refused.get_data(as_text=True)  # kept in the editor
    assert "[[" not in postmortem.get(made).body


def test_the_write_api_composes_a_follow_up_from_the_playbook(client, auth, api):  # noqa: F811
    _english_shop()
    auth.login()
    breach = _open_breach(client)
    url = f"/incidents/{breach.public_id}/updates"
    answer = api.call("POST", "/incidents/{public_id}/updates", url,
                      body={"variables": {"cause": "a backup was reachable without a password"}})  # fmt: skip
    assert answer.status_code == 201, answer.get_json()
    update = answer.get_json()["incident"]["updates"][0]
    assert update["status"] == "identified"
    assert "a backup was reachable without a password" in update["body"]
    assert "We will report the breach to the data protection authority by" in update["body"]
    assert "keeps the promise" in answer.get_json()["message"]
    lying = api.call("POST", "/incidents/{public_id}/updates", url,
                     body={"status": "monitoring", "variables": {"cause": "x"}, "body": "y"})  # fmt: skip
    assert lying.status_code == 400


def test_the_write_api_takes_the_times(api):  # noqa: F811
    aware = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
    made = api.call("POST", "/incidents", body={
        "title": "Checkout is slow", "body": "We are looking into it.",
        "became_aware_at": aware.isoformat() + "Z",
    })  # fmt: skip
    assert made.status_code == 201
    data = made.get_json()["incident"]
    assert data["began_at"] is None and data["became_aware_at"].startswith(aware.isoformat())
    late = api.call("POST", "/incidents", body={"title": "x", "body": "y",
                    "began_at": aware.isoformat() + "Z",
                    "became_aware_at": (aware - timedelta(hours=1)).isoformat() + "Z"})  # fmt: skip
    assert late.status_code == 422 and db.session.query(Incident).count() == 1
