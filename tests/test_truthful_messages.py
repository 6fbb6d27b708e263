"""Every message true: actions said done only once recorded done, times that mean what they say, the
promise in the text is the promise, and the team is told what publishing did."""

import re
import shutil
from datetime import timedelta
from pathlib import Path

from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident, utcnow
from statuspage.services import plan
from statuspage.services.aftercare import checklist
from statuspage.services.clock import to_local_input
from statuspage.services.playbooks import bindings
from statuspage.services.playbooks.loader import get_playbook
from statuspage.services.playbooks.messages import transparency_check
from statuspage.services.shop import saved_shop
from tests.test_compose import BREACH, _textareas

ROOT = Path(__file__).resolve().parent.parent
OPEN = "/admin/playbooks/data-breach/open"
PLANNED = "We will report the breach to the data protection authority by"
DONE = "We have reported the breach to the data protection authority."


def _english_shop():
    shop = saved_shop()
    shop.languages, shop.contact_email = "en", "help@shop.test"
    db.session.commit()


def _local(delta: timedelta) -> str:
    return to_local_input(utcnow() + delta, "UTC")


def _compose(client, url=OPEN, **fields) -> tuple[str, dict]:
    """Compose a stage; return the page and the form a browser would send to publish it."""
    data = {"stage": "investigating", "langs": ["en"], "next_update_at": _local(timedelta(hours=4)),
            **BREACH, **fields}  # fmt: skip
    page = client.post(url, data={**data, "action": "compose"}).get_data(as_text=True)
    hidden = dict(
        re.findall(r'<input type="hidden" name="(public_id|promised)" value="([^"]*)"', page)
    )
    return page, {**data, **_textareas(page), **hidden}


