"""One status vocabulary: every surface says the message catalogs' word, in every language the shop can
publish, and no module or template keeps a copy of the status lists (statuspage/vocabulary.py does)."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.support import Translations
from markupsafe import escape

from statuspage import vocabulary
from statuspage.extensions import db
from statuspage.forms import ComponentStatusForm, IncidentForm, ReopenForm, UpdateForm
from statuspage.models import Incident, utcnow
from statuspage.models.subscribers import Subscriber
from statuspage.services import components
from statuspage.services.delivery import mailer
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.incidents import lifecycle
from statuspage.services.shop import saved_shop
from statuspage.vocabulary import (
    COMPONENT_STATUSES,
    DESCRIPTIONS,
    FINAL,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    NAMES,
    OPEN_STATUSES,
    RUNNING,
)
from tests.helpers import component, incident

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "pl", "ru", "lv", "ar")
TITLE = "Parcels are late"


@cache
def _catalog(lang: str) -> Translations:
    """Read a language's compiled catalog straight from disk (English: the message ids themselves)."""
    return Translations.load(str(ROOT / "statuspage/translations"), [lang])


def catalog_word(msgid: str, lang: str) -> str:
    """Return the catalog's translation of a message, as a reader of that language sees it."""
    word = _catalog(lang).gettext(msgid)
    assert lang == "en" or word != msgid, f"the {lang} catalog lacks “{msgid}”"
    return word


def _publish_everything() -> None:
    """Let the shop publish in all five languages."""
    saved_shop().languages = ",".join(LANGUAGES)
    db.session.commit()


def _incident_in(status: str) -> Incident:
    """Open an incident (or announce a maintenance) and move it, one allowed step at a time, to a status."""
    if status in MAINTENANCE_STATUSES:
        now = utcnow()
        made = lifecycle.open_maintenance(
            title=TITLE, body="We move the warehouse.", user=None, components=[],
            scheduled_for=now + timedelta(hours=1), scheduled_until=now + timedelta(hours=3),
        )  # fmt: skip
        for step in MAINTENANCE_STATUSES[1 : MAINTENANCE_STATUSES.index(status) + 1]:
            lifecycle.post_update(made, status=step, body=f"Now {step}.", user=None)
    elif status in OPEN_STATUSES:
        made = incident(title=TITLE, status=status)
    else:
        made = incident(title=TITLE)
        lifecycle.resolve(made, body="Fixed.", user=None)
        if status != "resolved":
            lifecycle.post_update(made, status=status, body="What we learned.", user=None)
    db.session.commit()
    assert made.status == status
    return made


def _shows(page: str, word: str) -> bool:
    """Tell whether a page shows a status badge or state with exactly this word."""
    return re.search(r"</span> " + re.escape(str(escape(word))) + r"</span>", page) is not None


