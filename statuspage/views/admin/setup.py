"""Admin set-up: components, shop settings and the audit log (the team is in team.py)."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from statuspage.extensions import db
from statuspage.forms import ComponentForm, ComponentStatusForm, ConfirmForm, SettingsForm
from statuspage.models import AuditEntry, Component
from statuspage.services import ServiceError, texts
from statuspage.services import components as service
from statuspage.services.shop import FIELDS, get_shop, update_settings
from statuspage.views.admin._base import attempt, bp, owner_required, submitted
from statuspage.views.common import find, get_or_404, page_number


@bp.get("/components")
def components():
    """List components and groups with their forms."""
    items = service.ordered_components()
    return render_template(
        "admin/components.html",
        components=items,
        groups=[c for c in items if c.is_group],
        form=_component_form(),
        status_form=ComponentStatusForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/components")
@owner_required
def create_component():
    """Create a component or group."""
    form = _component_form()
    if submitted(form):
        attempt(
            lambda: service.create_component(
                name=form.name.data,
                description=form.description.data or "",
                group=_group(form.group_id.data),
                is_group=form.is_group.data,
                user=current_user,
            ),
            "Component created.",
        )
    return redirect(url_for(".components"))


@bp.post("/components/<public_id>")
@owner_required
def edit_component(public_id: str):
    """Rename a component, change its description or its group."""
    component, form = _component(public_id), _component_form()
    if submitted(form):
        attempt(
            lambda: service.update_component(
                component,
                name=form.name.data,
                description=form.description.data or "",
                group=_group(form.group_id.data),
                user=current_user,
            ),
            "Component saved.",
        )
    return redirect(url_for(".components"))


@bp.post("/components/<public_id>/texts")
@owner_required
def component_texts(public_id: str):
    """Write a component's name and description in the shop's other languages."""
    component, form = _component(public_id), ConfirmForm()
    if submitted(form):
        languages = get_shop().language_list[1:]
        attempt(
            lambda: texts.set_component_texts(
                component,
                {lang: request.form.get(f"name.{lang}", "") for lang in languages},
                {lang: request.form.get(f"description.{lang}", "") for lang in languages},
                user=current_user,
            ),
            "Translations saved.",
        )
    return redirect(url_for(".components"))


@bp.post("/components/<public_id>/status")
def component_status(public_id: str):
    """Set a component's status by hand."""
    component, form = _component(public_id), ComponentStatusForm()
    if submitted(form):
        attempt(
            lambda: service.set_status(component, form.status.data, user=current_user),
            "Status set.",
        )
    return redirect(url_for(".components"))


@bp.post("/components/<public_id>/move/<direction>")
@owner_required
def move_component(public_id: str, direction: str):
    """Move a component up or down."""
    component = _component(public_id)
    if direction not in ("up", "down"):
        abort(404)
    if submitted(ConfirmForm()):
        step = -1 if direction == "up" else 1
        attempt(lambda: service.move(component, step, user=current_user), "Moved.")
    return redirect(url_for(".components"))


@bp.post("/components/<public_id>/delete")
@owner_required
def delete_component(public_id: str):
    """Delete a component (one used by incidents needs the confirmation box ticked)."""
    component, form = _component(public_id), ConfirmForm()
    if submitted(form):
        attempt(
            lambda: service.delete_component(
                component, confirm=form.confirm.data, user=current_user
            ),
            "Component deleted.",
        )
    return redirect(url_for(".components"))


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
            lambda: update_settings(values, user=current_user), "Settings saved.", form=form
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
    return render_template("admin/audit.html", page=page)


def _component_form() -> ComponentForm:
    """Build the component form with the current groups as choices."""
    form = ComponentForm()
    groups = db.session.scalars(select(Component).where(Component.is_group)).all()
    form.group_id.choices = [SelectChoice("", "— no group —")] + [
        SelectChoice(g.public_id, g.name) for g in groups
    ]
    return form


def _group(public_id: str | None) -> Component | None:
    """Find the chosen group, or None for no group."""
    if not public_id:
        return None
    group = find(Component, public_id)
    if group is None:
        raise ServiceError("That group no longer exists.")
    return group


def _component(public_id: str) -> Component:
    """Find a component by its public id or answer 404."""
    return get_or_404(Component, public_id)
