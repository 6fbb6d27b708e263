"""Copy-paste set-up for each monitoring system: its endpoint (from BASE_URL) and a token placeholder."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from statuspage.models.alerts import AlertIntegration
from statuspage.services.links import public_url

TOKEN = "PASTE_THE_TOKEN_HERE"


@dataclass(frozen=True)
class Snippet:
    """What to paste where: a short instruction and the text itself."""

    where: str
    text: str
    auth: str  # how the token travels, said plainly


def endpoint(integration: AlertIntegration, token_in_path: bool = False) -> str:
    """Return the integration's absolute URL (with the token placeholder in the path if asked)."""
    url = public_url(f"/api/alerts/{integration.public_id}")
    return f"{url}/{TOKEN}" if token_in_path else url


def snippet(integration: AlertIntegration) -> Snippet:
    """Return the configuration to paste into the integration's monitoring system."""
    return _BUILDERS[integration.kind](integration)


def _alertmanager(integration: AlertIntegration) -> Snippet:
    """An alertmanager.yml receiver (and a route sending it alerts), token as a Bearer header."""
    text = f"""# alertmanager.yml: add the receiver, and a route that sends it the shop's alerts
route:
  routes:
    - receiver: candor
      matchers: ['alertname=~".+"']   # narrow this to the alerts customers would notice
      continue: true                  # the other receivers still get them
      group_wait: 30s
      repeat_interval: 4h

receivers:
  - name: candor
    webhook_configs:
      - url: "{endpoint(integration)}"
        send_resolved: true           # Candor suggests the resolving update
        http_config:
          authorization:
            type: Bearer
            credentials: "{TOKEN}"
"""
    where = gettext("alertmanager.yml (then reload Alertmanager)")
    return Snippet(where, text, gettext("Authorization: Bearer header (http_config.authorization)"))


def _grafana(integration: AlertIntegration) -> Snippet:
    """Grafana's webhook contact point: the form fields, and the same as a provisioning file."""
    text = f"""# Alerting → Contact points → + Add contact point → Integration: Webhook
#   URL:                                   {endpoint(integration)}
#   HTTP Method:                           POST
#   Optional Webhook settings →
#     Authorization Header - Scheme:       Bearer
#     Authorization Header - Credentials:  {TOKEN}
# Then route the shop's alerts to it (Notification policies). As a provisioning file:
apiVersion: 1
contactPoints:
  - orgId: 1
    name: Candor
    receivers:
      - uid: candor
        type: webhook
        settings:
          url: "{endpoint(integration)}"
          httpMethod: POST
          authorization_scheme: Bearer
          authorization_credentials: "{TOKEN}"
"""
    where = gettext("Grafana: Alerting → Contact points (or provisioning/alerting/candor.yaml)")
    return Snippet(where, text, gettext("Authorization header, scheme Bearer"))


def _uptime_kuma(integration: AlertIntegration) -> Snippet:
    """Uptime Kuma's webhook notification; the token goes in the URL path (no header needed)."""
    text = f"""# Settings → Notifications → Setup Notification
#   Notification Type:  Webhook
#   Friendly Name:      Candor status page
#   Post URL:           {endpoint(integration, token_in_path=True)}
#   Request Body:       Preset - application/json
# Then tick it under "Notifications" on each monitor customers would notice.
# Mappings match the monitor by its name (label "monitor"), e.g. monitor = Checkout.
# Uptime Kuma versions with "Additional Headers" may send the token as a header instead:
#   Post URL:           {endpoint(integration)}
#   Additional Headers: {{"Authorization": "Bearer {TOKEN}"}}
"""
    where = gettext("Uptime Kuma: Settings → Notifications")
    return Snippet(
        where, text, gettext("token in the URL path (or an Authorization: Bearer header)")
    )


_BUILDERS = {"alertmanager": _alertmanager, "grafana": _grafana, "uptime_kuma": _uptime_kuma}
