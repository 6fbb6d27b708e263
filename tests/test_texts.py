"""Everything shown is translatable: titles, postmortems and the team's own checklist items written per
language in the admin and the write API, shown in the reader's language, falling back visibly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from statuspage.extensions import db
from statuspage.models import AuditEntry, utcnow
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services import ServiceError
from statuspage.services.aftercare import checklist, postmortem
from statuspage.services.incidents import lifecycle as service
from statuspage.services.incidents.maintenance import plan_maintenance
from statuspage.services.team.tokens import create_token
from tests.helpers import component, incident, languages
from tests.test_api_v1 import Api

POLISH = (
    "# Co się stało\n\nCentrum sortowania było przeciążone i paczki czekały dzień dłużej.\n\n"
    "## Co zmieniamy\n\nMamy drugiego przewoźnika na takie dni."
)
ENGLISH = "# What happened\n\nThe sorting hub was overloaded and parcels waited a day longer."


def _audits(action: str) -> int:
    return db.session.query(AuditEntry).filter_by(action=action).count()


@pytest.fixture
def resolved(app_ctx):
    """A resolved incident with the main postmortem saved (a draft) and one item of the team's own."""
    languages("en,pl,ar")
    opened = incident(title="Parcels are late", kind="delivery-delay")
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    postmortem.save(opened, ENGLISH, user=None)
    own = checklist.add(opened, text="Refund the shipping fee", category="make_it_right",
                        lang="en", user=None, public=True)  # fmt: skip
    db.session.commit()
    return opened, own


def test_an_incidents_title_is_written_per_language_on_its_admin_page(client, auth):
    languages("en,pl,ar")
    opened = incident(title="Checkout is slow")
    auth.login()
    page = client.get(f"/admin/incidents/{opened.public_id}").get_data(as_text=True)
    assert 'name="title.pl"' in page and 'name="title.ar"' in page and 'name="title.en"' not in page
    too_long = client.post(f"/admin/incidents/{opened.public_id}/titles",
                           data={"title.pl": "Kasa działa wolno", "title.ar": "ب" * 201})  # fmt: skip
    assert too_long.status_code == 400
    shown = too_long.get_data(as_text=True)
    assert "200 characters at most" in shown and 'value="Kasa działa wolno"' in shown  # kept
    db.session.refresh(opened)
    assert not opened.title_translations and _audits("incident.titles") == 0
    saved = client.post(f"/admin/incidents/{opened.public_id}/titles",
                        data={"title.pl": " Kasa działa wolno ", "title.ar": ""})  # fmt: skip
    assert saved.status_code == 302 and saved.location.endswith("#titles")
    db.session.refresh(opened)
    assert opened.title_translations == {"pl": "Kasa działa wolno"}
    assert _audits("incident.titles") == 1
    assert "<h1" in client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert "Kasa działa wolno" in polish
    arabic = client.get(f"/incidents/{opened.public_id}?lang=ar").get_data(as_text=True)
    assert '<span lang="en" dir="auto">Checkout is slow</span>' in arabic


def test_a_maintenances_title_is_written_per_language_too(client, auth):
    languages("en,lv")
    start = utcnow() + timedelta(days=2)
    planned = plan_maintenance(title="Database upgrade", body="We upgrade the database.",
                               user=None, components=[component()], scheduled_for=start,
                               scheduled_until=start + timedelta(hours=1))  # fmt: skip
    db.session.commit()
    auth.login()
    page = client.get(f"/admin/incidents/{planned.public_id}").get_data(as_text=True)
    assert 'name="title.lv"' in page
    saved = client.post(f"/admin/incidents/{planned.public_id}/titles",
                        data={"title.lv": "Datubāzes atjaunināšana"})  # fmt: skip
    assert saved.status_code == 302
    latvian = client.get(f"/incidents/{planned.public_id}?lang=lv").get_data(as_text=True)
    assert "Datubāzes atjaunināšana" in latvian


