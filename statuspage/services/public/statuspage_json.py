"""The Statuspage v2 JSON shape (/api/v2/*.json), built from what the public may see right now.

Every documented key is present (null where Candor has no value) and enums are spelled as Statuspage
spells them. Candor's own additions live under one extra key, "candor", on incidents, maintenances and
updates only (never on page, status or components, which strict clients decode field by field);
`extras=False` leaves them out entirely.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, inspect

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentUpdate, Shop, utcnow
from statuspage.services.clock import iso
from statuspage.services.components import ordered_components
from statuspage.services.links import incident_url, public_url
from statuspage.services.public.status import (
    group_status,
    next_scheduled_display,
    page_status,
    visible_incidents,
    visible_updates,
)
from statuspage.services.shop import get_shop
from statuspage.vocabulary import FINAL, MAINTENANCE_START, RUNNING, impact_word

LIMIT = 50
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_EPOCH = datetime(2000, 1, 1)
MAINTENANCE_LISTS = {
    "all": None,
    "upcoming": (MAINTENANCE_START,),
    "active": RUNNING,
}


@dataclass
class Context:
    """What every object needs: the shop, its timezone, the language asked for, the time."""

    shop: Shop
    lang: str
    extras: bool = True
    now: datetime = field(default_factory=utcnow)
    components: dict[int, Component] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        """Return the shop's timezone (timestamps carry its offset, as Statuspage's do)."""
        try:
            return ZoneInfo(self.shop.timezone)
        except (ValueError, KeyError):
            return ZoneInfo("UTC")

    @property
    def page_id(self) -> str:
        """Return the page id: the shop's public id, stable even before settings are saved."""
        if inspect(self.shop).persistent:
            return self.shop.public_id
        digest = hashlib.sha256(current_app.config["BASE_URL"].encode()).digest()
        return "".join(_ALPHABET[b % 32] for b in digest[:12])


