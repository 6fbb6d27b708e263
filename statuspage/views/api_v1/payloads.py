"""The write API's domain side: read JSON input strictly, call the incident services, describe results.

Input problems that stop a request from being read (wrong type, unknown field, a time that is not
ISO 8601 with an offset or not in the future) raise BadInput (HTTP 400); broken rules raise
ServiceError (HTTP 422). Either way nothing is changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, User, new_public_id, utcnow
from statuspage.services import ServiceError, plan, texts
from statuspage.services.clock import from_local, iso, to_local_input
from statuspage.services.components import chosen_statuses
from statuspage.services.incidents import lifecycle as service
from statuspage.services.links import incident_url
from statuspage.services.playbooks import claims, publishing
from statuspage.services.playbooks.loader import all_playbooks, get_playbook
from statuspage.services.shop import get_shop
from statuspage.views.common import find
from statuspage.vocabulary import FINAL, TRANSITIONS

LIST_FILTERS = ("open", "closed", "draft", "all")
_TEXT, _FLAG, _MAP = (str,), (bool,), (dict,)
CREATE_FIELDS = {
    "title": _TEXT, "impact": _TEXT, "status": _TEXT, "body": _TEXT, "components": _MAP,
    "translations": _MAP, "next_update_at": _TEXT, "display_at": _TEXT, "draft": _FLAG,
    "playbook": _TEXT, "variables": _MAP, "publish_anyway": _FLAG, "began_at": _TEXT,
    "became_aware_at": _TEXT, "title_translations": _MAP,
}  # fmt: skip
UPDATE_FIELDS = {
    "status": _TEXT, "body": _TEXT, "components": _MAP, "translations": _MAP,
    "next_update_at": _TEXT, "display_at": _TEXT, "confirm_open_items": _FLAG,
    "variables": _MAP, "publish_anyway": _FLAG, "began_at": _TEXT, "became_aware_at": _TEXT,
    "title_translations": _MAP,
}  # fmt: skip
RESOLVE_FIELDS = {
    "body": _TEXT, "components": _MAP, "translations": _MAP, "keep_components": _FLAG,
    "display_at": _TEXT, "confirm_open_items": _FLAG,
}  # fmt: skip


class BadInput(ServiceError):
    """The request body cannot be read as asked (HTTP 400)."""


def read_fields(data: object, allowed: dict[str, tuple], required: tuple[str, ...] = ()) -> dict:
    """Check a JSON object: no unknown fields, the right types, the required ones present."""
    if not isinstance(data, dict):
        raise BadInput('The body must be a JSON object, e.g. {"title": …}.')
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise BadInput(f"Unknown field “{unknown[0]}”; allowed: {', '.join(sorted(allowed))}.")
    for name, value in data.items():
        if value is not None and not isinstance(value, allowed[name]):
            kind = {str: "a string", bool: "true or false", dict: "an object"}[allowed[name][0]]
            raise BadInput(f"“{name}” must be {kind}.")
    for name in required:
        if data.get(name) is None:
            raise BadInput(f"“{name}” is required.")
    for name in ("components", "translations", "variables"):
        for key, value in (data.get(name) or {}).items():
            if not isinstance(value, str):
                raise BadInput(f"“{name}.{key}” must be a string.")
    return data


def parse_time(raw: str | None, name: str, *, after: datetime | None = None) -> datetime | None:
    """Parse an ISO 8601 time with an offset into naive UTC; it must lie in the future."""
    value = _parse_iso(raw, name)
    if value is not None and value <= (after or utcnow()):
        raise BadInput(f"“{name}” is not in the future{' of display_at' if after else ''}.")
    return value


def parse_past(raw: str | None, name: str) -> datetime | None:
    """Parse an ISO 8601 time with an offset into naive UTC; it must not lie ahead."""
    value = _parse_iso(raw, name)
    if value is not None and value > utcnow() + timedelta(minutes=1):
        raise BadInput(f"“{name}” is in the future; it says when something already happened.")
    return value


def _parse_iso(raw: str | None, name: str) -> datetime | None:
    """Parse an ISO 8601 time with an offset into stored UTC; a time at the calendar's edge (year 1
    or 9999 with an offset) that has no UTC equivalent is a clear 400, not an overflow."""
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"“{name}” must be ISO 8601, e.g. 2026-12-24T14:30:00+01:00.") from None
    if value.tzinfo is None:
        raise BadInput(f"“{name}” needs a timezone offset, e.g. 2026-12-24T14:30:00Z.")
    try:
        return from_local(value, "UTC")
    except OverflowError:
        raise BadInput(f"“{name}” is out of range.") from None


def check_languages(translations: dict[str, str] | None) -> dict[str, str] | None:
    """Accept translations only into the shop's other enabled languages."""
    shop = get_shop()
    for lang in translations or {}:
        if lang == shop.default_language:
            raise ServiceError(
                _("“%(lang)s” is the default language; put that text in “body”.", lang=lang)
            )
        if lang not in shop.language_list:
            enabled = ", ".join(shop.language_list)
            raise ServiceError(
                _("Language “%(lang)s” is not enabled (enabled: %(enabled)s).",
                  lang=lang, enabled=enabled)
            )  # fmt: skip
    return translations


