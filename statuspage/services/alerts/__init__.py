"""Alerts from monitoring: a firing alert opens a draft from the mapped playbook; the team publishes it.

payloads.py      read Alertmanager, Grafana and Uptime Kuma notifications into one shape (start here)
intake.py        act on them: open or update one draft per alert, restore the component, suggest
                 the resolving update, tell the team
integrations.py  integrations (token stored as a hash), mappings to a component and a playbook
snippets.py      the copy-paste configuration for each monitoring system
"""