def pick_language(raw: str | None, shop: Shop) -> str:
    """Return the enabled language asked for ("pl", "pl-PL"), else the shop's default language."""
    primary = (raw or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in shop.language_list else shop.default_language


def context(lang: str | None = None, extras: bool = True) -> Context:
    """Build the context for one response."""
    shop = get_shop()
    return Context(shop=shop, lang=pick_language(lang, shop), extras=extras)


def public_status(incident: Incident, updates: list[IncidentUpdate]) -> str:
    """Return the status the public sees: a scheduled update's status counts once due, not before."""
    # While a later update is still scheduled, or the latest public one's effects wait for the job,
    # the incident row's status may differ from what the public timeline says; the timeline wins.
    if not updates:
        return incident.status
    pending = getattr(updates[0], "effects_pending", False)
    if pending or (incident.updates and incident.updates[0] is not updates[0]):
        return updates[0].status
    return incident.status


def page_object(ctx: Context, updated: list[datetime | None]) -> dict:
    """Serialize the page (every response carries it)."""
    stamps = [t for t in [ctx.shop.updated_at, *updated] if t is not None]
    return {
        "id": ctx.page_id,
        "name": ctx.shop.name,
        "url": public_url("/"),
        "time_zone": ctx.shop.timezone,
        "updated_at": iso(max(stamps, default=_EPOCH), ctx.tz),
    }


def component_object(component: Component, ctx: Context) -> dict:
    """Serialize a component or a group (a group lists its components' ids)."""
    data = {
        "id": component.public_id,
        "name": component.name_in(ctx.lang, ctx.shop.default_language).text,
        "status": group_status(component) if component.is_group else component.status,
        "created_at": iso(component.created_at, ctx.tz),
        "updated_at": iso(component.updated_at, ctx.tz),
        "position": component.position,
        "description": component.description_in(ctx.lang, ctx.shop.default_language).text or None,
        "showcase": not component.is_group,
        "start_date": component.created_at.date().isoformat(),
        "group_id": _group_id(component, ctx),
        "page_id": ctx.page_id,
        "group": component.is_group,
        "only_show_if_degraded": False,
    }
    if component.is_group:
        data["components"] = [child.public_id for child in component.children]
    return data


def _group_id(component: Component, ctx: Context) -> str | None:
    """Return the public id of a component's group, from the loaded map (no query per component)."""
    if component.group_id is None:
        return None
    group = ctx.components.get(component.group_id) or component.group
    return group.public_id if group else None


def update_object(update: IncidentUpdate, incident: Incident, ctx: Context) -> dict:
    """Serialize one incident update, its body in the language asked for."""
    affected = [
        {
            "code": ctx.components[change["component_id"]].public_id,
            "name": ctx.components[change["component_id"]]
            .name_in(ctx.lang, ctx.shop.default_language)
            .text,
            "old_status": change["old_status"],
            "new_status": change["new_status"],
        }
        for change in update.component_changes or []
        if change.get("component_id") in ctx.components
    ]
    data = {
        "id": update.public_id,
        "status": update.status,
        "body": update.body_for(ctx.lang),
        "incident_id": incident.public_id,
        "created_at": iso(update.created_at, ctx.tz),
        "updated_at": iso(update.edited_at or update.display_at, ctx.tz),
        "display_at": iso(update.display_at, ctx.tz),
        "affected_components": affected or None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }
    if ctx.extras:
        data["candor"] = {
            "body_html": update.html_for(ctx.lang),
            "language": ctx.lang if ctx.lang in update_languages(update, ctx) else None,
            "languages": update_languages(update, ctx),
            "next_update_at": iso(update.next_update_at, ctx.tz),
            "edited_at": iso(update.edited_at, ctx.tz),
        }
    return data


def update_languages(update: IncidentUpdate, ctx: Context) -> list[str]:
    """Return the languages an update is written in: the default one, then its translations."""
    return [ctx.shop.default_language] + sorted(set(update.translations or {}))


def incident_object(incident: Incident, updates: list[IncidentUpdate], ctx: Context) -> dict:
    """Serialize an incident or a maintenance with its public updates, newest first."""
    status = public_status(incident, updates)
    latest = updates[0] if updates else None
    monitoring = incident.monitoring_at
    data = {
        "id": incident.public_id,
        "name": incident.title_in(ctx.lang, ctx.shop.default_language).text,
        "status": status,
        "created_at": iso(incident.created_at, ctx.tz),
        "updated_at": iso(incident_updated(incident, updates), ctx.tz),
        "monitoring_at": iso(monitoring if monitoring and monitoring <= ctx.now else None, ctx.tz),
        "resolved_at": iso(incident.resolved_at if status in FINAL else None, ctx.tz),
        "impact": "maintenance"
        if incident.is_maintenance
        else impact_word(incident.impact, incident.is_notice),
        "shortlink": incident_url(incident),
        "started_at": iso(incident.started_at, ctx.tz),
        "page_id": ctx.page_id,
        "incident_updates": [update_object(u, incident, ctx) for u in updates],
        "components": [component_object(c, ctx) for c in incident.components],
    }
    if incident.is_maintenance:
        data["scheduled_for"] = iso(incident.scheduled_for, ctx.tz)
        data["scheduled_until"] = iso(incident.scheduled_until, ctx.tz)
    if ctx.extras:
        languages = sorted({lang for u in updates for lang in update_languages(u, ctx)})
        data["candor"] = {
            "url": incident_url(incident),
            "next_update_at": iso(latest.next_update_at if latest else None, ctx.tz),
            "languages": languages,
            "kind": incident.kind,
            "notice": incident.is_notice,
            "began_at": iso(incident.began_at, ctx.tz),
            "became_aware_at": iso(incident.aware_at, ctx.tz),
        }
    return data


def incident_updated(incident: Incident, updates: list[IncidentUpdate]) -> datetime:
    """Return when an incident last changed in public: its newest public update or correction."""
    return max([incident.created_at] + [u.edited_at or u.display_at for u in updates])


def _listing(incidents: list[Incident], ctx: Context) -> tuple[list[dict], list[datetime]]:
    """Serialize incidents with their public updates; also return when each last changed."""
    pairs = [(i, visible_updates(i, ctx.now)) for i in incidents]
    items = [incident_object(i, updates, ctx) for i, updates in pairs]
    return items, [incident_updated(i, updates) for i, updates in pairs]


def _load_components(ctx: Context) -> list[Component]:
    """Load every component once (affected components are named from this map)."""
    components = ordered_components()
    ctx.components = {c.id: c for c in components}
    return components


def summary(ctx: Context) -> tuple[dict, datetime | None]:
    """Build summary.json: status, components, unresolved incidents, upcoming/active maintenances."""
    status = page_status(ctx.now, current_app.config["RECENT_DAYS"])
    ctx.components = {c.id: c for c in status.components}
    shown = [i for i in status.active if not i.is_maintenance] + status.maintenances
    stamps = [c.updated_at for c in status.components]
    stamps += [incident_updated(i, status.updates[i.id]) for i in shown]
    objects = {i.id: incident_object(i, status.updates[i.id], ctx) for i in shown}
    body = {
        "page": page_object(ctx, stamps),
        "components": [component_object(c, ctx) for c in status.components],
        "incidents": [objects[i.id] for i in shown if not i.is_maintenance],
        "scheduled_maintenances": [objects[i.id] for i in status.maintenances],
        "status": {"indicator": status.indicator, "description": status.description},
    }
    return body, status.next_change


def status(ctx: Context) -> tuple[dict, datetime | None]:
    """Build status.json: the page indicator and its description."""
    status = page_status(ctx.now, current_app.config["RECENT_DAYS"])
    body = {
        "page": page_object(ctx, [c.updated_at for c in status.components]),
        "status": {"indicator": status.indicator, "description": status.description},
    }
    return body, status.next_change


def components(ctx: Context) -> tuple[dict, datetime | None]:
    """Build components.json: every component and group in display order."""
    loaded = _load_components(ctx)
    items = [component_object(c, ctx) for c in loaded]
    return {"page": page_object(ctx, [c.updated_at for c in loaded]), "components": items}, None


def incidents(ctx: Context, unresolved: bool = False) -> tuple[dict, datetime | None]:
    """Build incidents.json (the 50 newest) or incidents/unresolved.json."""
    _load_components(ctx)
    query = visible_incidents(ctx.now).where(Incident.is_maintenance.is_(False))
    if unresolved:
        query = query.where(Incident.status.not_in(FINAL))
    query = query.order_by(Incident.started_at.desc(), Incident.id.desc()).limit(LIMIT)
    items, stamps = _listing(list(db.session.scalars(query)), ctx)
    if unresolved:
        items = [i for i in items if i["status"] not in FINAL]
    body = {"page": page_object(ctx, stamps), "incidents": items}
    return body, next_scheduled_display(ctx.now)


def maintenances(ctx: Context, which: str = "all") -> tuple[dict, datetime | None]:
    """Build scheduled-maintenances.json (the 50 newest), its upcoming or its active list."""
    _load_components(ctx)
    query = visible_incidents(ctx.now).where(Incident.is_maintenance.is_(True))
    if MAINTENANCE_LISTS[which]:
        query = query.where(Incident.status.in_(MAINTENANCE_LISTS[which]))
    when = func.coalesce(Incident.scheduled_for, Incident.started_at)
    query = query.order_by(when.desc(), Incident.id.desc()).limit(LIMIT)
    items, stamps = _listing(list(db.session.scalars(query)), ctx)
    if MAINTENANCE_LISTS[which]:
        items = [i for i in items if i["status"] in MAINTENANCE_LISTS[which]]
    body = {"page": page_object(ctx, stamps), "scheduled_maintenances": items}
    return body, next_scheduled_display(ctx.now)
