"""Admin: alert integrations (owners only): create one (token shown once), map alerts, copy the set-up."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.forms import ConfirmForm
from statuspage.models import Component
from statuspage.models.alerts import AlertIntegration, AlertMapping
from statuspage.services.alerts import integrations as service
from statuspage.services.alerts.payloads import KINDS
from statuspage.services.alerts.snippets import endpoint, snippet
from statuspage.services.components import ordered_components
from statuspage.services.playbooks.loader import all_playbooks
from statuspage.views.admin._base import attempt, bp, owner_required, submitted
from statuspage.views.admin._typed import attempt_keeping
from statuspage.views.common import find
from statuspage.vocabulary import COMPONENT_STATUSES, IMPACTS


@bp.route("/alerts", methods=["GET", "POST"])
@owner_required
def alert_integrations():
    """List the alert integrations and create one (its token is shown on the next page, once)."""
    created: list[tuple[AlertIntegration, str]] = []
    typed = {"kind": request.form.get("kind", ""), "name": request.form.get("name", "")}
    if request.method == "POST" and submitted(ConfirmForm()) and attempt_keeping(
            lambda: created.append(service.create_integration(typed["kind"], typed["name"], current_user)),
            typed, _("Integration created. Copy its token now: it is not shown again."),
    ):  # fmt: skip
        return _integration_page(*created[-1])
    return render_template(
        "admin/alerts.html", integrations=service.integrations(), kinds=KINDS,
        confirm_form=ConfirmForm(), typed=typed, errors=typed.get("errors", {}),
    ), 400 if request.method == "POST" else 200  # fmt: skip


@bp.get("/alerts/<public_id>")
@owner_required
def alert_integration(public_id: str):
    """Show an integration: its set-up snippet, its mappings and the alerts it received."""
    return _integration_page(_find(public_id))


@bp.post("/alerts/<public_id>/mappings")
@owner_required
def add_alert_mapping(public_id: str):
    """Map alerts (a label's value, or a monitor's name) to a component and a playbook."""
    integration, form = _find(public_id), request.form
    typed: dict = {"mapping": form}
    if submitted(ConfirmForm()) and attempt_keeping(
        lambda: service.add_mapping(
            integration, label=form.get("label", ""), value=form.get("value", ""),
            component=find(Component, form.get("component", "")[:12]), kind=form.get("kind", ""),
            impact=form.get("impact", "major"), component_status=form.get("component_status") or None,
            auto_publish=form.get("auto_publish") == "y", variables=form.get("variables", ""),
            user=current_user,
        ),
        typed, _("Mapping added."),
    ):  # fmt: skip
        return redirect(url_for(".alert_integration", public_id=public_id))
    return _integration_page(integration, typed=typed), 400


@bp.post("/alerts/<public_id>/mappings/<int:mapping_id>/delete")
@owner_required
def delete_alert_mapping(public_id: str, mapping_id: int):
    """Remove a mapping."""
    integration = _find(public_id)
    mapping = db.session.get(AlertMapping, mapping_id)
    if mapping is None or mapping.integration_id != integration.id:
        abort(404)
    if submitted(ConfirmForm()):
        attempt(lambda: service.delete_mapping(mapping, current_user), _("Mapping removed."))
    return redirect(url_for(".alert_integration", public_id=public_id))


@bp.post("/alerts/<public_id>/actions/<action>")
@owner_required
def alert_integration_action(public_id: str, action: str):
    """Give an integration a new token, turn it on or off, or delete it."""
    integration = _find(public_id)
    if action not in ("token", "enable", "disable", "delete"):
        abort(404)
    if not submitted(ConfirmForm()):
        return redirect(url_for(".alert_integration", public_id=public_id))
    if action == "token":
        secret: list[str] = []
        if attempt(lambda: secret.append(service.new_token(integration, current_user)),
                   _("New token made; the old one no longer works. Copy it now.")):  # fmt: skip
            return _integration_page(integration, secret[-1])
    elif action == "delete":
        if attempt(
            lambda: service.delete_integration(integration, current_user), _("Integration deleted.")
        ):
            return redirect(url_for(".alert_integrations"))
    else:
        enabled = action == "enable"
        attempt(lambda: service.set_enabled(integration, enabled, current_user),
                _("Integration turned on.") if enabled else _("Integration turned off."))  # fmt: skip
    return redirect(url_for(".alert_integration", public_id=public_id))


def _find(public_id: str) -> AlertIntegration:
    """Find an integration by its public id or answer 404."""
    found = db.session.scalar(
        select(AlertIntegration).where(AlertIntegration.public_id == public_id[:12])
    )
    return found if found is not None else abort(404)


def _integration_page(
    integration: AlertIntegration, secret: str | None = None, typed: dict | None = None
) -> str:
    """Render an integration's page (with its new token, once; a refused mapping as it was typed)."""
    lang = str(get_locale() or "en")
    playbooks = sorted(
        ((kind, p.in_lang(p.title, lang), p) for kind, p in all_playbooks()[0].items() if not p.maintenance),
        key=lambda row: row[1].casefold(),
    )  # fmt: skip
    typed = typed or {}
    return render_template(
        "admin/alert_integration.html", integration=integration, secret=secret,
        kind_name=KINDS[integration.kind], snippet=snippet(integration),
        endpoint=endpoint(integration), path_endpoint=endpoint(integration, token_in_path=True),
        alerts=service.recent_alerts(integration), components=ordered_components(),
        playbooks=playbooks, impacts=[i for i in IMPACTS if i != "maintenance"],
        statuses=[s for s in COMPONENT_STATUSES if s != "operational"],
        confirm_form=ConfirmForm(), typed=typed.get("mapping", {}), errors=typed.get("errors", {}),
    )  # fmt: skip