def test_the_postmortem_is_written_per_language_under_the_same_rules(client, auth, resolved):
    opened, _ = resolved
    auth.login()
    page = client.get(f"/admin/incidents/{opened.public_id}/aftercare").get_data(as_text=True)
    assert 'id="pm-body-pl"' in page and 'id="pm-body-ar"' in page
    assert "## Podsumowanie" in page  # Polish starts from the Polish template, pre-filled
    url = f"/admin/incidents/{opened.public_id}/postmortem/pl"
    preview = client.post(
        url, data={"action": "preview", "body": POLISH + "\n\n<script>x</script>"}
    )
    assert preview.status_code == 200
    shown = preview.get_data(as_text=True)
    assert "<h3>Co się stało</h3>" in shown and "<script>x" not in shown  # sanitized
    assert "&lt;script&gt;x&lt;/script&gt;" in shown  # and still in the editor, as typed
    same = client.post(url, data={"action": "save", "body": ENGLISH})
    assert same.status_code == 400 and "translate it" in same.get_data(as_text=True)
    draft = POLISH + "\n\n[[Opisz przyczynę.]]"
    assert client.post(url, data={"action": "save", "body": draft}).status_code == 302
    assert _audits("postmortem.translations") == 1
    with pytest.raises(ServiceError, match="not ready.*still to be written"):
        postmortem.publish(opened, "http://status.test/x", user=None, confirm=True)
    db.session.rollback()
    assert client.post(url, data={"action": "save", "body": POLISH}).status_code == 302
    postmortem.publish(opened, "http://status.test/x", user=None, confirm=True)
    db.session.commit()
    # Published: a change goes public at once, so English in the Polish text is refused, kept typed.
    english_inside = POLISH + "\n\nWe are sorry for the trouble and we will do better."
    refused = client.post(url, data={"action": "save", "body": english_inside})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "is not in this language" in body and "we will do better" in body
    db.session.refresh(postmortem.get(opened))
    assert postmortem.get(opened).translations["pl"]["body"] == POLISH
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert '<div class="body"><h3>Co się stało</h3>' in polish
    arabic = client.get(f"/incidents/{opened.public_id}?lang=ar").get_data(as_text=True)
    assert '<div class="body" lang="en" dir="auto"><h3>What happened</h3>' in arabic
    assert client.post(f"/admin/incidents/{opened.public_id}/postmortem/xx",
                       data={"body": POLISH}).status_code == 404  # fmt: skip


def test_a_translation_waits_for_the_main_postmortem(client, auth):
    languages("en,pl")
    opened = incident(title="Parcels are late")
    service.resolve(opened, body="Delivered.", user=None, confirm_open_items=True)
    db.session.commit()
    auth.login()
    page = client.post(f"/admin/incidents/{opened.public_id}/postmortem/pl",
                       data={"action": "save", "body": POLISH})  # fmt: skip
    assert page.status_code == 400 and "main language first" in page.get_data(as_text=True)


def test_the_teams_own_checklist_items_are_written_per_language(client, auth, resolved):
    opened, own = resolved
    auth.login()
    page = client.get(f"/admin/incidents/{opened.public_id}/aftercare").get_data(as_text=True)
    assert f'id="text-{own.id}-pl"' in page
    playbook_item = next(e for e in checklist.entries(opened) if e.key)
    assert f'id="text-{playbook_item.id}-pl"' not in page  # the playbook has it in every language
    url = f"/admin/checklist/{own.id}/texts"
    too_long = client.post(url, data={"text.pl": "Zwrot", "text.ar": "x" * 501})
    assert too_long.status_code == 400 and 'value="Zwrot"' in too_long.get_data(as_text=True)
    assert client.post(url, data={"text.pl": "Zwracamy opłatę za wysyłkę"}).status_code == 302
    db.session.refresh(own)
    assert own.text == {"en": "Refund the shipping fee", "pl": "Zwracamy opłatę za wysyłkę"}
    assert _audits("checklist.texts") == 1
    refused = client.post(f"/admin/checklist/{playbook_item.id}/texts", data={"text.pl": "x"})
    assert refused.status_code == 400 and "comes from the playbook" in refused.get_data(
        as_text=True
    )
    polish = client.get(f"/incidents/{opened.public_id}?lang=pl").get_data(as_text=True)
    assert "Zwracamy opłatę za wysyłkę" in polish
    arabic = client.get(f"/incidents/{opened.public_id}?lang=ar").get_data(as_text=True)
    assert '<span lang="en" dir="auto">Refund the shipping fee</span>' in arabic


