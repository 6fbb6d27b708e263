"""Admin: what readers see, written in the shop's other languages — an incident's (or a maintenance's)
title, the postmortem, the team's own checklist items.

Each form saves through services/texts.py (audited). A refused form shows the page again, 400, with
what was typed still in its fields (the partials read it back from the request); a translation's
preview travels in `g.translation_preview`. A postmortem translation not written yet starts from the
template in its own language, pre-filled from the incident (`first_drafts`), like the main one.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from statuspage.extensions import db
from statuspage.forms import LANGUAGE_NAMES, ConfirmForm
from statuspage.models.aftercare import ChecklistEntry
from statuspage.services import ServiceError, texts
from statuspage.services.aftercare import postmortem
from statuspage.views.admin._base import attempt, bp, find_incident, submitted
from statuspage.views.admin._typed import attempt_keeping
from statuspage.views.admin.aftercare import _aftercare_page
from statuspage.views.admin.incidents import incident_page


def _typed(prefix: str) -> dict[str, str]:
    """Read `<prefix>.<lang>` fields for each of the shop's other languages (absent: empty)."""
    return {lang: request.form.get(f"{prefix}.{lang}", "") for lang in texts.other_languages()}


@bp.post("/incidents/<public_id>/titles")
def incident_titles(public_id: str):
    """Write an incident's or a maintenance's title in the shop's other languages."""
    found, typed = find_incident(public_id), {}
    if submitted(ConfirmForm()) and attempt_keeping(
        lambda: texts.set_incident_titles(found, _typed("title"), user=current_user),
        typed,
        _("Titles saved."),
    ):
        return redirect(url_for(".incident", public_id=public_id) + "#titles")
    g.text_errors = typed.get("errors", {})  # by language: the partial shows each beside its field
    return incident_page(found, 400)


@bp.post("/incidents/<public_id>/postmortem/<lang>")
def postmortem_translation(public_id: str, lang: str):
    """Preview or save the postmortem in one of the shop's other languages."""
    incident = find_incident(public_id)
    if lang not in texts.other_languages():
        abort(404)
    body, anchor = request.form.get("body", ""), f"#postmortem-{lang}"
    if not submitted(ConfirmForm()):
        return _aftercare_page(incident, status=400)
    if request.form.get("action") == "preview":
        try:
            shown = postmortem.preview(body, lang)
        except ServiceError as error:  # e.g. empty or too long: said, the text kept in its field
            flash(str(error), "error")
            return _aftercare_page(incident, status=400)
        g.translation_preview = (lang, shown)  # the partial shows it under that language's editor
        return _aftercare_page(incident)

    def save() -> None:
        draft = postmortem.get(incident)
        if draft is None:
            raise ServiceError(_("Save the postmortem in the main language first."))
        texts.set_postmortem_translations(draft, {lang: body}, user=current_user)

    name = LANGUAGE_NAMES.get(lang, lang)
    if attempt(save, _("Postmortem saved (%(language)s).", language=name)):
        return redirect(url_for(".aftercare", public_id=public_id) + anchor)
    return _aftercare_page(incident, status=400)


@bp.post("/checklist/<int:entry_id>/texts")
def checklist_texts(entry_id: int):
    """Write the team's own checklist item in the shop's other languages."""
    entry, typed = db.session.get(ChecklistEntry, entry_id) or abort(404), {}
    if submitted(ConfirmForm()) and attempt_keeping(
        lambda: texts.set_checklist_texts(entry, _typed("text"), user=current_user),
        typed,
        _("Translations saved."),
    ):
        return redirect(
            url_for(".aftercare", public_id=entry.incident.public_id) + f"#texts-{entry.id}"
        )
    g.text_errors = typed.get("errors", {})  # by language: the partial shows each beside its field
    return _aftercare_page(entry.incident, status=400)
