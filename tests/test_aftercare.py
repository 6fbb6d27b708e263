"""After the crisis: the checklist from the playbook, public actions, postmortem, trust report."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete

from statuspage.extensions import db
from statuspage.models import AuditEntry, Incident, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services import ServiceError
from statuspage.services.aftercare import checklist, postmortem, trust_report
from statuspage.services.incidents import lifecycle as service
from statuspage.services.playbooks.messages import BLANK
from statuspage.services.shop import saved_shop
from tests.conftest import writes
from tests.helpers import incident


def _delivery_delay():
    return incident(title="Parcels are late", kind="delivery-delay", impact="minor")


def test_playbook_checklist_is_attached_with_due_times(app, app_ctx):
    opened = _delivery_delay()
    items = checklist.entries(opened)
    assert len(items) >= 5 and {e.category for e in items} >= {"own_it", "make_it_right"}
    later = [e for e in items if e.after == "resolved"]
    assert later and all(e.due_at is None for e in later)  # not known until resolution
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    assert all(e.due_at == opened.resolved_at + timedelta(hours=e.hours) for e in later)


def test_tick_skip_add_assign(app, owner):
    opened = _delivery_delay()
    first, second = checklist.entries(opened)[:2]
    checklist.tick(first, user=owner, note="Sent the apology e-mail")
    checklist.skip(second, user=owner, reason="Not relevant: nobody paid for express")
    custom = checklist.add(
        opened,
        text="Call our 10 biggest customers",
        category="listen_and_follow_up",
        lang="en",
        user=owner,
        public=True,
    )
    checklist.assign(custom, owner, user=owner)
    db.session.commit()
    assert first.state == "done" and first.done_by_id == owner.id and first.note.startswith("Sent")
    assert second.state == "skipped" and custom.assignee_id == owner.id
    assert db.session.query(AuditEntry).filter(AuditEntry.action.like("checklist.%")).count() == 4


def test_skip_needs_a_reason(app, app_ctx):
    import pytest

    from statuspage.services import ServiceError

    entry = checklist.entries(_delivery_delay())[0]
    with pytest.raises(ServiceError, match="Say why"):
        checklist.skip(entry, user=None, reason=" ")


def test_public_page_shows_what_we_do_to_make_it_right_after_resolution(app_ctx, client):
    opened = _delivery_delay()
    public = [e for e in checklist.entries(opened) if e.public]
    checklist.tick(public[0], user=None)
    db.session.commit()
    assert "make it right" not in client.get(f"/incidents/{opened.public_id}").get_data(
        as_text=True
    )
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert "What we are doing to make it right" in page
    assert public[0].text_in("en") in page and "done" in page and "planned" in page
    unoffered = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert public[0].text_in("pl") not in unoffered  # Polish only once the shop enables it
    saved_shop().languages = "en,pl"
    db.session.commit()
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert '<html lang="pl"' in polish and "Co robimy, żeby to naprawić" in polish
    assert public[0].text_in("pl") in polish and public[0].text_in("en") not in polish


def test_postmortem_prefill_publish_and_edit(app, client, owner):
    opened = _delivery_delay()
    service.post_update(
        opened, status="identified", body="Courier overloaded.\nMore text.", user=None
    )
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    draft = postmortem.prefill(opened)
    assert (
        "Parcels are late" in draft and "Courier overloaded." in draft and "More text" not in draft
    )
    postmortem.save(opened, draft, user=owner)  # a draft may still hold the template's prompts
    db.session.flush()
    with pytest.raises(ServiceError, match=r"template text — line \d+ \(under “Impact”\)"):
        postmortem.publish(opened, "http://status.test/x", user=owner)
    draft = BLANK.sub("We wrote this part ourselves.", draft)
    postmortem.save(opened, draft, user=owner)
    db.session.commit()
    assert (
        "Postmortem"
        not in client.get(f"/incidents/{opened.public_id}")
        .get_data(as_text=True)
        .split("<main")[1]
        .split("Updates")[0]
    )
    with time_machine.travel(
        utcnow() + timedelta(days=40), tick=False
    ):  # follow-ups are overdue by then
        with pytest.raises(ServiceError, match="overdue"):
            postmortem.publish(opened, "http://status.test/x", user=owner)
        postmortem.publish(opened, "http://status.test/x", user=owner, confirm=True)
        db.session.commit()
    assert opened.status == "postmortem" and opened.updates[0].status == "postmortem"
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert 'id="postmortem"' in page and "What caused it" in page
    postmortem.save(opened, draft + "\n\nCorrection.", user=owner)
    db.session.commit()
    assert postmortem.get(opened).edited_at is not None
    assert db.session.query(AuditEntry).filter_by(action="postmortem.edit").count() == 1


def test_trust_report_figures_and_csv(app, app_ctx):
    start = utcnow() - timedelta(hours=10)
    with time_machine.travel(start, tick=False):
        opened = _delivery_delay()
        service.post_update(
            opened,
            status="identified",
            body="x",
            user=None,
            next_update_at=start + timedelta(hours=2),
        )
        db.session.commit()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        service.post_update(
            opened,
            status="monitoring",
            body="kept",
            user=None,
            next_update_at=start + timedelta(hours=2),
        )
        db.session.commit()
    with time_machine.travel(start + timedelta(hours=5), tick=False):  # three hours late
        service.resolve(opened, body="late", user=None, confirm_open_items=True)
        db.session.commit()
    row = trust_report.report()[0]
    # The opening update may carry the playbook's default promise (kept: the next update came at once).
    assert row.updates == 4 and row.promises_kept == row.promises - 1  # only the resolve came late
    assert row.kept_percent == round(100 * row.promises_kept / row.promises, 1)
    assert row.longest_silence_minutes == 240.0 and row.minutes_to_resolution == 300.0
    assert row.minutes_to_first_update == 0.0
    assert trust_report.monthly([row])[0]["kept_percent"] == row.kept_percent
    opened.title = "=HYPERLINK(1)"
    assert "'=HYPERLINK" in trust_report.to_csv(trust_report.report())


def test_the_aftercare_page_only_reads_and_a_post_attaches_a_missing_checklist(
    client, auth, count_queries
):
    opened = _delivery_delay()
    db.session.execute(delete(ChecklistEntry))  # as if opened before its playbook had a checklist
    db.session.commit()
    auth.login()
    path = f"/admin/incidents/{opened.public_id}/aftercare"
    with count_queries() as statements:
        page = client.get(path).get_data(as_text=True)
    assert statements and writes(statements) == []
    assert "Attach the playbook's checklist" in page and checklist.entries(opened) == []
    client.post(f"/admin/incidents/{opened.public_id}/checklist/attach")
    assert len(checklist.entries(opened)) >= 5
    assert "Attach the playbook's checklist" not in client.get(path).get_data(as_text=True)


def test_admin_aftercare_pages(client, auth):
    opened = _delivery_delay()
    auth.login()
    page = client.get(f"/admin/incidents/{opened.public_id}/aftercare").get_data(as_text=True)
    assert "Trust-rebuilding checklist" in page and "Make it right" in page
    entry = db.session.query(ChecklistEntry).first()
    client.post(f"/admin/checklist/{entry.id}/done", data={"note": "done by phone"})
    db.session.expire_all()
    assert entry.state == "done"
    response = client.post(
        f"/admin/incidents/{opened.public_id}/resolve",
        data={"body": "Fixed."},
        follow_redirects=True,
    )
    assert (
        "still open" in response.get_data(as_text=True)
        and db.session.get(Incident, opened.id).status != "resolved"
    )
    client.post(
        f"/admin/incidents/{opened.public_id}/resolve",
        data={"body": "Fixed.", "confirm_open_items": "y"},
    )
    db.session.expire_all()
    assert opened.status == "resolved"
    assert (
        db.session.query(AuditEntry).filter_by(action="incident.resolve_with_open_items").count()
        == 1
    )
    assert "Promises kept" in client.get("/admin/report").get_data(as_text=True)
    csv = client.get("/admin/report.csv?since=junk")
    assert csv.mimetype == "text/csv" and "Parcels are late" in csv.get_data(as_text=True)


def _csrf_login(app, client):
    """Turn CSRF protection on, as in production, and log in through the real form."""
    import re

    from tests.conftest import PASSWORD

    app.config["WTF_CSRF_ENABLED"] = True
    token = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    page = client.get("/login").get_data(as_text=True)
    data = {"email": "owner@shop.test", "password": PASSWORD, "csrf_token": token.search(page)[1]}
    assert client.post("/login", data=data).status_code == 302
    return lambda path: token.search(client.get(path).get_data(as_text=True))[1]


def test_a_long_draft_previews_from_the_post_without_a_redirect(app, client, owner):
    opened = _delivery_delay()
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    token_from = _csrf_login(app, client)
    path = f"/admin/incidents/{opened.public_id}/aftercare"
    body = "# What happened\n\n" + "The courier's hub was overloaded. " * 300  # > 8 KB
    body += "\n\n<script>alert('x')</script>\n\n**Ends here.**"
    assert len(body.encode()) > 8 * 1024
    sent = {"action": "preview", "body": body}
    refused = client.post(f"/admin/incidents/{opened.public_id}/postmortem", data=sent)
    assert refused.status_code == 400  # no token, no preview
    sent["csrf_token"] = token_from(path)
    response = client.post(f"/admin/incidents/{opened.public_id}/postmortem", data=sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    preview = page.split('class="card preview">')[1]
    assert "<strong>Ends here.</strong>" in preview and "<script>" not in preview
    assert "&lt;script&gt;alert" in page  # the editor keeps the text as typed, escaped
    assert "<script>alert" not in page
    assert postmortem.get(opened) is None  # previewing saves nothing


def test_an_over_long_draft_is_refused_in_the_preview_but_kept_in_the_editor(client, auth):
    opened = _delivery_delay()
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    auth.login()
    body = "x" * 100_001 + "TAIL"
    response = client.post(
        f"/admin/incidents/{opened.public_id}/postmortem", data={"action": "preview", "body": body}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "too long" in page
    assert "TAIL</textarea>" in page and 'class="card preview"' not in page


def test_items_due_after_resolution_wait_in_their_own_group_until_then(client, auth):
    opened = _delivery_delay()
    auth.login()
    path = f"/admin/incidents/{opened.public_id}/aftercare"
    now, later = checklist.grouped(opened)
    assert later and {e.after for e in later} == {"resolved"}
    assert {e.after for e in now} == {"opened"}
    compensate = next(e for e in later if e.key == "compensate")
    page = client.get(path).get_data(as_text=True)
    main, folded = page.split('id="after-resolution"')
    assert compensate.text_in("en") not in main and compensate.text_in("en") in folded
    assert "After resolution: " in folded and "Due 48 hours after the resolution" in folded
    with time_machine.travel(utcnow() + timedelta(days=60), tick=False):
        waiting = set(later)
        assert not waiting & set(checklist.overdue_items(opened))
        assert not waiting & set(checklist.open_now_items(opened))
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    assert checklist.grouped(opened)[1] == []
    page = client.get(path).get_data(as_text=True)
    assert 'id="after-resolution"' not in page and compensate.text_in("en") in page
    assert "Due 48 h after resolution" not in page  # it has a real due time now
    service.reopen(opened, status="investigating", body="Not over yet.", user=None)
    db.session.commit()
    assert compensate in checklist.grouped(opened)[1]  # waits again for the next resolution


def test_trust_report_until_includes_its_day_in_the_shops_timezone(client, auth):
    from datetime import UTC, datetime

    saved_shop().timezone = "Europe/Berlin"
    db.session.commit()
    late_evening = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)  # 23:30 on 10 March in Berlin
    with time_machine.travel(late_evening, tick=False):
        _delivery_delay()
    with time_machine.travel(late_evening + timedelta(hours=1), tick=False):
        auth.login()
        for since, until, rows in (
            ("2026-03-10", "2026-03-10", 1),  # one day, that day included
            ("", "2026-03-10", 1),
            ("2026-03-11", "2026-03-11", 0),  # 22:30 UTC is still the 10th in Berlin
            ("2026-03-09", "2026-03-09", 0),
        ):
            csv = client.get(f"/admin/report.csv?since={since}&until={until}")
            assert csv.get_data(as_text=True).count("Parcels are late") == rows, (since, until)
        page = client.get("/admin/report?since=2026-03-10&until=2026-03-10")
        assert "Parcels are late" in page.get_data(as_text=True)


def test_report_days_are_local_days_even_when_the_clocks_change():
    from datetime import datetime

    # 29 March 2026: Berlin moves from UTC+1 to UTC+2, so that day lasts 23 hours.
    assert trust_report.day_start("2026-03-29", "Europe/Berlin") == datetime(2026, 3, 28, 23)
    until = trust_report.day_start("2026-03-29", "Europe/Berlin", following=True)
    assert until == datetime(2026, 3, 29, 22)
    assert trust_report.day_start("", "Europe/Berlin") is None


def test_postmortem_announcement_in_the_readers_language(client, owner):
    shop = saved_shop()
    shop.languages = "en,pl"
    db.session.commit()
    opened = _delivery_delay()
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    postmortem.save(opened, "# What happened\n\nThe hub was overloaded.", user=owner)
    db.session.commit()
    postmortem.publish(opened, "http://status.test/x", user=owner, confirm=True)
    db.session.commit()
    announced = opened.updates[0]
    assert set(announced.translations) == {"pl"}
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert "Opublikowaliśmy analizę po incydencie" in polish and "Przeczytaj" in polish
    assert "We have published a postmortem" not in polish
    english = client.get(f"/incidents/{opened.public_id}?lang=en").get_data(as_text=True)
    assert "We have published a postmortem" in english and "Opublikowaliśmy" not in english


def test_postmortem_announcement_follows_the_shops_default_language(app, app_ctx):
    from flask_babel import get_locale

    shop = saved_shop()
    shop.default_language, shop.languages = "pl", "pl,en,ar"
    db.session.commit()
    with app.test_request_context("/admin/"):  # the admin itself stays in English
        body, translations = postmortem.announcement("http://status.test/x")
        assert str(get_locale()) == "en"
    assert body.startswith("Opublikowaliśmy") and "(http://status.test/x#postmortem)." in body
    assert set(translations) == {"en", "ar"} and translations["en"].startswith("We have published")
    assert "نشرنا" in translations["ar"]


HEADINGS = {
    "en": "## What caused it",
    "pl": "## Co było przyczyną",
    "ru": "## Что стало причиной",
    "lv": "## Kas to izraisīja",
    "ar": "## ما سبب المشكلة",
}


def test_the_postmortem_starts_from_a_template_in_its_own_language(app_ctx):
    from statuspage.services import texts
    from statuspage.services.playbooks.language import foreign_parts

    shop = saved_shop()
    shop.languages = "en,pl,ru,lv,ar"
    opened = _delivery_delay()
    texts.set_incident_titles(opened, {"pl": "Paczki się spóźniają"}, user=None)
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    for lang, heading in HEADINGS.items():
        draft = postmortem.prefill(opened, lang)
        assert heading in draft, lang
        prompts = " ".join(BLANK.findall(draft))
        assert prompts and not foreign_parts(prompts, lang), lang
        assert postmortem.leftovers(opened, draft, lang), lang  # its own prompts are found
    polish = postmortem.prefill(opened, "pl")
    assert "Paczki się spóźniają" in polish and "godz." in polish and "Delivered" in polish
    shop.default_language = "pl"  # the main text is written in the shop's default language
    assert HEADINGS["pl"] in postmortem.prefill(opened)
