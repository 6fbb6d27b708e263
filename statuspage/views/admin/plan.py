"""Admin: the communication plan — post or schedule updates with a promise, the queue, the plan page,
deadlines, and maintenance windows (announce, start, end early, extend).
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from statuspage.forms import (
    ConfirmForm,
    DeadlineDoneForm,
    ExtendForm,
    MaintenanceForm,
    RescheduleForm,
)
from statuspage.models import Component, Incident, IncidentUpdate, utcnow
from statuspage.services import ServiceError, plan
from statuspage.services.components import find_components, ordered_components
from statuspage.services.incidents import maintenance
from statuspage.services.incidents import queue as schedule
from statuspage.services.incidents.publication import posted_message
from statuspage.services.playbooks.loader import all_playbooks
from statuspage.services.shop import get_shop
from statuspage.views.admin._base import attempt, bp, find_incident, local_time, submitted
from statuspage.views.common import get_or_404
from statuspage.vocabulary import RUNNING, update_statuses


@bp.get("/queue")
def queue():
    """List every scheduled update, the automatic maintenance steps and the promises still open."""
    return _queue_page()


def _queue_page(edited: str | None = None, form: RescheduleForm | None = None, status: int = 200):
    """Render the queue; `edited` names the update whose refused edit `form` shows again as typed."""
    now = utcnow()
    return render_template(
        "admin/queue.html",
        updates=plan.scheduled_updates(now),
        transitions=plan.upcoming_transitions(now),
        board=[row for row in plan.active_board(now) if row.promise],
        form=form or RescheduleForm(formdata=None),
        edited=edited,
        confirm_form=ConfirmForm(),
        now=now,
    ), status


@bp.post("/updates/<public_id>/reschedule")
def reschedule(public_id: str):
    """Change a scheduled update's text, time or promise; a refusal shows the queue again as typed."""
    update, form = _update(public_id), RescheduleForm()
    if submitted(form):
        tz = get_shop().timezone
        if attempt(
            lambda: schedule.reschedule(
                update,
                body=form.body.data,
                display_at=local_time(form, "display_at", tz, _("The publication time")),
                next_update_at=local_time(form, "next_update_at", tz, _("The next update time")),
                user=current_user,
            ),
            _("Scheduled update changed."),
            form=form,
        ):
            return redirect(url_for(".queue"))
    return _queue_page(update.public_id, form, 400)


@bp.post("/updates/<public_id>/publish-now")
def publish_now(public_id: str):
    """Publish a scheduled update at once."""
    update = _update(public_id)
    if submitted(ConfirmForm()):

        def action() -> str:
            """Publish it and say whether it keeps the promise it answers."""
            answered = plan.current_promise(update.incident, utcnow())
            schedule.publish_now(update, user=current_user)
            return posted_message(update, answered, get_shop().timezone, verb="published")

        attempt(action)
    return redirect(url_for(".queue"))


@bp.post("/updates/<public_id>/cancel")
def cancel(public_id: str):
    """Cancel a scheduled update before it is due."""
    update = _update(public_id)
    if submitted(ConfirmForm()):
        attempt(
            lambda: schedule.cancel(update, user=current_user), _("Scheduled update cancelled.")
        )
    return redirect(url_for(".queue"))


@bp.get("/incidents/<public_id>/plan")
def incident_plan(public_id: str):
    """Show an incident's plan: past and future on one timeline, promises, deadlines, follow-ups."""
    return _plan_page(find_incident(public_id))


def _plan_page(found: Incident, status: int = 200, *, refused: str = "", **forms):
    """Render an incident's plan; a refused form (`refused`: the deadline it was for) comes back as typed."""
    now = utcnow()
    return render_template(
        "admin/plan.html",
        incident=found,
        plan=plan.plan_for(found, now, get_shop().default_language),
        deadline_form=DeadlineDoneForm(formdata=None),
        refused_form=forms.get("deadline_form"),
        refused=refused,
        extend_form=forms.get("extend_form") or ExtendForm(formdata=None),
        confirm_form=ConfirmForm(),
        now=now,
    ), status


@bp.post("/incidents/<public_id>/deadlines/<key>")
def deadline_done(public_id: str, key: str):
    """Mark a deadline as met, with a note."""
    found, form = find_incident(public_id), DeadlineDoneForm()
    if submitted(form) and attempt(
        lambda: plan.mark_deadline_done(found, key, form.note.data, user=current_user),
        _("Deadline marked as done."),
        form=form,
    ):
        return redirect(url_for(".incident_plan", public_id=public_id))
    return _plan_page(found, 400, refused=key, deadline_form=form)


