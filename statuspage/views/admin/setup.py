"""Admin set-up: components, shop settings and the audit log (the team is in team.py)."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from statuspage.extensions import db
from statuspage.forms import (
    LANGUAGE_NAMES,
    ComponentForm,
    ComponentStatusForm,
    ConfirmForm,
    SettingsForm,
)
from statuspage.models import AuditEntry, Component
from statuspage.services import ServiceError, audit_log, texts
from statuspage.services import components as service
from statuspage.services.shop import FIELDS, get_shop, update_settings
from statuspage.views.admin._base import attempt, bp, owner_required, submitted
from statuspage.views.common import find, get_or_404, page_number


@bp.get("/components")
def components():
    """List components and groups with their forms."""
    return _components_page()


def _components_page(status: int = 200, form: ComponentForm | None = None, typed=None):
    """Render the components page; `typed` is what was sent to one row's forms (shown again)."""
    items = service.ordered_components()
    return render_template(
        "admin/components.html",
        components=items,
        groups=[c for c in items if c.is_group],
        form=form or _component_form(),
        status_form=ComponentStatusForm(),
        confirm_form=ConfirmForm(),
        typed=typed or {},
        language_names=LANGUAGE_NAMES,
    ), status


@bp.post("/components")
@owner_required
def create_component():
    """Create a component or group; a refusal shows the form again as it was typed."""
    form = _component_form()
    if submitted(form) and attempt(
        _beside(
            form,
            "name",
            lambda: service.create_component(
                name=form.name.data,
                description=form.description.data or "",
                group=_group(form.group_id.data),
                is_group=form.is_group.data,
                user=current_user,
            ),
        ),
        _("Component created."),
        form=form,
    ):
        return redirect(url_for(".components"))
    return _components_page(400, form=form)


@bp.post("/components/<public_id>")
@owner_required
def edit_component(public_id: str):
    """Rename a component, change its description or its group."""
    component, form = _component(public_id), _component_form()
    if submitted(form) and attempt(
        _beside(
            form,
            "name",
            lambda: service.update_component(
                component,
                name=form.name.data,
                description=form.description.data or "",
                group=_group(form.group_id.data),
                user=current_user,
            ),
        ),
        _("Component saved."),
        form=form,
    ):
        return redirect(url_for(".components"))
    return _row_again(component, form, name=form.name.data, group_id=form.group_id.data)


@bp.post("/components/<public_id>/texts")
@owner_required
def component_texts(public_id: str):
    """Write a component's name and description in the shop's other languages."""
    component, form = _component(public_id), ConfirmForm()
    languages = get_shop().language_list[1:]
    names = {lang: request.form.get(f"name.{lang}", "") for lang in languages}
    descriptions = {lang: request.form.get(f"description.{lang}", "") for lang in languages}
    if submitted(form) and attempt(
        _beside(
            form,
            "confirm",
            lambda: texts.set_component_texts(component, names, descriptions, user=current_user),
        ),
        _("Translations saved."),
        form=form,
    ):
        return redirect(url_for(".components"))
    return _row_again(component, form, names=names, descriptions=descriptions)


@bp.post("/components/<public_id>/status")
def component_status(public_id: str):
    """Set a component's status by hand."""
    component, form = _component(public_id), ComponentStatusForm()
    if submitted(form) and attempt(
        _beside(
            form,
            "status",
            lambda: service.set_status(component, form.status.data, user=current_user),
        ),
        _("Status set."),
        form=form,
    ):
        return redirect(url_for(".components"))
    return _row_again(component, form, status=request.form.get("status", ""))


@bp.post("/components/<public_id>/move/<direction>")
@owner_required
def move_component(public_id: str, direction: str):
    """Move a component up or down."""
    component = _component(public_id)
    if direction not in ("up", "down"):
        abort(404)
    step = -1 if direction == "up" else 1
    if submitted(ConfirmForm()) and attempt(
        lambda: service.move(component, step, user=current_user), _("Moved.")
    ):
        return redirect(url_for(".components"))
    return _components_page(400)


@bp.post("/components/<public_id>/delete")
@owner_required
def delete_component(public_id: str):
    """Delete a component (one used by incidents needs the confirmation box ticked)."""
    component, form = _component(public_id), ConfirmForm()
    if submitted(form) and attempt(
        _beside(
            form,
            "confirm",
            lambda: service.delete_component(
                component, confirm=form.confirm.data, user=current_user
            ),
        ),
        _("Component deleted."),
        form=form,
    ):
        return redirect(url_for(".components"))
    return _row_again(component, form, deleting=True)


def _beside(form, name: str, action):
    """Run `action`; a refusal that names no field of `form` is shown beside `name`."""

    def run():
        try:
            return action()
        except ServiceError as error:
            if not (error.field and hasattr(form, error.field)):
                error.field = name
            raise

    return run


def _row_again(component: Component, form, **typed):
    """Show the components page again with what was sent to one row and why it was refused."""
    errors = [error for field in form for error in (field.errors or [])]
    return _components_page(400, typed={"row": component.public_id, "errors": errors, **typed})


@bp.route("/settings", methods=["GET", "POST"])
@owner_required
def settings():
    """Edit the shop's name, links, timezone, brand colour and contact channels."""
    shop = get_shop()
    form = SettingsForm(obj=shop)
    if request.method == "GET":
        form.languages.data = shop.language_list
    if request.method == "POST" and submitted(form):
        values = {
            key: getattr(form, key).data for key in (*FIELDS, "default_language", "languages")
        }
        if attempt(
            lambda: update_settings(values, user=current_user), _("Settings saved."), form=form
        ):
            return redirect(url_for(".settings"))
    return render_template(
        "admin/settings.html", form=form, timezones=sorted(available_timezones())
    ), 400 if request.method == "POST" else 200


@bp.get("/audit")
@owner_required
def audit():
    """Show the audit log, newest first."""
    page = db.paginate(
        select(AuditEntry).options(selectinload(AuditEntry.user)).order_by(AuditEntry.id.desc()),
        per_page=50,
        page=page_number(),
        error_out=False,
    )
    entries = [
        {
            "at": e.at,
            "who": e.user.email if e.user else "",
            "action": audit_log.action_name(e.action),
            "target": audit_log.target_name(e.target),
            "changes": audit_log.changes(e.before, e.after),
        }
        for e in page.items
    ]
    return render_template("admin/audit.html", page=page, entries=entries)


def _component_form() -> ComponentForm:
    """Build the component form with the current groups as choices."""
    form = ComponentForm()
    groups = db.session.scalars(select(Component).where(Component.is_group)).all()
    form.group_id.choices = [SelectChoice("", _("— no group —"))] + [
        SelectChoice(g.public_id, g.name) for g in groups
    ]
    return form


def _group(public_id: str | None) -> Component | None:
    """Find the chosen group, or None for no group."""
    if not public_id:
        return None
    group = find(Component, public_id)
    if group is None:
        raise ServiceError(_("That group no longer exists."), field="group_id")
    return group


def _component(public_id: str) -> Component:
    """Find a component by its public id or answer 404."""
    return get_or_404(Component, public_id)
