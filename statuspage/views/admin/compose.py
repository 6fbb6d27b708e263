"""Admin: open an incident or post an update from a playbook, with previews and the transparency check."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from statuspage.forms import ConfirmForm
from statuspage.models import Incident, utcnow
from statuspage.services import ServiceError, plan
from statuspage.services.aftercare import checklist
from statuspage.services.clock import as_utc, parse_local, to_local_input
from statuspage.services.components import ordered_components
from statuspage.services.incidents.publication import posted_message
from statuspage.services.links import incident_url
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks import claims, publishing
from statuspage.services.playbooks.loader import get_playbook
from statuspage.services.playbooks.messages import (
    SECTION_TITLES,
    SECTIONS,
    format_value,
    join_sections,
    transparency_check,
)
from statuspage.services.shop import get_shop
from statuspage.services.transactions import DatabaseBusy
from statuspage.views.admin._base import bp, component_statuses, find_incident, reserved_id
from statuspage.views.common import busy_message, committed, find
from statuspage.vocabulary import FINAL, TRANSITIONS


@bp.route("/playbooks/<kind>/open", methods=["GET", "POST"])
def open_from_playbook(kind: str):
    """Open an incident from a playbook: variables → messages per language → preview → publish."""
    playbook = get_playbook(kind) or abort(404)
    return _compose_page(playbook, incident=None)


@bp.route("/incidents/<public_id>/compose", methods=["GET", "POST"])
def compose_update(public_id: str):
    """Compose the next update of an incident from its playbook."""
    incident = find_incident(public_id)
    playbook = get_playbook(incident.kind)
    if not incident.is_active:
        flash(_("This incident is closed. Reopen it to post a new update."), "error")
        return redirect(url_for(".incident", public_id=public_id))
    if playbook is None:
        flash(_("This incident was not opened from a playbook; write the update by hand."), "error")
        return redirect(url_for(".incident", public_id=public_id))
    return _compose_page(playbook, incident=incident)


@bp.post("/preview")
def preview():
    """Render Markdown sections as the public page will show them, with the transparency check (JSON)."""
    form, shop = request.form, get_shop()
    playbook = get_playbook(form.get("kind"))
    lang = form.get("lang", "en")
    sections = {s: form.get(s, "") for s in SECTIONS}
    incident = find(Incident, form.get("incident") or "-")
    recorded = claims.recorded(incident, playbook, lang) if playbook and incident else None
    promised = _quiet_time(form.get("next_update_at"), shop.timezone)
    findings = transparency_check(
        playbook,
        form.get("stage", ""),
        lang,
        sections,
        bool(form.get("has_next")),
        claims=recorded,
        promise=format_value(as_utc(promised), lang, shop.timezone) if promised else None,
    )
    return jsonify(
        html=render_markdown(join_sections(sections)),
        findings=[
            {"ok": f.ok, "message": f.message, "sections": list(f.sections)} for f in findings
        ],
    )


def _compose_page(playbook, incident: Incident | None):
    """Run one step of the compose flow (compose, preview or publish) and render the page."""
    shop = get_shop()
    step = _read_step(playbook, incident, shop)
    action = request.form.get("action", "")
    if request.method == "POST" and not ConfirmForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
    elif action == "compose" or (request.method == "GET" and incident is not None):
        publishing.fill_sections(step, playbook, shop, _link(step.public_id))
        if request.method == "GET":  # nothing was tried yet: "This is needed" waits for an attempt
            step.errors.clear()
    elif action == "publish":
        answered = plan.current_promise(incident, utcnow()) if incident else None
        try:  # a double click racing this one is run again and finds the incident published
            published = committed(
                lambda: publishing.publish(step, playbook, incident, shop, current_user)
            )
        except publishing.AlreadyPublished as twice:
            flash(_("%(problem)s Here it is.", problem=twice), "info")
            return redirect(url_for(".incident", public_id=twice.incident.public_id))
        except ServiceError as error:
            flash(str(error), "error")
            if error.field:  # and beside the field it is about
                step.errors[error.field] = str(error)
        except DatabaseBusy:
            flash(busy_message("published"), "error")
        else:
            flash(_said(step, incident, answered, shop.timezone), "info")
            return redirect(url_for(".incident", public_id=published.public_id))
    else:  # the previews: the promised time follows *Next update by*, bound sentences the records
        publishing.follow_promise(step, shop)
        publishing.rebind(step, playbook, shop, _link(step.public_id))
    publishing.review(step, playbook, shop)
    page = render_template(
        "admin/compose.html",
        playbook=playbook,
        incident=incident,
        step=step,
        components=ordered_components(),
        stages=_stages(playbook, incident),
        sections=SECTIONS,
        section_titles=SECTION_TITLES,
        form=ConfirmForm(),
        open_now_items=checklist.open_now_items(incident) if incident else [],
        ui=str(get_locale() or "en"),
    )
    return page, 400 if request.method == "POST" and action == "publish" else 200


def _said(step: publishing.ComposeStep, incident: Incident | None, answered, timezone: str) -> str:
    """Say what publishing did: published or queued until when, and whether a promise was kept."""
    what = "Update" if incident is not None and not step.final else "Incident"
    verb = "published" if incident is None else "resolved" if step.final else "posted"
    return posted_message(step.published, answered, timezone, what, verb)


def _quiet_time(raw: str | None, timezone: str):
    """Parse a local time, or None when it is empty or unreadable (the form reports it)."""
    try:
        return parse_local(raw, timezone, future=False)
    except ServiceError:
        return None


def _step_times(form, incident: Incident | None, timezone: str, errors: dict) -> tuple:
    """Read "began at" and "became aware at": the incident's, or the form's for a new one."""
    if incident is not None:
        return incident.began_at, incident.aware_at
    found = []
    for name, what in (
        ("began_at", _("“The problem began at”")),
        ("became_aware_at", _("“We became aware at”")),
    ):
        try:
            found.append(parse_local(form.get(name), timezone, future=False, what=what))
        except ServiceError as error:
            errors[name] = str(error)
            found.append(None)
    return tuple(found)


def _read_step(playbook, incident: Incident | None, shop) -> publishing.ComposeStep:
    """Read the compose form (or its defaults on the first visit)."""
    form = request.form
    stages = _stages(playbook, incident)
    stage = (
        form.get("stage") or request.args.get("stage") or _next_stage(playbook, incident, stages)
    )
    if stage not in stages:
        stage = stages[0]
    chosen = form.getlist("langs") if request.method == "POST" else shop.language_list
    langs = [lang for lang in shop.language_list if lang in chosen] or [shop.default_language]
    raw = dict((incident.variables or {}) if incident else {})
    raw.update({k[4:]: v for k, v in form.items() if k.startswith("var-")})
    sections = {
        lang: {s: form.get(f"sec-{lang}-{s}", "") for s in SECTIONS}
        for lang in langs
        if any(form.get(f"sec-{lang}-{s}") for s in SECTIONS)
    }
    default_next = plan.default_next_update(incident, stage, utcnow(), kind=playbook.kind)
    errors: dict[str, str] = {}
    began_at, aware_at = _step_times(form, incident, shop.timezone, errors)
    step = publishing.ComposeStep(
        title=form.get("title")
        or (
            incident.title if incident else playbook.in_lang(playbook.title, shop.default_language)
        ),
        impact=form.get("impact") or (incident.impact if incident else playbook.impact),
        stage=stage,
        langs=langs,
        raw=raw,
        component_statuses={},
        # A final update promises nothing more: its *Next update by* stays empty.
        next_update_raw=""
        if stage in FINAL
        else form.get("next_update_at") or to_local_input(default_next, shop.timezone),
        publish_anyway=bool(form.get("publish_anyway")),
        public_id=incident.public_id if incident else reserved_id(form.get("public_id")),
        started_at=incident.started_at if incident else None,
        display_at_raw=form.get("display_at", ""),
        confirm_open_items=bool(form.get("confirm_open_items")),
        sections=sections,
        errors=errors,
        began_at=began_at,
        became_aware_at=aware_at,
        claims=claims.recorded(incident, playbook) if incident else None,
        promised_raw=form.get("promised", ""),
        notice=incident.is_notice if incident else playbook.notice,
        update_id=reserved_id(form.get("update_id")) if incident else "",
    )
    try:
        step.component_statuses = component_statuses(form)
    except ServiceError as error:
        step.errors["components"] = str(error)
    return step


def _stages(playbook, incident: Incident | None) -> list[str]:
    """Return the stages the agent may pick: where a new incident starts, or where this one may go."""
    if incident is None:
        return [s for s in playbook.stages if s not in playbook.final_stages]
    allowed = TRANSITIONS.get(incident.status, ())
    return [s for s in playbook.stages if s in allowed]


def _next_stage(playbook, incident: Incident | None, stages: list[str]) -> str:
    """Suggest the stage after the incident's current one (the first stage for a new incident)."""
    if incident is not None and incident.status in playbook.stages:
        following = playbook.stages[playbook.stages.index(incident.status) + 1 :]
        return next((s for s in following if s in stages), incident.status)
    return stages[0]


def _link(public_id: str) -> str:
    """Return the incident's public link."""
    return incident_url(public_id)
