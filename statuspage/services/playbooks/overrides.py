"""Owners edit a playbook's texts and cadence in the browser; edits override the files and can be reset."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext

from statuspage.extensions import db
from statuspage.models import User
from statuspage.models.playbooks import PlaybookOverride
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.playbooks.check import check_playbook
from statuspage.services.playbooks.loader import apply_override, file_playbooks
from statuspage.vocabulary import label


def save_override(
    kind: str, templates: dict[str, str], cadence: dict[str, str], *, user: User | None
) -> None:
    """Validate an edit like a playbook file and store what differs from the file's defaults."""
    default = file_playbooks()[0].get(kind)
    if default is None:
        raise ServiceError(gettext("There is no playbook “%(kind)s”.", kind=kind))
    changed = {
        key: text.replace("\r\n", "\n").strip() + "\n"
        for key, text in templates.items()
        if tuple(key.split(".", 1)) in default.templates
        and text.replace("\r\n", "\n").strip()
        != default.templates[tuple(key.split(".", 1))].strip()
    }
    minutes = {}
    for stage, value in cadence.items():
        if stage not in default.cadence:
            continue
        if not str(value).strip().isdigit() or int(value) <= 0:
            raise ServiceError(
                gettext(
                    "The cadence for “%(stage)s” must be a positive number of minutes.",
                    stage=label(stage),
                ),
                field=f"cadence-{stage}",  # the form's field for this stage
            )
        if int(value) != default.cadence[stage]:
            minutes[stage] = int(value)
    override = db.session.get(PlaybookOverride, kind) or PlaybookOverride(kind=kind)
    override.templates, override.cadence, override.updated_by_id = (
        changed,
        minutes,
        user and user.id,
    )
    problems = check_playbook(
        apply_override(default, override), Path(current_app.config["PLAYBOOKS_DIR"]) / kind
    )
    if problems:
        found = "; ".join(f"{Path(p.path).name}: {p.message}" for p in problems[:5])
        raise ServiceError(gettext("The edit breaks the playbook: %(problems)s", problems=found))
    db.session.add(override)
    record(
        user,
        "playbook.edit",
        f"playbook {kind}",
        None,
        {"templates": sorted(changed), "cadence": minutes},
    )


def reset_override(kind: str, *, user: User | None) -> None:
    """Drop the browser edits of a playbook: the files' texts apply again."""
    override = db.session.get(PlaybookOverride, kind)
    if override is None:
        raise ServiceError(gettext("This playbook has no edits to reset."))
    record(
        user, "playbook.reset", f"playbook {kind}", {"templates": sorted(override.templates)}, None
    )
    db.session.delete(override)