@pytest.mark.parametrize("status", INCIDENT_STATUSES + MAINTENANCE_STATUSES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_surface_says_the_catalog_word_for_a_status(app_ctx, client, lang, status):
    _publish_everything()
    made = _incident_in(status)
    latest = made.updates[0]
    word = catalog_word(NAMES[status], lang)

    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert _shows(page, word), f"the status page does not say “{word}”"
    permalink = client.get(f"/incidents/{made.public_id}?lang={lang}").get_data(as_text=True)
    assert _shows(permalink, word), f"the incident page does not say “{word}”"

    for feed in ("rss", "atom"):
        body = client.get(f"/history.{feed}?lang={lang}").get_data(as_text=True)
        assert f"[{word}] {TITLE}" in body, f"the {feed} feed does not say “{word}”"

    banner = client.get(f"/embed.json?lang={lang}").get_json()
    active = status not in FINAL and (status not in MAINTENANCE_STATUSES or status in RUNNING)
    assert [i["status_label"] for i in banner["incidents"]] == ([word] if active else [])
    page_state = catalog_word(DESCRIPTIONS[banner["indicator"]], lang)
    assert banner["description"] == page_state
    assert page_state in page
    badge = client.get(f"/badge.json?lang={lang}").get_json()
    assert badge["message"] == page_state.lower()
    assert page_state.lower() in client.get(f"/badge.svg?lang={lang}").get_data(as_text=True)

    subscriber = Subscriber(email="reader@shop.test", email_hash=email_hash("reader@shop.test"))
    subscriber.language, subscriber.confirmed_at = lang, utcnow()
    db.session.add(subscriber)
    db.session.commit()
    message = mailer._update_message(subscriber, latest, "vocabulary-test")
    assert message["Subject"].endswith(f": {word}")
    plain = message.get_body(("plain",)).get_content()
    assert f"{TITLE} — {word}" in plain.replace("\u2068", "").replace("\u2069", "")  # isolates (ar)


@pytest.mark.parametrize("status", COMPONENT_STATUSES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_status_page_names_component_statuses_by_the_catalog_word(
    app_ctx, client, lang, status
):
    _publish_everything()
    checkout = component()
    components.set_status(checkout, status, user=None)
    db.session.commit()
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert _shows(page, catalog_word(NAMES[status], lang))


def test_the_admin_offers_the_catalog_words(app, app_ctx, client, auth):
    english = {value: catalog_word(text, "en") for value, text in NAMES.items()}
    with app.test_request_context():
        fields = [
            IncidentForm().impact, IncidentForm().status, UpdateForm().status,
            ReopenForm().status, ComponentStatusForm().status,
        ]  # fmt: skip
        for field in fields:
            offered = [(c.value, str(c.label)) for c in field.choices]
            assert offered == [(c.value, english[c.value]) for c in field.choices]
    auth.login()
    checkout = component()
    for status in ("investigating", "scheduled"):
        made = _incident_in(status)
        page = client.get(f"/admin/incidents/{made.public_id}").get_data(as_text=True)
        expected = vocabulary.update_statuses(made.is_maintenance)
        assert _options(page, "update-status") == [(s, english[s]) for s in expected]
        picker = _options(page, f"component-{checkout.public_id}")
        assert picker == [(s, english[s]) for s in COMPONENT_STATUSES]


def _options(page: str, select_id: str) -> list[tuple[str, str]]:
    """Return the (value, text) options of a select on a page, leaving out the empty choice."""
    block = page.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', block)


# Collections that attach a module's own data to status words (not the vocabulary itself).
ALLOWED_MAPPINGS = {
    ("services/incidents/maintenance.py", "FALLBACK"),  # plain-text fallback messages per stage
    ("services/public/badges.py", "COLORS"),  # shields.io colours per page indicator
    ("services/public/uptime.py", "DOWN_WEIGHT"),  # how much of a minute each outage counts as down
}


def _copies(path: Path) -> list[str]:
    """List the literal collections of two or more status words in a module."""
    words, tree = set(NAMES), ast.parse(path.read_text(), str(path))
    names = {
        id(node.value): target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    where = str(path.relative_to(ROOT / "statuspage"))
    found = []
    for node in ast.walk(tree):
        items = (
            node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set)
            else node.keys if isinstance(node, ast.Dict) else []
        )  # fmt: skip
        hits = [i.value for i in items if isinstance(i, ast.Constant) and i.value in words]
        if len(hits) >= 2 and (where, names.get(id(node))) not in ALLOWED_MAPPINGS:
            found.append(f"{where}:{node.lineno} {hits}")
    return found


def test_no_module_but_the_vocabulary_lists_statuses():
    modules = [
        p for p in (ROOT / "statuspage").rglob("*.py")
        if p.name != "vocabulary.py" and "migrations" not in p.parts
    ]  # fmt: skip
    assert len(modules) > 50
    assert [copy for path in sorted(modules) for copy in _copies(path)] == []


def test_no_template_lists_statuses():
    words, found = set(NAMES), []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        text = path.read_text()
        for tag in re.finditer(r"\{[{%].*?[%}]\}", text, re.S):
            hits = [w for w in re.findall(r"""['"]([a-z_]+)['"]""", tag.group()) if w in words]
            if len(hits) >= 2:
                line = text.count("\n", 0, tag.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line} {hits}")
    assert found == []