def create_incident(data: dict, user: User) -> Incident:
    """Open an incident from plain fields, or from a playbook and its variables."""
    data = read_fields(data, CREATE_FIELDS)
    if data.get("playbook") is not None or data.get("variables") is not None:
        return _from_playbook(data, user)
    for name in ("title", "body"):
        if data.get(name) is None:
            raise BadInput(f"“{name}” is required.")
    display_at = parse_time(data.get("display_at"), "display_at")
    return service.open_incident(
        began_at=parse_past(data.get("began_at"), "began_at"),
        became_aware_at=parse_past(data.get("became_aware_at"), "became_aware_at"),
        title=data["title"],
        impact=data.get("impact") or "minor",
        status=data.get("status") or "investigating",
        body=data["body"],
        user=user,
        component_statuses=chosen_statuses(data.get("components")),
        draft=bool(data.get("draft")),
        translations=check_languages(data.get("translations")),
        next_update_at=parse_time(data.get("next_update_at"), "next_update_at", after=display_at),
        display_at=display_at,
        title_translations=texts.checked(data.get("title_translations"), 200, "title_translations"),
    )


def _from_playbook(data: dict, user: User) -> Incident:
    """Compose the first update from a playbook in every enabled language and publish it."""
    # The admin's compose flow and transparency check; `publish_anyway` publishes despite failing
    # checks (the audit log records it). Body, translations and draft are for plain ones.
    for name in ("body", "translations", "draft"):
        if data.get(name) is not None:
            raise BadInput(f"“{name}” cannot be combined with “playbook”.")
    playbook = get_playbook(data.get("playbook"))
    if playbook is None:
        known = ", ".join(sorted(all_playbooks()[0]))
        raise ServiceError(
            _("Unknown playbook “%(kind)s” (known: %(known)s).",
              kind=data.get("playbook"), known=known)
        )  # fmt: skip
    if playbook.maintenance:
        raise ServiceError(_("Plan maintenance in the admin; the API opens incidents."))
    shop = get_shop()
    stage = data.get("status") or playbook.stages[0]
    if stage not in playbook.stages or stage in playbook.final_stages:
        raise ServiceError(
            _("“%(stage)s” is not an opening stage of the %(kind)s playbook.",
              stage=stage, kind=playbook.kind)
        )  # fmt: skip
    display_at = parse_time(data.get("display_at"), "display_at")
    next_update_at = parse_time(data.get("next_update_at"), "next_update_at", after=display_at)
    if next_update_at is None:
        next_update_at = plan.default_next_update(
            None, stage, display_at or utcnow(), kind=playbook.kind
        )
    step = publishing.ComposeStep(
        title=data.get("title") or playbook.in_lang(playbook.title, shop.default_language),
        impact=data.get("impact") or playbook.impact,
        stage=stage,
        langs=shop.language_list,
        raw={name: value for name, value in (data.get("variables") or {}).items()},
        component_statuses=chosen_statuses(data.get("components")),
        next_update_raw=iso(next_update_at) or "",
        publish_anyway=bool(data.get("publish_anyway")),
        public_id=new_public_id(),
        display_at_raw=iso(display_at) or "",
        began_at=parse_past(data.get("began_at"), "began_at"),
        became_aware_at=parse_past(data.get("became_aware_at"), "became_aware_at"),
        notice=playbook.notice,
        title_translations=texts.checked(data.get("title_translations"), 200, "title_translations"),
    )
    _compose(step, playbook, shop)
    return publishing.publish(step, playbook, None, shop, user)


