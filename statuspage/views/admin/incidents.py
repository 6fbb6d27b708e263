"""Admin: the dashboard and the incident workflow (open, update, resolve, reopen, edit, drafts).

A form that fails is shown again on the incident page with everything typed, the error beside it.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.forms import (
    ConfirmForm,
    EditUpdateForm,
    IncidentForm,
    ReopenForm,
    ResolveForm,
    TimesForm,
    UpdateForm,
    choices,
)
from statuspage.models import Incident, IncidentUpdate, utcnow
from statuspage.services import formats, plan
from statuspage.services.aftercare import checklist
from statuspage.services.alerts import intake as alert_intake
from statuspage.services.clock import to_local_input
from statuspage.services.components import ordered_components
from statuspage.services.delivery import notify
from statuspage.services.incidents import lifecycle as service
from statuspage.services.incidents.publication import posted_message
from statuspage.services.shop import get_shop
from statuspage.views.admin._base import (
    attempt,
    bp,
    component_choices,
    component_statuses,
    find_incident,
    local_time,
    reserved_id,
    submitted,
)
from statuspage.views.admin.plan import plan_summary
from statuspage.views.common import get_or_404
from statuspage.vocabulary import update_statuses


@bp.get("/")
def dashboard():
    """List active incidents first, with time since their last update, then drafts and recent ones."""
    incidents = db.session.scalars(
        select(Incident)
        .options(selectinload(Incident.updates), selectinload(Incident.components))
        .order_by(Incident.started_at.desc())
        .limit(100)
    ).all()
    active, now = [i for i in incidents if i.is_active and not i.draft], utcnow()
    return render_template(
        "admin/dashboard.html",
        active=active,
        drafts=[i for i in incidents if i.draft],
        closed=[i for i in incidents if not i.is_active and not i.draft][:20],
        board=plan.active_board(now),
        open_deadlines=plan.open_deadlines(now, str(get_locale() or "en")),  # the team's language
        reminders=notify.recent(8),
        now=now,
        plan_now=now,
    )


@bp.route("/incidents/new", methods=["GET", "POST"])
def new_incident():
    """Open an incident with its first update."""
    form = IncidentForm()
    if request.method == "POST" and submitted(form):
        created = []

        def action():
            tz = get_shop().timezone
            began, aware = _times(form, tz)
            created.append(
                service.open_incident(
                    title=form.title.data,
                    impact=form.impact.data,
                    status=form.status.data,
                    body=form.body.data,
                    component_statuses=component_statuses(request.form),
                    draft=form.draft.data,
                    user=current_user,
                    began_at=began,
                    became_aware_at=aware,
                )
            )

        if attempt(
            action,
            _("Draft saved.") if form.draft.data else _("Incident published."),
            form=form,
            verb="saved" if form.draft.data else "published",
        ):
            return redirect(url_for(".incident", public_id=created[-1].public_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/incident_new.html",
        form=form,
        components=ordered_components(),
        chosen_components=component_choices(request.form),
    ), status


@bp.get("/incidents/<public_id>")
def incident(public_id: str):
    """Show an incident with the forms to move it on."""
    return incident_page(find_incident(public_id))


def incident_page(found: Incident, status: int = 200, **forms):
    """Render an incident's page; a form that failed is shown again as it was sent (`forms`)."""
    now = utcnow()
    return render_template(
        "admin/incident.html",
        plan_summary=plan_summary(found, now),
        plan_now=now,
        incident=found,
        components=ordered_components(),
        chosen_components=component_choices(request.form) if forms else {},
        update_form=forms.get("update_form") or UpdateForm(formdata=None),
        # The id the next update takes: a second submit of the same form finds it posted already.
        update_id=reserved_id(request.form.get("update_id") if forms else None),
        resolve_id=reserved_id(request.form.get("resolve_id") if forms else None),
        resolve_form=forms.get("resolve_form") or ResolveForm(formdata=None),
        open_now_items=checklist.open_now_items(found) if found.is_active else [],
        reopen_form=forms.get("reopen_form") or ReopenForm(formdata=None),
        confirm_form=ConfirmForm(),
        times_form=forms.get("times_form") or _times_form(found),
        now=now,
        alerts=alert_intake.incident_alerts(found),
        resolving_url=alert_intake.resolving_url(found),
    ), status


@bp.post("/incidents/<public_id>/updates")
def post_update(public_id: str):
    """Post an update now or at a time, with the promised time of the next one."""
    found, form = find_incident(public_id), UpdateForm()
    form.status.choices = choices(update_statuses(found.is_maintenance))
    if submitted(form):
        answered = plan.current_promise(found, utcnow())
        reserved = reserved_id(request.form.get("update_id"))

        def action() -> str:
            """Post or schedule the update once; say whether it kept the promise."""
            tz = get_shop().timezone
            try:
                update = service.post_update(
                    found,
                    status=form.status.data,
                    body=form.body.data,
                    component_statuses=component_statuses(request.form),
                    user=current_user,
                    display_at=local_time(form, "display_at", tz, _("The publication time")),
                    next_update_at=local_time(
                        form, "next_update_at", tz, _("The next update time")
                    ),
                    confirm_open_items=form.confirm_open_items.data,
                    public_id=reserved,
                )
            except service.AlreadyPublished as twice:  # a double click: the first one posted it
                return str(twice)
            return posted_message(update, answered, tz)

        if attempt(action, form=form, verb="published"):
            return redirect(url_for(".incident", public_id=public_id))
    return incident_page(found, 400, update_form=form)


