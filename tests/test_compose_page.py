"""The compose page as the team works with it (issue 15): the check beside the section being typed,
boxes as tall as their text, languages by name, errors only after an attempt, human durations, no
unexplained codes, and no promise asked of a final update."""

import re

from statuspage.extensions import db
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services.aftercare.checklist import attach
from tests.helpers import incident
from tests.test_compose import BREACH, _later, _shop


def _composed(client, **extra) -> str:
    data = {"stage": "investigating", "next_update_at": _later(), "langs": ["en", "pl"], **BREACH}
    data |= {"var-data_types.pl": "imię i adres e-mail", **extra}
    data |= {"var-affected_customers.pl": "klienci, którzy zamówili w marcu", "action": "compose"}
    return client.post("/admin/playbooks/data-breach/open", data=data).get_data(as_text=True)


def _beside(page: str, box: str) -> str:
    """Return what the page shows right after a section's text box, up to the next section."""
    after = page[page.index(f'id="{box}"') :]
    return after[: after.index('<div class="field">') if '<div class="field">' in after else 2000]


def test_a_sections_check_result_is_shown_beside_it(client, auth):
    _shop()
    auth.login()
    page = _composed(client)
    text = page[page.index('name="sec-en-who_is_affected"') :]
    form = {"stage": "investigating", "next_update_at": _later(), "langs": ["en"], **BREACH}
    form |= {k: v for k, v in re.findall(r'name="(sec-en-[a-z_]+)"[^>]*>([^<]*)<', page)}
    form |= {"sec-en-who_is_affected": "", "action": "preview"}
    checked = client.post("/admin/playbooks/data-breach/open", data=form).get_data(as_text=True)
    assert "Who is affected: missing" in _beside(checked, "sec-en-who_is_affected")
    assert "Who is affected: missing" not in _beside(checked, "sec-en-what_happened")
    assert "Who is affected" in text  # the composed box holds text before the agent empties it


def test_section_boxes_fit_their_text_and_headings_name_the_language(client, auth):
    _shop()
    auth.login()
    page = _composed(client)
    rows = [int(r) for r in re.findall(r'<textarea id="sec-en-[a-z_]+"[^>]*rows="(\d+)"', page)]
    assert rows and max(rows) > 3
    assert '<h2 id="lang-pl" lang="pl">Polski</h2>' in page and "Message in" not in page
    assert '<h2 id="lang-en" lang="en">English</h2>' in page


def test_needed_is_said_only_after_an_attempt(app_ctx, client, auth):
    _shop("en")
    opened = incident(kind="data-breach")  # opened by hand: the playbook's facts were never given
    auth.login()
    first = client.get(f"/admin/incidents/{opened.public_id}/compose").get_data(as_text=True)
    assert "This is needed" not in first
    tried = client.post(
        f"/admin/incidents/{opened.public_id}/compose",
        data={
            "stage": "identified",
            "next_update_at": _later(),
            "langs": ["en"],
            "action": "compose",
        },
    ).get_data(as_text=True)
    assert "This is needed" in tried


def test_deadlines_and_playbooks_say_durations_as_people_do(client, auth):
    auth.login()
    page = client.get("/admin/playbooks/data-breach/open").get_data(as_text=True)
    guidance = page[page.index('id="guidance-h"') :]
    assert "within 72 hours of becoming aware." in re.sub(r"\s+", " ", guidance)
    assert " ." not in re.sub(r"<[^>]+>", "", guidance)
    listing = client.get("/admin/playbooks").get_data(as_text=True)
    assert not re.search(r"\b\d+ h\b", listing) and "72 hours" in listing


def test_follow_ups_wait_in_days_after_resolution(app_ctx, client, auth):
    _shop("en")
    opened = incident(kind="data-breach")
    auth.login()
    plan = client.get(f"/admin/incidents/{opened.public_id}/plan").get_data(as_text=True)
    assert "after resolution" in plan and not re.search(r"\d+ h after", plan)


def test_reasons_carry_no_unexplained_codes(app_ctx, client, auth):
    _shop("en")
    opened = incident(kind="data-breach")
    attach(opened)
    db.session.commit()
    assert db.session.query(ChecklistEntry).count()
    assert not any(
        re.search(r"\(\d{3}\)", why)
        for entry in db.session.query(ChecklistEntry)
        for why in (entry.why or {}).values()
    )


def test_a_final_update_asks_no_next_update_time(app_ctx, client, auth):
    """Switching the stage to Resolved and composing again leaves *Next update by* empty."""
    _shop("en")
    opened = incident(kind="data-breach", status="monitoring", variables=_facts())
    auth.login()
    form = {"stage": "resolved", "next_update_at": _later(), "langs": ["en"]}
    again = client.post(
        f"/admin/incidents/{opened.public_id}/compose", data={**form, "action": "compose"}
    ).get_data(as_text=True)
    field = again[again.index('id="next_update_at"') :]
    assert field.startswith(
        'id="next_update_at" name="next_update_at" type="datetime-local" value=""'
    )
    assert "required" not in field[: field.index(">")]
    assert "a final update promises nothing more" in again


def _facts() -> dict:
    return {key.removeprefix("var-"): value for key, value in BREACH.items()}
