"""Write what readers see in each language: incident and maintenance titles, component names and
descriptions, postmortems and the team's own checklist items.

The main text stays in the shop's default language; these maps hold the other enabled languages
(`{"pl": "…", "ar": "…"}`). An empty text drops a language, whose readers then see the default one,
marked with its own `lang` (models/texts.py). Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from statuspage.models import Component, Incident, User, utcnow
from statuspage.models.aftercare import ChecklistEntry, Postmortem
from statuspage.models.texts import cleaned
from statuspage.services import ServiceError
from statuspage.services.aftercare.postmortem import refuse_in_translation
from statuspage.services.audit import record
from statuspage.services.markup import render_markdown
from statuspage.services.shop import get_shop

TITLE_LIMIT = 200
NAME_LIMIT = 120
TEXT_LIMIT = 2000
POSTMORTEM_LIMIT = 50_000


def other_languages() -> list[str]:
    """Return the shop's enabled languages other than the default one."""
    return get_shop().language_list[1:]


def checked(texts: Mapping[str, object] | None, limit: int, what: str) -> dict[str, str]:
    """Keep the texts of the shop's other languages; refuse an unknown language or a long text."""
    if texts is not None and not isinstance(texts, Mapping):
        raise ServiceError(
            _('%(what)s: expected a text per language, e.g. {"pl": "…"}.', what=what)
        )
    languages = other_languages()
    unknown = sorted(str(lang) for lang in (texts or {}) if lang not in languages)
    if unknown:
        raise ServiceError(
            _("%(what)s: %(unknown)s is not one of the shop's other languages (%(languages)s).",
              what=what, unknown=", ".join(unknown), languages=", ".join(languages) or "—")
        )  # fmt: skip
    if any(not isinstance(t, str | None) for t in (texts or {}).values()):
        raise ServiceError(_("%(what)s: each language's text must be a string.", what=what))
    result = cleaned(texts, languages)
    too_long = [lang for lang, text in result.items() if len(text) > limit]
    if too_long:  # said beside the first language that is too long
        raise ServiceError(
            _("%(what)s: %(limit)s characters at most per language.", what=what, limit=limit),
            field=too_long[0],
        )
    if any("\x00" in text for text in result.values()):
        raise ServiceError(_("%(what)s: the text contains a NUL character.", what=what))
    return result


def merged(old: Mapping | None, given: Mapping | None, limit: int, what: str) -> dict[str, str]:
    """Return the texts with the given languages replaced (an empty text drops its language)."""
    kept = {lang: text for lang, text in (old or {}).items() if lang not in (given or {})}
    return kept | checked(given, limit, what)


def set_incident_titles(incident: Incident, titles: Mapping | None, *, user: User | None) -> None:
    """Set an incident's (or a maintenance's) title in the languages given."""
    new = merged(incident.title_translations, titles, TITLE_LIMIT, _("Title"))
    if new == (incident.title_translations or {}):
        return
    before = dict(incident.title_translations or {})
    incident.title_translations = new
    record(user, "incident.titles", f"incident {incident.public_id}", before, new)


def set_component_texts(
    component: Component,
    names: Mapping | None,
    descriptions: Mapping | None,
    *,
    user: User | None,
) -> None:
    """Set a component's name and description in the other languages."""
    new_names = merged(component.name_translations, names, NAME_LIMIT, _("Component name"))
    new_descriptions = merged(
        component.description_translations, descriptions, TEXT_LIMIT, _("Component description")
    )
    before = {
        "names": dict(component.name_translations or {}),
        "descriptions": dict(component.description_translations or {}),
    }
    after = {"names": new_names, "descriptions": new_descriptions}
    if after == before:
        return
    component.name_translations, component.description_translations = new_names, new_descriptions
    record(user, "component.texts", f"component {component.name}", before, after)


def set_postmortem_translations(
    postmortem: Postmortem, texts: Mapping | None, *, user: User | None
) -> None:
    """Set a postmortem's text in the other languages (rendered and sanitized once).

    A published postmortem's translation goes public at once, so it passes the same rules as the main
    text (no template text left) and must be written in its language; a draft's is checked on publish.
    """
    before = {lang: t.get("body", "") for lang, t in (postmortem.translations or {}).items()}
    new = merged(before, texts, POSTMORTEM_LIMIT, _("Postmortem"))
    if new == before:
        return
    if any(body == postmortem.body and body != before.get(lang) for lang, body in new.items()):
        raise ServiceError(
            _("This is the main postmortem's text: translate it, or leave the language empty.")
        )
    if postmortem.published_at:
        for lang, body in new.items():
            if body != before.get(lang):
                refuse_in_translation(postmortem.incident, lang, body)
    postmortem.translations = {
        lang: {"body": body, "html": render_markdown(body, lang)} for lang, body in new.items()
    }
    if (
        postmortem.published_at
    ):  # readers see the change at once, marked as edited like the main text
        postmortem.edited_at = utcnow()
    record(user, "postmortem.translations", f"incident {postmortem.incident_id}", before, new)


def set_checklist_texts(entry: ChecklistEntry, texts: Mapping | None, *, user: User | None) -> None:
    """Set the team's own checklist item in the other languages (the playbook's come translated)."""
    if entry.key:
        raise ServiceError(_("This item comes from the playbook, which has it in every language."))
    new = checked(texts, 500, _("Checklist item"))
    before = dict(entry.text or {})
    after = dict(before)
    for lang in texts or {}:
        if new.get(lang):
            after[lang] = new[lang]
        elif len(after) > 1:  # emptied: its readers see the item's own language again
            after.pop(lang, None)
    if after == before:
        return
    entry.text = after
    record(user, "checklist.texts", f"checklist {entry.id}", before, after)
