"""Admin, after the crisis: the checklist, the postmortem and the trust report."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.forms import ConfirmForm
from statuspage.models import Incident, User
from statuspage.models.aftercare import ChecklistEntry, Postmortem
from statuspage.services import ServiceError
from statuspage.services.aftercare import checklist, postmortem, trust_report
from statuspage.services.aftercare.checklist import CATEGORY_TITLES
from statuspage.services.clock import parse_local
from statuspage.services.formats import month_text
from statuspage.services.links import incident_url
from statuspage.services.playbooks.loader import all_playbooks
from statuspage.services.shop import get_shop
from statuspage.views.admin._base import attempt, bp, find_incident, submitted
from statuspage.views.admin._typed import attempt_keeping
from statuspage.vocabulary import RESOLVED


@bp.get("/incidents/<public_id>/aftercare")
def aftercare(public_id: str):
    """Show the incident's trust-rebuilding checklist and its postmortem (reads only)."""
    return _aftercare_page(find_incident(public_id))


@bp.post("/incidents/<public_id>/checklist/attach")
def attach_checklist(public_id: str):
    """Attach the playbook's checklist to an incident that has none yet (one opened before it existed)."""
    incident = find_incident(public_id)
    if submitted(ConfirmForm()) and attempt(
        lambda: checklist.attach(incident), _("Checklist attached.")
    ):
        return redirect(url_for(".aftercare", public_id=public_id) + "#checklist")
    return _aftercare_page(incident, status=400)


def _aftercare_page(incident: Incident, edited: str | None = None, *, typed=None, status=200):
    """Render the aftercare page; `edited` is the editor's unsaved text to preview (None: the saved one).

    `typed` holds what a refused form sent (the new item, a note, the postmortem's tick) and the errors
    by field, so the page shows it again as it was typed, each error beside its field.
    """
    draft = postmortem.get(incident)
    body = edited if edited is not None else (draft.body if draft else "")
    if edited is None and not body and incident.status in RESOLVED:
        body = postmortem.prefill(incident)
    preview = ""
    if body:
        try:
            preview = postmortem.preview(body)
        except ServiceError as error:  # e.g. too long: say so, keep the text in the editor
            flash(str(error), "error")
    now_items, later_items = checklist.grouped(incident)
    return render_template(
        "admin/aftercare.html",
        incident=incident,
        entries=now_items,
        later=later_items,
        categories=CATEGORY_TITLES,
        attachable=checklist.attachable(incident),
        team=db.session.scalars(select(User).order_by(User.email)).all(),
        postmortem=draft,
        body=body,
        preview=preview,
        form=ConfirmForm(),
        shop=get_shop(),
        typed=typed or {},
        errors=(typed or {}).get("errors") or {},
        lang=str(get_locale() or "en"),
        first_drafts=_first_drafts(incident, draft),
    ), status


def _first_drafts(incident: Incident, draft: Postmortem | None) -> dict[str, str]:
    """Pre-fill the postmortem in each other language not written yet, from that language's template."""
    if draft is None:
        return {}
    written, shop = draft.translations or {}, get_shop()
    try:
        return {
            lang: postmortem.prefill(incident, lang)
            for lang in shop.language_list[1:]
            if not written.get(lang, {}).get("body")
        }
    except ServiceError:  # a broken template: the editors start empty rather than the page failing
        return {}


@bp.post("/checklist/<int:entry_id>/<action>")
def checklist_action(entry_id: int, action: str):
    """Tick, skip, reopen or assign a checklist item; a refusal keeps the note beside the item."""
    entry = db.session.get(ChecklistEntry, entry_id) or abort(404)
    form = request.form
    actions = {
        "done": lambda: checklist.tick(entry, user=current_user, note=form.get("note", "")),
        "skip": lambda: checklist.skip(entry, user=current_user, reason=form.get("note", "")),
        "reopen": lambda: checklist.reopen(entry, user=current_user),
        "assign": lambda: checklist.assign(
            entry, _teammate(form.get("assignee")), user=current_user
        ),
    }
    if action not in actions:
        abort(404)
    typed = {"entry": entry.id, "note": form.get("note", ""), "assignee": form.get("assignee")}
    if submitted(ConfirmForm()) and attempt_keeping(
        actions[action], typed, _("Checklist updated.")
    ):
        return redirect(url_for(".aftercare", public_id=entry.incident.public_id) + "#checklist")
    return _aftercare_page(entry.incident, typed=typed, status=400)


