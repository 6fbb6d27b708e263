"""Alert integrations: create one (its token shown once, stored as a hash), map alerts, check a token.

Each integration has its own endpoint, `/api/alerts/<public id>`, and its own secret token, sent as
`Authorization: Bearer <token>` (Alertmanager's `http_config.authorization`, Grafana's "Authorization
header") or, for senders that cannot set a header, as the last part of the URL path
(`/api/alerts/<public id>/<token>`; then it shows in access logs, so the header is preferred).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select

from statuspage.extensions import db
from statuspage.models import Component, User
from statuspage.models.alerts import Alert, AlertIntegration, AlertMapping
from statuspage.services import ServiceError
from statuspage.services.alerts.payloads import KINDS
from statuspage.services.audit import record
from statuspage.services.playbooks.loader import get_playbook
from statuspage.vocabulary import COMPONENT_STATUSES, IMPACTS

PREFIX = "candor_alerts_"


def hash_token(secret: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_integration(kind: str, name: str, user: User | None) -> tuple[AlertIntegration, str]:
    """Create an integration; return it and its token (the only time the token exists in clear)."""
    if kind not in KINDS:
        raise ServiceError(_("Choose Alertmanager, Grafana or Uptime Kuma."), field="kind")
    name = (name or "").strip() or KINDS[kind]
    if len(name) > 80:
        raise ServiceError(_("The name is too long (80 characters at most)."), field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    integration = AlertIntegration(kind=kind, name=name, token_hash=hash_token(secret))
    integration.created_by_id = user.id if user else None
    db.session.add(integration)
    db.session.flush()
    record(user, "alerts.integration.create", _target(integration), None, {"kind": kind})
    return integration, secret


def new_token(integration: AlertIntegration, user: User | None) -> str:
    """Replace an integration's token (the old one stops working at once); return the new one."""
    secret = PREFIX + secrets.token_urlsafe(32)
    integration.token_hash = hash_token(secret)
    record(user, "alerts.integration.token", _target(integration), None, None)
    return secret


def set_enabled(integration: AlertIntegration, enabled: bool, user: User | None) -> None:
    """Turn an integration on or off (off: its requests are refused with 401)."""
    integration.enabled = enabled
    record(user, "alerts.integration.enable" if enabled else "alerts.integration.disable",
           _target(integration))  # fmt: skip


def delete_integration(integration: AlertIntegration, user: User | None) -> None:
    """Delete an integration, its mappings and its alerts (incidents it opened stay)."""
    record(
        user, "alerts.integration.delete", _target(integration), {"kind": integration.kind}, None
    )
    db.session.delete(integration)


def authenticate(public_id: str, secret: str | None) -> AlertIntegration | None:
    """Return the enabled integration this token opens; None for anything else."""
    if not secret or len(secret) > 200 or not public_id or len(public_id) > 12:
        return None
    integration = db.session.scalar(
        select(AlertIntegration).where(AlertIntegration.public_id == public_id)
    )
    if integration is None or not integration.enabled:
        return None
    if not hmac.compare_digest(integration.token_hash, hash_token(secret)):
        return None
    return integration


def add_mapping(
    integration: AlertIntegration,
    *,
    label: str,
    value: str,
    component: Component | None,
    kind: str,
    impact: str = "major",
    component_status: str | None = None,
    auto_publish: bool = False,
    variables: str | dict = "",
    user: User | None,
) -> AlertMapping:
    """Map alerts whose label has a value (Uptime Kuma: "monitor" = its name) to a component and a playbook."""
    label, value = (label or "").strip(), (value or "").strip()
    if not label or not value or len(label) > 100 or len(value) > 200:
        raise ServiceError(
            _("Give a label and the value it must have (e.g. alertname = CheckoutDown)."),
            field="label",
        )
    if component is None or component.is_group:
        raise ServiceError(
            _("Choose the component these alerts are about (not a group)."), field="component"
        )
    playbook = get_playbook(kind)
    if playbook is None or playbook.maintenance:
        raise ServiceError(_("Choose the playbook the draft is written from."), field="kind")
    if impact not in IMPACTS or impact == "maintenance":
        raise ServiceError(_("Unknown impact “%(impact)s”.", impact=impact), field="impact")
    if component_status and component_status not in COMPONENT_STATUSES:
        raise ServiceError(
            _("Unknown component status “%(status)s”.", status=component_status),
            field="component_status",
        )
    values = parse_variables(variables) if isinstance(variables, str) else dict(variables)
    unknown = sorted(name for name in values if playbook.variable(name) is None)
    if unknown:
        raise ServiceError(
            _("The playbook has no variable “%(name)s”.", name=unknown[0]), field="variables"
        )
    last = db.session.scalar(
        select(func.max(AlertMapping.position)).where(AlertMapping.integration_id == integration.id)
    )
    mapping = AlertMapping(
        integration=integration, label=label, value=value, component=component, kind=kind,
        impact=impact, component_status=component_status or None, auto_publish=auto_publish,
        variables=values, position=(last or 0) + 1,
    )  # fmt: skip
    db.session.add(mapping)
    db.session.flush()
    record(user, "alerts.mapping.add", _target(integration), None, describe(mapping))
    return mapping


def delete_mapping(mapping: AlertMapping, user: User | None) -> None:
    """Remove a mapping (alerts it matched keep their incidents)."""
    record(user, "alerts.mapping.delete", _target(mapping.integration), describe(mapping), None)
    db.session.delete(mapping)


def parse_variables(text: str) -> dict[str, str]:
    """Read "name = value" lines (the playbook values that stay the same from incident to incident)."""
    values = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sign, value = line.partition("=")
        if not sign or not name.strip():
            raise ServiceError(
                _("Variables, line %(number)s: write it as name = value.", number=number),
                field="variables",
            )
        values[name.strip()] = value.strip()[:500]
    return values


def match(integration: AlertIntegration, labels: dict[str, str]) -> AlertMapping | None:
    """Return the first mapping (in order) whose label has the alert's value."""
    return next((m for m in integration.mappings if labels.get(m.label) == m.value), None)


def describe(mapping: AlertMapping) -> dict:
    """Return the audited fields of a mapping."""
    return {
        "match": f"{mapping.label}={mapping.value}", "component": mapping.component.name,
        "playbook": mapping.kind, "component_status": mapping.component_status,
        "auto_publish": mapping.auto_publish,
    }  # fmt: skip


def integrations() -> list[AlertIntegration]:
    """Return every integration, oldest first."""
    return list(db.session.scalars(select(AlertIntegration).order_by(AlertIntegration.id)))


def recent_alerts(integration: AlertIntegration, limit: int = 20) -> list[Alert]:
    """Return an integration's latest alerts (matched or not), newest first."""
    return list(
        db.session.scalars(
            select(Alert)
            .where(Alert.integration_id == integration.id)
            .order_by(Alert.last_seen_at.desc(), Alert.id.desc())
            .limit(limit)
        )
    )


def _target(integration: AlertIntegration) -> str:
    """Name an integration in the audit log."""
    return f"alert integration {integration.public_id}: {integration.name}"
