"""Alert intake: monitoring integrations, their mappings to a component and a playbook, and the alerts seen.

An integration's secret token is stored only as its SHA-256 hash. Each alert a monitoring system reports
is one row per firing (fingerprint + start): while it fires, `open_key` holds "<integration>:<fingerprint>"
(unique), so repeated and grouped notifications of the same alert find the same row and never open a
second draft; once resolved, `open_key` is cleared and a new firing of the same alert is a new row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models.core import Component, Incident, User, new_public_id, utcnow


class AlertIntegration(db.Model):
    """One monitoring system posting alerts to Candor (Alertmanager, Grafana, Uptime Kuma)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True, default=new_public_id)
    kind: Mapped[str] = mapped_column(String(20))  # alertmanager | grafana | uptime_kuma
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The last request that got through, and what came of it (shown in the admin to debug a set-up).
    last_received_at: Mapped[datetime | None]
    last_result: Mapped[str] = mapped_column(String(300), default="")

    created_by: Mapped[User | None] = relationship()
    mappings: Mapped[list[AlertMapping]] = relationship(
        back_populates="integration",
        order_by="AlertMapping.position, AlertMapping.id",
        cascade="all, delete-orphan",
    )


class AlertMapping(db.Model):
    """Which alerts (a label's value, or a monitor's name) open which playbook for which component."""

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("alert_integration.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(100))  # e.g. "alertname", "service"; Kuma: "monitor"
    value: Mapped[str] = mapped_column(String(200))
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))  # the playbook
    impact: Mapped[str] = mapped_column(String(16), default="major")
    # Set the component to this status while the alert fires (None: leave the component alone).
    component_status: Mapped[str | None] = mapped_column(String(24))
    # Publish without a person (off unless an owner turns it on for this mapping).
    auto_publish: Mapped[bool] = mapped_column(default=False)
    # The playbook's variables that do not change from one incident to the next ({name: raw value}).
    variables: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)

    integration: Mapped[AlertIntegration] = relationship(back_populates="mappings")
    component: Mapped[Component] = relationship()


class Alert(db.Model):
    """One firing of one alert, from its first notification to its resolution."""

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("alert_integration.id", ondelete="CASCADE"), index=True
    )
    mapping_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_mapping.id", ondelete="SET NULL")
    )
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(160))
    # "<integration id>:<fingerprint>" while firing, None once resolved: at most one open row per alert.
    open_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="firing")  # firing | resolved
    summary: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    notifications: Mapped[int] = mapped_column(default=1)
    # The component's status before this alert changed it (restored when it resolves).
    component_before: Mapped[str | None] = mapped_column(String(24))

    integration: Mapped[AlertIntegration] = relationship()
    mapping: Mapped[AlertMapping | None] = relationship()
    incident: Mapped[Incident | None] = relationship()