def _compose(step: publishing.ComposeStep, playbook, shop) -> None:
    """Compose a step's messages, or refuse with every reason it cannot be composed."""
    publishing.fill_sections(step, playbook, shop, incident_url(step.public_id))
    if step.errors:
        problems = "; ".join(f"{name}: {error}" for name, error in step.errors.items())
        raise ServiceError(
            _("The playbook message cannot be composed: %(problems)s", problems=problems)
        )


def add_update(incident: Incident, data: dict, user: User) -> IncidentUpdate:
    """Post an update now, or schedule it for display_at (public from then on, not before).

    With `variables` (and no body) the update is composed from the incident's playbook in every
    enabled language, with the same bound sentences and transparency check as the admin.
    """
    data = read_fields(data, UPDATE_FIELDS)
    _correct_times(incident, data, user)
    if data.get("title_translations") is not None:
        texts.set_incident_titles(incident, data["title_translations"], user=user)
    if data.get("variables") is not None or (data.get("body") is None and incident.kind):
        return _update_from_playbook(incident, data, user)
    for name in ("status", "body"):
        if data.get(name) is None:
            raise BadInput(f"“{name}” is required.")
    if data.get("publish_anyway") is not None:
        raise BadInput("“publish_anyway” goes with “variables” (a playbook update).")
    display_at = parse_time(data.get("display_at"), "display_at")
    return service.post_update(
        incident,
        status=data["status"],
        body=data["body"],
        user=user,
        component_statuses=chosen_statuses(data.get("components")),
        translations=check_languages(data.get("translations")),
        next_update_at=parse_time(data.get("next_update_at"), "next_update_at", after=display_at),
        display_at=display_at,
        confirm_open_items=bool(data.get("confirm_open_items")),
    )


def _correct_times(incident: Incident, data: dict, user: User) -> None:
    """Correct the incident's began/aware times when the request gives them (audited)."""
    if data.get("began_at") is None and data.get("became_aware_at") is None:
        return
    began = parse_past(data.get("began_at"), "began_at")
    service.set_times(
        incident,
        began_at=began if data.get("began_at") is not None else incident.began_at,
        became_aware_at=parse_past(data.get("became_aware_at"), "became_aware_at"),
        user=user,
    )


def _update_from_playbook(incident: Incident, data: dict, user: User) -> IncidentUpdate:
    """Compose the next update from the incident's playbook and publish it like the admin does."""
    for name in ("body", "translations"):
        if data.get(name) is not None:
            raise BadInput(f"“{name}” cannot be combined with “variables”.")
    playbook = get_playbook(incident.kind)
    if playbook is None:
        raise ServiceError(_("This incident was not opened from a playbook: send a “body”."))
    if not incident.is_active:
        raise ServiceError(_("This incident is closed. Reopen it to post a new update."))
    shop = get_shop()
    allowed = [s for s in playbook.stages if s in TRANSITIONS.get(incident.status, ())]
    stage = data.get("status") or _next_stage(playbook, incident, allowed)
    if stage not in allowed:
        raise ServiceError(
            _("“%(stage)s” is not a stage this incident can move to (%(allowed)s).",
              stage=stage, allowed=", ".join(allowed))
        )  # fmt: skip
    display_at = parse_time(data.get("display_at"), "display_at")
    next_update_at = None
    if stage not in playbook.final_stages:
        next_update_at = parse_time(data.get("next_update_at"), "next_update_at", after=display_at)
        next_update_at = next_update_at or plan.default_next_update(
            incident, stage, display_at or utcnow()
        )
    step = publishing.ComposeStep(
        title=incident.title, impact=incident.impact, stage=stage, langs=shop.language_list,
        raw={**(incident.variables or {}), **(data.get("variables") or {})},
        component_statuses=chosen_statuses(data.get("components")),
        next_update_raw=iso_local(next_update_at, shop.timezone),
        publish_anyway=bool(data.get("publish_anyway")), public_id=incident.public_id,
        started_at=incident.started_at, display_at_raw=iso_local(display_at, shop.timezone),
        confirm_open_items=bool(data.get("confirm_open_items")), began_at=incident.began_at,
        became_aware_at=incident.aware_at, claims=claims.recorded(incident, playbook),
        notice=incident.is_notice,
    )  # fmt: skip
    _compose(step, playbook, shop)
    publishing.publish(step, playbook, incident, shop, user)
    return step.published