def _open_breach(client, **fields) -> Incident:
    page, form = _compose(client, **fields)
    response = client.post(OPEN, data={**form, "action": "publish"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.query(Incident).one()


def test_the_authority_is_said_to_be_notified_only_once_the_deadline_is_marked_done(client, auth):
    _english_shop()
    auth.login()
    breach = _open_breach(client)
    first = breach.updates[0].body
    assert PLANNED in first and DONE not in first
    due = plan.deadlines_for(breach, utcnow())[0].due_at
    assert breach.aware_at + timedelta(hours=72) == due

    client.post(f"/admin/incidents/{breach.public_id}/deadlines/authority", data={"note": "ref 42"})
    page, form = _compose(client, f"/admin/incidents/{breach.public_id}/compose", stage="identified",
                          **{"var-cause": "a backup was reachable without a password"})  # fmt: skip
    assert DONE in form["sec-en-what_we_are_doing"] and PLANNED not in page


def test_a_done_claim_whose_item_is_open_fails_the_check_and_is_not_published(client, auth):
    _english_shop()
    auth.login()
    page, form = _compose(client)
    form["sec-en-what_we_are_doing"] += (
        "\nWe have reported the breach to the data protection authority."
    )
    response = client.post(OPEN, data={**form, "action": "publish"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and db.session.query(Incident).count() == 0
    assert "states as done what is not marked done" in text
    assert "Notify the supervisory authority (GDPR Art. 33)" in text


def test_the_check_names_the_claim_and_passes_once_the_item_is_done(app):
    with app.app_context():
        breach = get_playbook("data-breach")
        sections = {"what_we_are_doing": "We have e-mailed every affected customer."}
        open_item = {"email_affected": bindings.Claim("planned", None, "E-mail every customer")}
        done_item = {"email_affected": bindings.Claim("done", None, "E-mail every customer")}
        failing = transparency_check(breach, "monitoring", "en", sections, True, claims=open_item)
        claim = next(f for f in failing if f.code == "claims")
        assert not claim.ok and "E-mail every customer" in claim.message
        passing = transparency_check(breach, "monitoring", "en", sections, True, claims=done_item)
        assert next(f for f in passing if f.code == "claims").ok


def test_an_item_ticked_after_composing_is_said_done_when_published(client, auth):
    _english_shop()
    auth.login()
    breach = _open_breach(client)
    url = f"/admin/incidents/{breach.public_id}/compose"
    page, form = _compose(client, url, stage="identified", **{"var-passwords_exposed": "yes",
                          "var-cause": "a backup was reachable without a password"})  # fmt: skip
    assert "We will reset the passwords of affected accounts by" in form["sec-en-what_we_are_doing"]
    reset = next(e for e in checklist.entries(breach) if e.key == "reset_passwords")
    checklist.tick(reset, user=None)
    db.session.commit()
    assert client.post(url, data={**form, "action": "publish"}).status_code == 302
    published = db.session.get(Incident, breach.id).updates[0].body
    assert "We have reset the passwords of affected accounts" in published
    assert "We will reset the passwords" not in published


def test_a_skipped_item_is_neither_claimed_nor_promised(client, auth):
    _english_shop()
    auth.login()
    breach = _open_breach(client)
    audit = next(e for e in checklist.entries(breach) if e.key == "close_access")
    checklist.skip(audit, user=None, reason="Nothing was left open")
    db.session.commit()
    page, form = _compose(client, f"/admin/incidents/{breach.public_id}/compose", stage="identified",
                          **{"var-cause": "a leaked key"})  # fmt: skip
    happened = form["sec-en-what_happened"]
    assert "That gap is closed" not in happened and "closing that gap" not in happened


def test_playbooks_check_finds_a_bound_sentence_missing_in_a_language(runner, tmp_path):
    folder = tmp_path / "incidents"
    shutil.copytree(ROOT / "incidents" / "data-breach", folder / "data-breach")
    polish = folder / "data-breach" / "investigating.pl.md"
    polish.write_text(
        "\n".join(
            line for line in polish.read_text().splitlines() if "{done:authority}" not in line
        )
        + "\n"
    )
    latvian = folder / "data-breach" / "identified.lv.md"
    latvian.write_text(latvian.read_text().replace("{done:close_access}", "{done:close_door}"))
    result = runner.invoke(args=["playbooks", "check", "--dir", str(folder)])
    assert result.exit_code == 1, result.output
    assert "investigating.pl.md" in result.output
    assert "{done:authority} in what_we_are_doing is in the English text but missing here" in (
        result.output
    )
    assert "{planned:authority} needs a {done:authority} line in the same section" in result.output
    assert "no deadline or checklist item “close_door”" in result.output


def test_times_mean_what_they_say_and_deadlines_count_from_awareness(client, auth):
    _english_shop()
    auth.login()
    aware = utcnow().replace(second=0, microsecond=0) - timedelta(hours=30)
    unknown = _open_breach(client, became_aware_at=to_local_input(aware, "UTC"))
    assert unknown.began_at is None and unknown.became_aware_at == aware
    text = unknown.updates[0].body
    assert "We do not know yet when the access began" in text
    assert f"{aware.day} {aware:%B} {aware.year} at {aware:%H:%M}" in text
    assert plan.deadlines_for(unknown, utcnow())[0].due_at == aware + timedelta(hours=72)
    public = client.get(f"/incidents/{unknown.public_id}").get_data(as_text=True)
    assert "We became aware" in public and "not known yet" in public


def test_a_start_after_awareness_or_awareness_ahead_is_refused(client, auth):
    _english_shop()
    auth.login()
    for fields in (
        {"began_at": _local(-timedelta(hours=1)), "became_aware_at": _local(-timedelta(hours=2))},
        {"became_aware_at": _local(timedelta(hours=2))},
    ):
        page, form = _compose(client, **fields)
        response = client.post(OPEN, data={**form, "action": "publish"})
        assert response.status_code == 400 and db.session.query(Incident).count() == 0


def test_correcting_the_times_is_audited_and_moves_the_deadlines(client, auth):
    _english_shop()
    auth.login()
    breach = _open_breach(client)
    began, aware = utcnow() - timedelta(hours=50), utcnow() - timedelta(hours=40)
    response = client.post(
        f"/admin/incidents/{breach.public_id}/times",
        data={"began_at": to_local_input(began, "UTC"), "became_aware_at": to_local_input(aware, "UTC")},
        follow_redirects=True,
    )  # fmt: skip
    assert "Times corrected" in response.get_data(as_text=True)
    breach = db.session.get(Incident, breach.id)
    assert breach.began_at == began.replace(second=0, microsecond=0)
    due = plan.deadlines_for(breach, utcnow())[0].due_at
    assert due == breach.became_aware_at + timedelta(hours=72)
    entry = db.session.query(AuditEntry).filter_by(action="incident.times").one()
    assert entry.before["began_at"] is None and entry.after["began_at"]


def test_changing_the_promise_rewrites_its_time_and_keeps_the_teams_edits(client, auth):
    _english_shop()
    auth.login()
    page, form = _compose(client)
    later = _local(timedelta(hours=6))
    form.update({"sec-en-what_happened": form["sec-en-what_happened"] + " EDITED BY THE TEAM.",
                 "next_update_at": later})  # fmt: skip
    preview = client.post(OPEN, data={**form, "action": "preview"}).get_data(as_text=True)
    sections = _textareas(preview)
    assert "EDITED BY THE TEAM." in sections["sec-en-what_happened"]
    promised = utcnow() + timedelta(hours=6)
    assert (
        f"{promised:%H:%M}" in sections["sec-en-next_update"]
        or f"{promised.hour:02d}:" in (sections["sec-en-next_update"])
    )
    form = {**form, **sections, "promised": later}
    assert client.post(OPEN, data={**form, "action": "publish"}).status_code == 302
    update = db.session.query(Incident).one().updates[0]
    assert "EDITED BY THE TEAM." in update.body
    assert to_local_input(update.next_update_at, "UTC") == later


def test_a_text_naming_another_time_than_the_promise_fails_the_check(app):
    with app.app_context():
        breach = get_playbook("data-breach")
        sections = {"next_update": "We will post the next update here by 3 May 2026, 10:00 UTC."}
        findings = transparency_check(
            breach, "investigating", "en", sections, True, promise="3 May 2026, 14:00 UTC"
        )
        promise = next(f for f in findings if f.code == "next_update")
        assert not promise.ok and "names a time other than the promise" in promise.message


def test_publishing_says_scheduled_for_when_queued_and_whether_a_promise_was_kept(client, auth):
    _english_shop()
    auth.login()
    page, form = _compose(client, display_at=_local(timedelta(hours=1)),
                          next_update_at=_local(timedelta(hours=5)))  # fmt: skip
    queued = client.post(OPEN, data={**form, "action": "publish"}, follow_redirects=True)
    text = queued.get_data(as_text=True)
    assert "Incident scheduled for" in text and "not public until then" in text
    assert "Published." not in text


def test_a_follow_up_says_it_keeps_the_promise(client, auth):
    _english_shop()
    auth.login()
    breach = _open_breach(client)
    page, form = _compose(client, f"/admin/incidents/{breach.public_id}/compose", stage="identified",
                          **{"var-cause": "a leaked key"})  # fmt: skip
    done = client.post(f"/admin/incidents/{breach.public_id}/compose",
                       data={**form, "action": "publish"}, follow_redirects=True)  # fmt: skip
    assert "Update posted. It keeps the promise of" in done.get_data(as_text=True)
