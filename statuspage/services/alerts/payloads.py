"""Read what monitoring systems POST into one shape, `Signal`; anything malformed is a clear BadPayload.

The shapes, from their sources (recorded examples in tests/fixtures/alerts/):

- Prometheus Alertmanager's webhook (`notify/webhook/webhook.go`, `template/template.go`): version "4",
  `status`, `alerts[]` each with `status`, `labels`, `annotations`, `startsAt`, `endsAt`, `fingerprint`,
  `generatorURL`; several alerts in one notification (grouped), repeated every `repeat_interval`.
- Grafana alerting's webhook contact point (grafana/alerting `receivers/webhook/webhook.go`): the same
  alert fields (version "1") plus `orgId`, `title`, `state`, `message`, `values` …
- Uptime Kuma's webhook notification (`server/notification-providers/webhook.js`): `{heartbeat, monitor,
  msg}`, JSON or form-data with one `data` field; heartbeat status 0 = down, 1 = up (2 pending and
  3 maintenance say nothing); heartbeat and monitor are null for the "Test" button.

Parsing writes nothing, so a payload refused here changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from statuspage.services import ServiceError
from statuspage.services.clock import from_local

KINDS = {
    "alertmanager": "Prometheus Alertmanager",
    "grafana": "Grafana alerting",
    "uptime_kuma": "Uptime Kuma",
}
_GO_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$"
)


class BadPayload(ServiceError):
    """The request body is not a notification this integration understands."""


@dataclass
class Signal:
    """One alert's state in one notification: firing or resolved."""

    fingerprint: str
    firing: bool
    started_at: datetime
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    ended_at: datetime | None = None


def parse(kind: str, data: object, limit: int = 500) -> list[Signal]:
    """Turn a decoded notification into signals; raise BadPayload saying what is wrong."""
    if not isinstance(data, dict):
        raise BadPayload("The body must be a JSON object.")
    if kind == "uptime_kuma":
        return _uptime_kuma(data)
    return _alertmanager_like(kind, data, limit)


def _alertmanager_like(kind: str, data: dict, limit: int) -> list[Signal]:
    """Read Alertmanager's (version 4) or Grafana's (version 1) grouped notification."""
    expected = "4" if kind == "alertmanager" else "1"
    if str(data.get("version", "")) != expected:
        raise BadPayload(
            f"Unsupported payload version {data.get('version')!r}: {KINDS[kind]} sends version {expected}."
        )
    alerts = data.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise BadPayload("“alerts” must be a non-empty list.")
    if len(alerts) > limit:
        raise BadPayload(f"Too many alerts in one notification ({len(alerts)}; {limit} at most).")
    return [_alert(item, n) for n, item in enumerate(alerts)]


def _alert(item: object, n: int) -> Signal:
    """Read one alert of a grouped notification."""
    where = f"alerts[{n}]"
    if not isinstance(item, dict):
        raise BadPayload(f"{where} must be an object.")
    status = item.get("status")
    if status not in ("firing", "resolved"):
        raise BadPayload(f"{where}.status must be “firing” or “resolved”.")
    labels = _strings(item.get("labels"), f"{where}.labels")
    annotations = _strings(item.get("annotations", {}), f"{where}.annotations")
    fingerprint = item.get("fingerprint")
    if not isinstance(fingerprint, str) or not fingerprint.strip() or len(fingerprint) > 120:
        raise BadPayload(f"{where}.fingerprint must be a short non-empty string.")
    started = parse_time(item.get("startsAt"), f"{where}.startsAt")
    if started is None:
        raise BadPayload(f"{where}.startsAt is missing.")
    ended = parse_time(item.get("endsAt"), f"{where}.endsAt")
    summary = annotations.get("summary") or annotations.get("description") or ""
    return Signal(
        fingerprint=fingerprint.strip(), firing=status == "firing", started_at=started,
        labels=labels, annotations=annotations, summary=summary or labels.get("alertname", ""),
        ended_at=None if status == "firing" else ended,
    )  # fmt: skip


def _uptime_kuma(data: dict) -> list[Signal]:
    """Read Uptime Kuma's notification: one monitor going down (0) or up (1)."""
    heartbeat, monitor = data.get("heartbeat"), data.get("monitor")
    if heartbeat is None and monitor is None:
        if not isinstance(data.get("msg"), str):
            raise BadPayload("Expected “heartbeat”, “monitor” and “msg”.")
        return []  # the "Test" button: nothing to act on
    if not isinstance(heartbeat, dict) or not isinstance(monitor, dict):
        raise BadPayload("“heartbeat” and “monitor” must be objects.")
    status = heartbeat.get("status")
    if status not in (0, 1, 2, 3):
        raise BadPayload(
            "heartbeat.status must be 0 (down), 1 (up), 2 (pending) or 3 (maintenance)."
        )
    monitor_id, name = monitor.get("id"), monitor.get("name")
    if not isinstance(monitor_id, int) or not isinstance(name, str) or not name.strip():
        raise BadPayload("monitor.id (a number) and monitor.name are required.")
    at = parse_time(heartbeat.get("time"), "heartbeat.time")
    if at is None:
        raise BadPayload("heartbeat.time is missing.")
    if status in (2, 3):
        return []  # pending (retrying) or the monitor's own maintenance: not an outage (yet)
    labels = {"monitor": name.strip()[:200], "monitor_id": str(monitor_id)}
    for key in ("type", "url", "hostname"):
        if isinstance(monitor.get(key), str) and monitor[key]:
            labels[key] = monitor[key][:300]
    message = heartbeat.get("msg") if isinstance(heartbeat.get("msg"), str) else ""
    return [
        Signal(
            fingerprint=f"monitor:{monitor_id}",
            firing=status == 0,
            started_at=at,
            labels=labels,
            summary=f"{name.strip()}: {message}".strip(": ")[:500],
            ended_at=None if status == 0 else at,
        )  # fmt: skip
    ]


def _strings(value: object, where: str) -> dict[str, str]:
    """Check a label or annotation set: an object of short strings."""
    if not isinstance(value, dict):
        raise BadPayload(f"{where} must be an object of strings.")
    if len(value) > 100 or any(
        not isinstance(k, str) or not isinstance(v, str) or len(k) > 100 or len(v) > 5000
        for k, v in value.items()
    ):
        raise BadPayload(f"{where} must be an object of strings (at most 100, each short).")
    return dict(value)


def parse_time(value: object, where: str) -> datetime | None:
    """Read an RFC 3339 time (Go's nanoseconds too) or Kuma's "YYYY-MM-DD HH:mm:ss.SSS" (UTC).

    Returns naive UTC; None for a missing value or Go's zero time ("0001-01-01T00:00:00Z": not set).
    """
    if value in (None, ""):
        return None
    match = _GO_TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise BadPayload(f"{where} is not a time (RFC 3339, e.g. 2026-03-10T12:00:00Z).")
    day, clock, fraction, offset = match.groups()
    text = f"{day}T{clock}.{(fraction or '0')[:6].ljust(6, '0')}{offset or '+00:00'}"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadPayload(f"{where} is not a valid time.") from None
    if moment.year <= 1:
        return None
    return from_local(moment, "UTC")  # a naive time is read as UTC