@bp.post("/incidents/<public_id>/checklist")
def add_checklist_item(public_id: str):
    """Add the team's own item to the checklist; a refusal shows the item again as typed."""
    incident, form, shop = find_incident(public_id), request.form, get_shop()
    typed = {
        "item": True,
        "text": form.get("text", ""),
        "category": form.get("category", ""),
        "due_at": form.get("due_at", ""),
        "public": bool(form.get("public")),
    }

    def add():
        checklist.add(
            incident, text=typed["text"], category=typed["category"], lang=shop.default_language,
            public=typed["public"], user=current_user, due_at=_due_at(typed["due_at"], shop.timezone),
        )  # fmt: skip

    if submitted(ConfirmForm()) and attempt_keeping(add, typed, _("Item added.")):
        return redirect(url_for(".aftercare", public_id=public_id) + "#checklist")
    return _aftercare_page(incident, typed=typed, status=400)


def _due_at(value: str, timezone: str):
    """Read the new item's due time (shop time); a problem is said beside that field."""
    try:
        return parse_local(value, timezone, future=False, what=_("The due time"))
    except ServiceError as error:
        raise ServiceError(str(error), field="due_at") from None


@bp.post("/incidents/<public_id>/postmortem")
def save_postmortem(public_id: str):
    """Preview, save or publish the postmortem."""
    incident, form = find_incident(public_id), request.form
    action = form.get("action", "save")
    if not submitted(ConfirmForm()):
        return _aftercare_page(incident, form.get("body", ""), status=400)
    if action == "preview":  # rendered from the POST: a draft in the URL would outgrow it (414)
        return _aftercare_page(incident, form.get("body", ""))
    link = incident_url(incident)
    public = bool((found := postmortem.get(incident)) and found.published_at)
    confirm = bool(form.get("confirm"))

    def save_and_maybe_publish():
        postmortem.save(incident, form.get("body", ""), user=current_user)
        if action == "publish":
            db.session.flush()
            postmortem.publish(incident, link, user=current_user, confirm=confirm)

    if action == "publish":
        success = _("Postmortem published.")
    else:
        success = _("Changes published.") if public else _("Draft saved (not public).")
    typed = {"confirm": confirm}
    if attempt_keeping(save_and_maybe_publish, typed, success):
        return redirect(url_for(".aftercare", public_id=public_id) + "#postmortem")
    # refused (template text left, overdue items …): keep the team's text in the editor
    return _aftercare_page(incident, form.get("body", ""), typed=typed, status=400)


@bp.get("/report")
def report():
    """Show the trust report across incidents, filtered by period and kind."""
    rows, filters = _report_rows()
    lang = str(get_locale() or "en")
    names = {kind: p.in_lang(p.title, lang) or kind for kind, p in all_playbooks()[0].items()}
    months = trust_report.monthly(rows)
    for month in months:  # "2026-03" is a key; a person reads "March 2026" in their language
        month["label"] = month_text(date.fromisoformat(month["month"] + "-01"), lang)
    return render_template(
        "admin/report.html",
        rows=rows,
        months=months,
        filters=filters,
        kinds=sorted(names.items(), key=lambda item: item[1].casefold()),
        kind_names=names,
    )


@bp.get("/report.csv")
def report_csv():
    """Download the trust report as CSV."""
    rows, _filters = _report_rows()
    return Response(
        trust_report.to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=candor-trust-report.csv"},
    )


def _report_rows():
    """Read the report filters (a bad date is said and ignored, with the filter shown empty)."""
    shop, args = get_shop(), request.args
    filters = {
        "since": args.get("since", ""),
        "until": args.get("until", ""),
        "kind": args.get("kind", ""),
    }
    bounds = {}
    for key in ("since", "until"):
        try:  # "until" names the last day shown, so the bound is the start of the day after
            bounds[key] = trust_report.day_start(
                filters[key], shop.timezone, following=key == "until"
            )
        except ServiceError as error:
            flash(str(error), "error")
            bounds[key], filters[key] = None, ""
    return trust_report.report(bounds["since"], bounds["until"], filters["kind"] or None), filters


def _teammate(user_id: str | None) -> User | None:
    """Find the chosen teammate (empty means nobody)."""
    if not user_id:
        return None
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None