def _next_stage(playbook, incident: Incident, allowed: list[str]) -> str:
    """Suggest the stage after the incident's current one."""
    if incident.status in playbook.stages:
        following = playbook.stages[playbook.stages.index(incident.status) + 1 :]
        return next((s for s in following if s in allowed), incident.status)
    return allowed[0] if allowed else incident.status


def iso_local(value: datetime | None, timezone: str) -> str:
    """Write a time as the compose form's local input (empty for none)."""
    return to_local_input(value, timezone) if value else ""


def resolve_incident(incident: Incident, data: dict, user: User) -> IncidentUpdate:
    """Resolve an incident now or at display_at (components back to operational unless told otherwise)."""
    data = read_fields(data, RESOLVE_FIELDS, required=("body",))
    statuses = chosen_statuses(data.get("components"))
    if data.get("keep_components"):
        statuses = {c: c.status for c in incident.components} | statuses
    return service.resolve(
        incident,
        body=data["body"],
        user=user,
        component_statuses=statuses or None,
        translations=check_languages(data.get("translations")),
        display_at=parse_time(data.get("display_at"), "display_at"),
        confirm_open_items=bool(data.get("confirm_open_items")),
    )


def find_incident(public_id: str) -> Incident | None:
    """Find an incident (drafts included: token holders are team members)."""
    return find(Incident, public_id, _loaded())


def list_incidents(which: str | None, limit: str | None) -> list[Incident]:
    """List incidents newest first: open, closed, drafts or all, at most `limit` (1–100, default 20)."""
    which = which or "all"
    if which not in LIST_FILTERS:
        raise BadInput(f"“status” must be one of {', '.join(LIST_FILTERS)}.")
    try:
        count = int(limit) if limit is not None else 20
    except ValueError:
        count = 0
    if not 1 <= count <= 100:
        raise BadInput("“limit” must be a whole number from 1 to 100.")
    query = _loaded().order_by(Incident.started_at.desc(), Incident.id.desc()).limit(count)
    if which == "open":
        query = query.where(Incident.status.not_in(FINAL), Incident.draft.is_(False))
    elif which == "closed":
        query = query.where(Incident.status.in_(FINAL), Incident.draft.is_(False))
    elif which == "draft":
        query = query.where(Incident.draft.is_(True))
    return list(db.session.scalars(query))


def _loaded():
    """Select incidents with their components and updates loaded up front."""
    return select(Incident).options(
        selectinload(Incident.components), selectinload(Incident.updates)
    )


def incident_json(incident: Incident) -> dict:
    """Describe an incident for the write API (scheduled updates included, marked as such)."""
    now = utcnow()
    names = {c.id: c.public_id for c in incident.components}
    return {
        "id": incident.public_id,
        "title": incident.title,
        "title_translations": dict(incident.title_translations or {}),
        "status": incident.status,
        "impact": incident.impact,
        "kind": incident.kind,
        "draft": incident.draft,
        "maintenance": incident.is_maintenance,
        "url": incident_url(incident),
        "started_at": iso(incident.started_at),
        "began_at": iso(incident.began_at),
        "became_aware_at": iso(incident.aware_at),
        "notice": incident.is_notice,
        "resolved_at": iso(incident.resolved_at),
        "components": [
            {"id": c.public_id, "name": c.name, "status": c.status} for c in incident.components
        ],
        "updates": [_update_json(u, names, now) for u in incident.updates],
    }


def _update_json(update: IncidentUpdate, names: dict[int, str], now: datetime) -> dict:
    """Describe one update."""
    return {
        "id": update.public_id,
        "status": update.status,
        "body": update.body,
        "translations": {lang: t["body"] for lang, t in (update.translations or {}).items()},
        "display_at": iso(update.display_at),
        "published": update.display_at <= now,
        "next_update_at": iso(update.next_update_at),
        "edited_at": iso(update.edited_at),
        "component_changes": [
            {
                "component_id": names.get(change["component_id"]),
                "old_status": change["old_status"],
                "new_status": change["new_status"],
            }
            for change in update.component_changes or []
        ],
    }