@bp.post("/incidents/<public_id>/resolve")
def resolve(public_id: str):
    """Resolve an incident."""
    found, form = find_incident(public_id), ResolveForm()
    if submitted(form):
        keep = {c: c.status for c in found.components} if form.keep_components.data else None
        reserved = reserved_id(request.form.get("resolve_id"))

        def action() -> str:
            """Resolve it once and say whether the closing update keeps the promise."""
            answered = plan.current_promise(found, utcnow())
            try:
                update = service.resolve(
                    found,
                    body=form.body.data,
                    component_statuses=keep,
                    user=current_user,
                    confirm_open_items=form.confirm_open_items.data,
                    public_id=reserved,
                )
            except service.AlreadyPublished as twice:  # a double click: the first one resolved it
                return str(twice)
            return posted_message(update, answered, get_shop().timezone, "Incident", "resolved")

        if attempt(action, form=form, verb="published"):
            return redirect(url_for(".incident", public_id=public_id))
    return incident_page(found, 400, resolve_form=form)


@bp.post("/incidents/<public_id>/times")
def edit_times(public_id: str):
    """Correct when the problem began and when the team became aware (audited)."""
    found, form = find_incident(public_id), TimesForm()
    if submitted(form):

        def action() -> str:
            began, aware = _times(form, get_shop().timezone)
            changed = service.set_times(
                found, began_at=began, became_aware_at=aware, user=current_user
            )
            return (
                _("Times corrected; deadlines count from the new awareness time.")
                if changed
                else _("The times are unchanged.")
            )

        if attempt(action, form=form):
            return redirect(url_for(".incident", public_id=public_id))
    return incident_page(found, 400, times_form=form)


def _times(form, timezone: str):
    """Read "began at" (empty: unknown) and "became aware at" (empty: now) in the shop's time."""
    began = local_time(form, "began_at", timezone, _("“The problem began at”"), future=False)
    aware = local_time(form, "became_aware_at", timezone, _("“We became aware at”"), future=False)
    return began, aware


def _times_form(incident: Incident) -> TimesForm:
    """Fill the times form with the incident's times in the shop's timezone."""
    tz = get_shop().timezone
    form = TimesForm()
    form.began_at.data = to_local_input(incident.began_at, tz) if incident.began_at else ""
    form.became_aware_at.data = to_local_input(incident.aware_at, tz)
    return form


@bp.post("/incidents/<public_id>/reopen")
def reopen(public_id: str):
    """Reopen a resolved incident."""
    found, form = find_incident(public_id), ReopenForm()
    if submitted(form) and attempt(
        lambda: service.reopen(
            found, status=form.status.data, body=form.body.data, user=current_user
        ),
        _("Incident reopened."),
        form=form,
        verb="published",
    ):
        return redirect(url_for(".incident", public_id=public_id))
    return incident_page(found, 400, reopen_form=form)


@bp.post("/incidents/<public_id>/publish")
def publish(public_id: str):
    """Publish a draft incident."""
    found = find_incident(public_id)
    if submitted(ConfirmForm()):
        attempt(lambda: service.publish_draft(found, user=current_user), _("Incident published."))
    return redirect(url_for(".incident", public_id=public_id))


@bp.post("/incidents/<public_id>/delete")
def delete(public_id: str):
    """Delete a draft incident."""
    found = find_incident(public_id)
    if submitted(ConfirmForm()) and attempt(
        lambda: service.delete_draft(found, user=current_user), _("Draft deleted.")
    ):
        return redirect(url_for(".dashboard"))
    return redirect(url_for(".incident", public_id=public_id))


@bp.route("/updates/<public_id>/edit", methods=["GET", "POST"])
def edit_update(public_id: str):
    """Correct the text of an update; the edit is recorded."""
    update = get_or_404(IncidentUpdate, public_id)
    form = EditUpdateForm(body=update.body)
    if (
        request.method == "POST"
        and submitted(form)
        and attempt(
            lambda: service.edit_update(
                update,
                body=form.body.data,
                user=current_user,
                translations={  # a language the form does not carry stays as it is
                    lang: request.form[f"translation-{lang}"]
                    for lang in update.translations
                    if f"translation-{lang}" in request.form
                },
            ),
            _("Update corrected."),
        )
    ):
        return redirect(url_for(".incident", public_id=update.incident.public_id))
    ui = str(get_locale() or "en")
    return render_template(
        "admin/update_edit.html",
        form=form,
        update=update,
        language_words={lang: formats.language_name(lang, ui) for lang in update.translations},
    )
