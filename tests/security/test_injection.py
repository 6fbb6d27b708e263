"""Template injection: playbook texts, variables, titles and bodies never run as templates."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models.playbooks import PlaybookOverride
from statuspage.services.playbooks.loader import get_playbook
from statuspage.services.team.tokens import create_token
from tests.helpers import incident
from tests.security.conftest import login, unsafe_markup

CANARY = "canary-secret-0d2f6b"
SSTI = [
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ carrier|attr('__class__') }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ carrier }}{{",
    "{% raw %}{{ carrier }}{% endraw %}",
]
VARIABLES = {
    "carrier": "DHL",
    "orders_from": "2026-12-18",
    "orders_to": "2026-12-20",
    "new_delivery_date": "2026-12-23",
    "tracking_url": "https://shop.example/track",
}


@pytest.fixture
def canary(app):
    """Use a secret key that is easy to look for in every answer."""
    app.config["SECRET_KEY"] = CANARY
    return CANARY


def _clean(text: str) -> None:
    """Assert that nothing from the server's insides reached a response."""
    for leak in (CANARY, "<Config", "<class ", "uid=", "<function ", "<module "):
        assert leak not in text, leak


def _template(payload: str) -> str:
    """Return the delivery-delay investigating template with a payload in its first section."""
    source = get_playbook("delivery-delay").templates[("investigating", "en")]
    return source.replace("--- what_happened\n", f"--- what_happened\n{payload}\n", 1)


def test_playbook_texts_accept_only_plain_placeholders(app, client, owner, canary):
    login(client)
    for payload in SSTI:
        response = client.post(
            "/admin/playbooks/delivery-delay/edit",
            data={"tpl-investigating.en": _template(payload)},
        )
        assert response.status_code < 500, payload
        assert "breaks the playbook" in response.get_data(as_text=True), payload
        _clean(response.get_data(as_text=True))
        assert db.session.scalar(select(func.count()).select_from(PlaybookOverride)) == 0, payload
    _clean(client.get("/admin/playbooks/delivery-delay/edit").get_data(as_text=True))


def test_variables_and_titles_are_values_never_templates(app, client, owner, canary):
    login(client)
    hostile = {name: f"{value} {{{{ config.SECRET_KEY }}}} {{{{ 7*7 }}}}" for name, value in
               VARIABLES.items() if name == "carrier"}  # fmt: skip
    data = {
        "action": "compose",
        "stage": "investigating",
        "title": "{{ config }} {% if 1 %}yes{% endif %}",
        "langs": ["en"],
        **{f"var-{name}": value for name, value in {**VARIABLES, **hostile}.items()},
    }
    response = client.post("/admin/playbooks/delivery-delay/open", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-800:]
    _clean(page)
    assert "DHL {{ config.SECRET_KEY }} {{ 7*7 }}" in page  # printed literally, in every section


def test_the_api_composes_playbook_variables_literally(app, client, owner, canary):
    _, secret = create_token(owner, "integration")
    db.session.commit()
    variables = {
        **VARIABLES,
        "carrier": "DHL {{ config.SECRET_KEY }} {% print(1) %} <img src=x onerror=alert(1)>",
    }
    response = client.post(
        "/api/v1/incidents",
        headers={"Authorization": f"Bearer {secret}"},
        json={"playbook": "delivery-delay", "title": "Late {{ 7*7 }}", "variables": variables,
              "publish_anyway": True},
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    public_id = response.json["id"] if "id" in response.json else response.json["incident"]["id"]
    page = client.get(f"/incidents/{public_id}").get_data(as_text=True)
    _clean(page + response.get_data(as_text=True))
    assert "DHL {{ config.SECRET_KEY }} {% print(1) %}" in page and "Late {{ 7*7 }}" in page
    assert unsafe_markup(page) == []


def test_bodies_titles_and_the_postmortem_draft_are_not_templates(app, client, owner, canary):
    opened = incident(title="{{ config.SECRET_KEY }}", body="{{ config }} {% debug %} {{ 7*7 }}")
    login(client)
    client.post(f"/admin/incidents/{opened.public_id}/resolve", data={"body": "{{ self }} fixed"})
    for path in (
        f"/incidents/{opened.public_id}",
        f"/admin/incidents/{opened.public_id}",
        f"/admin/incidents/{opened.public_id}/aftercare",
        "/feed.atom",
        "/api/v2/incidents.json",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        _clean(response.get_data(as_text=True))
    page = client.get(f"/incidents/{opened.public_id}").get_data(as_text=True)
    assert "{{ config }} {% debug %} {{ 7*7 }}" in page
