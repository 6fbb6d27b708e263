"""Admin: the playbook list and the owners' playbook editor."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from statuspage.forms import LANGUAGE_NAMES, ConfirmForm
from statuspage.services.playbooks.loader import all_playbooks, get_playbook
from statuspage.services.playbooks.overrides import reset_override, save_override
from statuspage.views.admin._base import attempt, bp, owner_required, submitted
from statuspage.views.admin._typed import attempt_keeping


@bp.get("/playbooks")
def playbooks():
    """List the playbooks to start an incident from, and any broken playbook files."""
    found, problems = all_playbooks()
    return render_template(
        "admin/playbooks.html", playbooks=found, problems=problems, lang=_admin_language()
    )


@bp.route("/playbooks/<kind>/edit", methods=["GET", "POST"])
@owner_required
def edit_playbook(kind: str):
    """Edit a playbook's texts and cadence; the edit overrides the files until it is reset."""
    playbook = get_playbook(kind) or abort(404)
    form = ConfirmForm()
    # What was typed, shown again as it was when the edit is refused (nothing is lost).
    templates = {k[4:]: v for k, v in request.form.items() if k.startswith("tpl-")}
    cadence = {k[8:]: v for k, v in request.form.items() if k.startswith("cadence-")}
    typed: dict = {}  # a refusal's reasons by field ("cadence-investigating"), shown beside it
    if (
        request.method == "POST"
        and submitted(form)
        and attempt_keeping(
            lambda: save_override(kind, templates, cadence, user=current_user),
            typed,
            _("Playbook saved."),
        )
    ):
        return redirect(url_for(".edit_playbook", kind=kind))
    return render_template(
        "admin/playbook_edit.html",
        playbook=playbook,
        form=form,
        typed_templates=templates,
        typed_cadence=cadence,
        errors=typed.get("errors", {}),
        lang=_admin_language(),
        language_names=LANGUAGE_NAMES,
    ), 400 if request.method == "POST" else 200


@bp.post("/playbooks/<kind>/reset")
@owner_required
def reset_playbook(kind: str):
    """Reset a playbook to its files' texts."""
    get_playbook(kind) or abort(404)
    if submitted(ConfirmForm()):
        attempt(
            lambda: reset_override(kind, user=current_user), _("Playbook reset to its defaults.")
        )
    return redirect(url_for(".edit_playbook", kind=kind))


def _admin_language() -> str:
    """Return the language this admin page is written in."""
    return str(get_locale() or "en")