def test_checklist_items_fall_back_visibly(app_ctx):
    entry = ChecklistEntry(text={"en": "Call the courier"}, category="fix")
    assert entry.shown_in("en", "en").__html__() == "Call the courier"
    assert entry.shown_in("pl", "en").__html__() == (
        '<span lang="en" dir="auto">Call the courier</span>'
    )
    entry.text = {"pl": "Zadzwoń"}  # written in another language than the shop's default
    assert entry.shown_in("ar", "en").lang == "pl" and entry.shown_in("pl", "en").fallback is False


def test_the_write_api_translates_the_postmortem_and_the_teams_own_items(client, editor, resolved):
    opened, own = resolved
    _, secret = create_token(editor, "translator")
    db.session.commit()
    api = Api(client, secret)
    base = f"/incidents/{opened.public_id}"
    shown = api.call("GET", "/incidents/{public_id}/aftercare", f"{base}/aftercare").get_json()
    assert shown["postmortem"]["body"] == ENGLISH and shown["postmortem"]["translations"] == {}
    item = next(i for i in shown["checklist"] if i["id"] == own.id)
    assert item["own"] is True and item["text"] == {"en": "Refund the shipping fee"}
    write = "/incidents/{public_id}/postmortem/translations"
    for body, said in (
        ({"translations": {"xx": "?"}}, "not one of the shop's other languages"),
        ({"translations": {"pl": ENGLISH}}, "translate it"),
        ({"translations": {"pl": 3}}, "must be a string"),
        ({"translations": {"pl": POLISH}, "more": 1}, "Unknown field"),
    ):
        refused = api.call("POST", write, f"{base}/postmortem/translations", body=body)
        assert refused.status_code in (400, 422) and said in refused.get_json()["error"]["message"]
    assert postmortem.get(opened).translations == {} and _audits("postmortem.translations") == 0
    done = api.call("POST", write, f"{base}/postmortem/translations",
                    body={"translations": {"pl": POLISH}})  # fmt: skip
    assert done.status_code == 200
    assert done.get_json()["postmortem"]["translations"] == {"pl": POLISH}
    item_url = "/incidents/{public_id}/checklist/{item_id}/translations"
    playbook_item = next(e for e in checklist.entries(opened) if e.key)
    refused = api.call("POST", item_url, f"{base}/checklist/{playbook_item.id}/translations",
                       body={"translations": {"pl": "x"}})  # fmt: skip
    assert refused.status_code == 422 and "comes from the playbook" in refused.get_data(
        as_text=True
    )
    missing = api.call("POST", item_url, f"{base}/checklist/999999/translations",
                       body={"translations": {"pl": "x"}})  # fmt: skip
    assert missing.status_code == 404 and "no checklist item" in missing.get_data(as_text=True)
    done = api.call("POST", item_url, f"{base}/checklist/{own.id}/translations",
                    body={"translations": {"ar": "نعيد رسوم الشحن"}})  # fmt: skip
    assert done.status_code == 200
    item = next(i for i in done.get_json()["checklist"] if i["id"] == own.id)
    assert item["text"] == {"en": "Refund the shipping fee", "ar": "نعيد رسوم الشحن"}