def _per_language(name: str) -> dict[str, str]:
    """Read a text written per language (`name.pl`, `name.ar` …) for the shop's other languages."""
    return {
        lang: request.form.get(f"{name}.{lang}", "").strip()
        for lang in get_shop().language_list[1:]
        if request.form.get(f"{name}.{lang}", "").strip()
    }


@bp.route("/maintenance/new", methods=["GET", "POST"])
def new_maintenance():
    """Announce a planned maintenance; it starts and ends on its own."""
    form = MaintenanceForm()
    if request.method == "POST" and submitted(form):
        created: list[Incident] = []

        def action() -> str:
            """Plan the maintenance from the form."""
            tz = get_shop().timezone
            created.append(
                maintenance.plan_maintenance(
                    title=form.title.data,
                    body=form.body.data or "",
                    user=current_user,
                    components=_components(request.form.getlist("components")),
                    scheduled_for=local_time(form, "scheduled_for", tz, _("The start")),
                    scheduled_until=local_time(form, "scheduled_until", tz, _("The end")),
                    what_changes=form.what_changes.data or "",
                    display_at=local_time(form, "display_at", tz, _("The announcement")),
                    kind=request.form.get("kind") or None,
                    reminder_minutes=form.reminder_minutes.data,
                    what_changes_in=_per_language("what_changes"),
                    titles=_per_language("title"),
                )
            )
            return _("Maintenance scheduled.")

        if attempt(action, form=form):  # a refused time is said beside its field
            return redirect(url_for(".incident_plan", public_id=created[-1].public_id))
    kinds = [
        SelectChoice(k, p.in_lang(p.title, str(get_locale() or "en")))
        for k, p in all_playbooks()[0].items()
        if p.maintenance
    ]
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/maintenance_new.html",
        form=form,
        kinds=kinds,
        chosen=set(request.form.getlist("components")),
        components=ordered_components(),
    ), status


@bp.post("/incidents/<public_id>/maintenance/<action>")
def maintenance_action(public_id: str, action: str):
    """Start a maintenance now, end it early, or move its end."""
    found = find_incident(public_id)
    if not found.is_maintenance or action not in ("start", "end", "extend"):
        abort(404)
    if action == "extend":
        form = ExtendForm()
        if submitted(form) and attempt(
            lambda: maintenance.extend(
                found,
                until=local_time(form, "scheduled_until", get_shop().timezone, _("The new end")),
                body=form.body.data or "",
                user=current_user,
            ),
            _("The new end time is posted."),
            form=form,
        ):
            return redirect(url_for(".incident_plan", public_id=public_id))
        return _plan_page(found, 400, extend_form=form)
    if submitted(ConfirmForm()) and attempt(lambda: _start_or_end(found, action)):
        return redirect(url_for(".incident_plan", public_id=public_id))
    return _plan_page(found, 400)


def _start_or_end(found: Incident, action: str) -> str:
    """Start or end a maintenance by hand; refuse when it already moved on."""
    if action == "end" and found.status not in RUNNING:
        raise ServiceError(_("Only a maintenance in progress can be ended early."))
    verb = maintenance.start if action == "start" else maintenance.end
    if verb(found, user=current_user) is None:
        raise ServiceError(_("This maintenance has already moved on; reload the page."))
    return _("Maintenance started.") if action == "start" else _("Maintenance ended.")


def plan_summary(found: Incident, now: datetime) -> dict:
    """Gather what the incident page shows of the plan."""
    lang = get_shop().default_language
    statuses = update_statuses(found.is_maintenance)
    return {
        "promise": plan.current_promise(found, now),
        "outcomes": {p.made_by.id: p for p in plan.promises(found, now)},
        "deadlines": plan.deadlines_for(found, now, lang=lang),
        "statuses": statuses,
        "cadence": ", ".join(
            f"{s} {m} min" for s in statuses if (m := plan.cadence_minutes(found.kind, s))
        ),
        "timezone": get_shop().timezone,
    }


def _components(public_ids: list[str]) -> list[Component]:
    """Find the chosen components or refuse an unknown one."""
    found = find_components(public_ids)
    if len(found) != len({pid for pid in public_ids if pid}):
        raise ServiceError(_("One of the chosen components no longer exists."))
    return found


def _update(public_id: str) -> IncidentUpdate:
    """Find an update by its public id or answer 404."""
    return get_or_404(IncidentUpdate, public_id)
