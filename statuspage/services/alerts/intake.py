"""Act on alerts: a firing alert opens ONE draft from its mapping's playbook; a resolved one suggests the end.

- A firing alert with no open row gets one (its `open_key` is unique while it fires) and, when a mapping
  matches, is attached to the incident its mapping already has open (grouped notifications, several
  instances of one problem, a flapping alert) or opens a new draft composed from the playbook in every
  enabled language, its start as when the problem began (`began_at`). The team is told at once
  (dashboard, e-mail, chat webhook): "Draft ready: publish or discard". With auto-publish on (an
  owner's choice per mapping) and no blank left to fill, the incident is published instead.
- A repeat of a firing alert (Alertmanager's `repeat_interval`, the next grouped notification) finds its
  open row and only counts it: never a second draft. A discarded draft stays discarded until the alert
  resolves and fires again.
- A resolved alert closes its row, sets the component back (when it changed it and no other alert of that
  component still fires) and, once no alert of the incident fires, suggests the resolving update (a notice
  and a banner on the incident's admin page); with auto-publish, the playbook's resolving text is posted.

`receive` first locks the integration's row (a conditional UPDATE), so two notifications of the same
integration are handled one after the other, never racing to open two drafts. The view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy import update as sql_update

from statuspage.extensions import db
from statuspage.models import Incident, new_public_id, utcnow
from statuspage.models.alerts import Alert, AlertIntegration, AlertMapping
from statuspage.services import ServiceError, plan
from statuspage.services.alerts import integrations
from statuspage.services.alerts.payloads import Signal
from statuspage.services.components import set_status
from statuspage.services.delivery import notify
from statuspage.services.delivery.team_text import N_, TeamText
from statuspage.services.incidents import lifecycle
from statuspage.services.links import admin_incident_url, incident_url, public_url
from statuspage.services.playbooks.composer import Facts, compose_with_blanks
from statuspage.services.playbooks.loader import Playbook, get_playbook
from statuspage.services.shop import get_shop
from statuspage.site_version import private_write
from statuspage.vocabulary import FINAL


@dataclass
class Outcome:
    """What one notification did, counted (the response body, and the admin's "last request")."""

    opened: int = 0
    published: int = 0
    updated: int = 0
    resolved: int = 0
    unmatched: int = 0
    ignored: int = 0
    public: bool = field(default=False, repr=False)  # a change the public pages show

    def as_dict(self) -> dict[str, int]:
        """Return the counts."""
        return {what: n for what, n in self.__dict__.items() if what != "public"}

    def text(self) -> str:
        """Say it in one line."""
        done = [f"{n} {what}" for what, n in self.as_dict().items() if n]
        return ", ".join(done) or "nothing to do"


def receive(
    integration: AlertIntegration, signals: list[Signal], now: datetime | None = None
) -> Outcome:
    """Act on one notification's alerts, in order, under the integration's lock."""
    now = now or utcnow()
    db.session.execute(  # the lock: the same integration's notifications queue up here
        sql_update(AlertIntegration)
        .where(AlertIntegration.id == integration.id)
        .values(last_received_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(integration)
    outcome, opened = Outcome(), {}
    for signal in signals:
        if signal.firing:
            _fire(integration, signal, now, opened, outcome)
        else:
            _resolve(integration, signal, now, outcome)
    integration.last_result = outcome.text()[:300]
    if not outcome.public:  # counting repeats, or a draft nobody sees yet: public pages stay cached
        private_write()
    db.session.flush()
    return outcome


def _fire(integration, signal: Signal, now: datetime, opened: dict, outcome: Outcome) -> None:
    """Open a row for a newly firing alert (and its incident), or count a repeat."""
    key = f"{integration.id}:{signal.fingerprint}"
    alert = db.session.scalar(select(Alert).where(Alert.open_key == key))
    if alert is not None:
        alert.last_seen_at, alert.notifications = now, alert.notifications + 1
        alert.summary = signal.summary[:2000]
        outcome.updated += 1
        if alert.mapping_id is None:  # a mapping added since: act on it now
            mapping = integrations.match(integration, signal.labels)
            _attach(alert, mapping, signal, now, opened, outcome, fresh=False)
        return
    if _resolved_already(integration, signal):  # a late repeat of a firing that has ended
        outcome.ignored += 1
        return
    alert = Alert(
        integration=integration, fingerprint=signal.fingerprint, open_key=key, status="firing",
        summary=signal.summary[:2000], labels=signal.labels, started_at=signal.started_at,
        first_seen_at=now, last_seen_at=now,
    )  # fmt: skip
    db.session.add(alert)
    _attach(alert, integrations.match(integration, signal.labels), signal, now, opened, outcome)


def _attach(alert: Alert, mapping, signal: Signal, now, opened: dict, outcome, fresh=True) -> None:
    """Give a firing alert its mapping's incident: the one already open, or a new draft."""
    if mapping is None:
        outcome.unmatched += 1
        return
    alert.mapping = mapping
    outcome.public |= _set_component(alert, mapping)
    incident = opened.get(mapping.id) or _open_incident_of(mapping)
    if incident is None:
        incident = opened[mapping.id] = _open_draft(
            alert.integration, mapping, signal, now, outcome
        )
    elif fresh:  # a new alert joining an incident already open
        outcome.updated += 1
    alert.incident = incident


def _resolved_already(integration: AlertIntegration, signal: Signal) -> bool:
    """Tell whether this very firing (same alert, same start) was already resolved."""
    return db.session.scalar(
        select(Alert.id).where(
            Alert.integration_id == integration.id,
            Alert.fingerprint == signal.fingerprint,
            Alert.started_at == signal.started_at,
            Alert.status == "resolved",
        ).limit(1)
    ) is not None  # fmt: skip


def _open_incident_of(mapping: AlertMapping) -> Incident | None:
    """Return the incident (draft or published) this mapping's alerts opened and nobody closed yet.

    So a flapping alert, or a second instance of the same problem, joins the incident already there.
    """
    return db.session.scalar(
        select(Incident)
        .join(Alert, Alert.incident_id == Incident.id)
        .where(Alert.mapping_id == mapping.id, Incident.status.not_in(FINAL))
        .order_by(Incident.id.desc())
        .limit(1)
    )


def _open_draft(integration, mapping: AlertMapping, signal: Signal, now, outcome) -> Incident:
    """Compose the playbook's first stage in every language and open it as a draft (or publish it)."""
    shop, playbook = get_shop(), _playbook(mapping)
    stage = next(s for s in playbook.stages if s not in playbook.final_stages)
    title, public_id = playbook.in_lang(playbook.title, shop.default_language), new_public_id()
    next_update_at = plan.default_next_update(None, stage, now, kind=playbook.kind)
    raw = {**mapping.variables}
    raw.update({k: v for k, v in signal.annotations.items() if playbook.variable(k)})
    facts = Facts(title, [mapping.component.name], signal.started_at, next_update_at,
                  incident_url(public_id), began_at=min(signal.started_at, now),
                  became_aware_at=now)  # fmt: skip
    texts, missing = compose_with_blanks(playbook, stage, shop.language_list, raw, facts, shop)
    body = texts.pop(shop.default_language, "") or texts.pop(next(iter(texts)))
    auto = mapping.auto_publish and not missing
    incident = lifecycle.open_incident(
        title=title, impact=mapping.impact, status=stage, body=body, user=None,
        component_statuses={mapping.component: mapping.component_status or mapping.component.status},
        draft=not auto, kind=playbook.kind, variables=raw, translations=texts,
        next_update_at=next_update_at,
    )  # fmt: skip
    incident.public_id = public_id
    incident.began_at = min(signal.started_at, now)  # when the problem began: the alert's start
    outcome.published += auto
    outcome.opened += not auto
    outcome.public |= auto
    _tell_opened(integration, mapping, incident, signal, missing, auto)
    return incident


def _playbook(mapping: AlertMapping) -> Playbook:
    """Return the mapping's playbook; refuse clearly when it was removed since."""
    playbook = get_playbook(mapping.kind)
    if playbook is None:
        raise ServiceError(
            gettext("The playbook “%(kind)s” of a mapping no longer exists.", kind=mapping.kind)
        )
    return playbook


def _tell_opened(integration, mapping, incident: Incident, signal, missing, auto: bool) -> None:
    """Tell the team at once: a draft waits for them (or was published on its own)."""
    values = {
        "integration": integration.name, "alert": signal.summary or signal.fingerprint,
        "title": incident.title, "component": mapping.component.name, "playbook": mapping.kind,
        "link": admin_incident_url(incident),
    }  # fmt: skip
    if auto:
        subject = TeamText(N_("Published automatically: %(title)s"), title=incident.title)
        text = TeamText(N_("🚨 %(integration)s: %(alert)s. “%(title)s” (%(component)s) was published automatically from the %(playbook)s playbook. %(link)s"), **values)  # fmt: skip
        notify.queue(
            "alert.published", f"alert:{incident.public_id}:published", incident, subject, text
        )
        return
    if missing:
        text = TeamText(N_("🚨 %(integration)s: %(alert)s. A draft “%(title)s” (%(component)s) is ready from the %(playbook)s playbook: publish or discard it. Fill in first: %(blanks)s. %(link)s"), blanks=", ".join(missing), **values)  # fmt: skip
    else:
        text = TeamText(N_("🚨 %(integration)s: %(alert)s. A draft “%(title)s” (%(component)s) is ready from the %(playbook)s playbook: publish or discard it. %(link)s"), **values)  # fmt: skip
    notify.queue("alert.draft", f"alert:{incident.public_id}:draft", incident,
                 TeamText(N_("Draft ready: publish or discard")), text)  # fmt: skip


def _set_component(alert: Alert, mapping: AlertMapping) -> bool:
    """Set the mapped component's status while the alert fires, remembering what it was; True if set."""
    target, component = mapping.component_status, mapping.component
    if not target or component.status == target:
        return False
    alert.component_before = component.status
    set_status(component, target, user=None)
    return True


def _resolve(integration, signal: Signal, now: datetime, outcome: Outcome) -> None:
    """Close an alert's row, set its component back, and suggest (or post) the resolving update."""
    alert = db.session.scalar(
        select(Alert).where(Alert.open_key == f"{integration.id}:{signal.fingerprint}")
    )
    if alert is None:  # never seen firing, or resolved already: nothing to do
        outcome.ignored += 1
        return
    alert.status, alert.open_key = "resolved", None
    alert.resolved_at = min(signal.ended_at or now, now)
    alert.last_seen_at, alert.notifications = now, alert.notifications + 1
    outcome.resolved += 1
    if alert.mapping is not None:
        outcome.public |= _restore_component(alert, alert.mapping)
    incident = alert.incident
    db.session.flush()
    if incident is None or not incident.is_active or firing_alerts(incident):
        return
    auto = alert.mapping is not None and alert.mapping.auto_publish and not incident.draft
    if auto and _auto_resolve(incident):
        outcome.published += 1
        outcome.public = True
        return
    _suggest_resolving(integration, alert, incident)


def _restore_component(alert: Alert, mapping: AlertMapping) -> bool:
    """Set the component back to its status before the alert, unless another alert of it still fires."""
    target, component = mapping.component_status, mapping.component
    if not target:
        return False
    others = list(
        db.session.scalars(
            select(Alert)
            .join(AlertMapping, Alert.mapping_id == AlertMapping.id)
            .where(AlertMapping.component_id == component.id, Alert.status == "firing")
            .where(Alert.id != alert.id)
        )
    )
    if others:  # the last one to resolve restores what the first one found
        heir = next((o for o in others if o.component_before is None), None)
        if heir is not None and alert.component_before:
            heir.component_before = alert.component_before
        return False
    if alert.component_before and component.status == target:  # nobody changed it meanwhile
        set_status(component, alert.component_before, user=None)
        return True
    return False


def _auto_resolve(incident: Incident) -> bool:
    """Post the playbook's resolving text (no blanks) on an auto-published incident; False if it cannot."""
    playbook, shop = get_playbook(incident.kind), get_shop()
    if playbook is None or not playbook.final_stages:
        return False
    facts = Facts(incident.title, [c.name for c in incident.components], incident.started_at, None,
                  incident_url(incident))  # fmt: skip
    texts, missing = compose_with_blanks(
        playbook,
        playbook.final_stages[0],
        shop.language_list,
        incident.variables or {},
        facts,
        shop,
    )
    if missing:
        return False
    body = texts.pop(shop.default_language, "") or texts.pop(next(iter(texts)))
    try:
        with db.session.begin_nested():
            lifecycle.resolve(incident, body=body, user=None, translations=texts)
    except ServiceError:  # e.g. crisis checklist items still open: a person decides
        return False
    return True


def _suggest_resolving(integration, alert: Alert, incident: Incident) -> None:
    """Tell the team the alert resolved, linking to the playbook's resolving update, composed."""
    what = {"integration": integration.name, "alert": alert.summary or alert.fingerprint,
            "title": incident.title}  # fmt: skip
    if incident.draft:
        subject = TeamText(N_("Alert resolved: the draft is still waiting"))
        text = TeamText(N_("✅ %(integration)s: %(alert)s resolved before the draft “%(title)s” was published. Discard it, or publish it and post the resolving update. %(link)s"), link=admin_incident_url(incident), **what)  # fmt: skip
    else:
        subject = TeamText(N_("Alert resolved: post the resolving update"))
        text = TeamText(N_("✅ %(integration)s: %(alert)s resolved. Check, then post the resolving update on “%(title)s”: %(link)s"), link=resolving_url(incident), **what)  # fmt: skip
    notify.queue("alert.resolved", f"alert:{incident.public_id}:resolved:{alert.id}", incident,
                 subject, text)  # fmt: skip


def resolving_url(incident: Incident) -> str:
    """Return where the team writes the resolving update (composed from the playbook when there is one)."""
    playbook = get_playbook(incident.kind)
    if playbook is None or not playbook.final_stages:
        return admin_incident_url(incident)
    path = f"/admin/incidents/{incident.public_id}/compose?stage={playbook.final_stages[0]}"
    return public_url(path)


def incident_alerts(incident: Incident) -> list[Alert]:
    """Return the alerts attached to an incident, oldest first (for its admin page)."""
    query = select(Alert).where(Alert.incident_id == incident.id).order_by(Alert.started_at)
    return list(db.session.scalars(query))


def firing_alerts(incident: Incident) -> list[Alert]:
    """Return the incident's alerts that still fire."""
    return [a for a in incident_alerts(incident) if a.status == "firing"]
