"""A demo shop: components, one resolved and one active incident with several updates."""

from __future__ import annotations

from datetime import timedelta

from statuspage.models import Incident, utcnow
from statuspage.services.components import create_component
from statuspage.services.incidents.lifecycle import open_incident, post_update, resolve
from statuspage.services.shop import saved_shop


def load_demo() -> Incident:
    """Fill an empty database with a believable shop; return the active incident."""
    shop = saved_shop()
    shop.name, shop.url, shop.timezone = "Bright Socks", "https://shop.example", "Europe/Warsaw"
    shop.contact_email, shop.contact_phone = "help@shop.example", "+48 22 123 45 67"
    shop.contact_chat_url = "https://shop.example/chat"
    shop.default_language, shop.languages = "en", "en,pl,ru,lv,ar"
    shop.contact_social = "https://social.example/@brightsocks"
    shop.contact_address = "ul. Przykładowa 1, 00-001 Warszawa"
    shopfront = create_component(name="Shopping", is_group=True, user=None)
    storefront = create_component(name="Storefront", group=shopfront, user=None)
    checkout = create_component(name="Checkout", group=shopfront, user=None)
    create_component(name="Payments", group=shopfront, user=None)
    delivery = create_component(name="Delivery", user=None)
    create_component(name="Customer support", user=None)

    old = open_incident(
        title="Checkout slow for card payments",
        impact="major",
        status="investigating",
        body="Paying by card takes up to a minute and sometimes fails. We are looking into it now.",
        component_statuses={checkout: "degraded_performance"},
        user=None,
    )
    post_update(old, status="identified", user=None,
        body="Our payment provider had a slow data centre. No card was charged twice.")  # fmt: skip
    resolve(old, body="Card payments work normally again. We are sorry for the wait.", user=None)
    _backdate(old, days=3)

    active = open_incident(
        title="Parcels with our courier arrive 2–3 days late",
        impact="minor",
        status="investigating",
        body="Parcels sent since Monday are arriving late. Your order is safe; we are finding out why.",
        component_statuses={delivery: "degraded_performance"},
        user=None,
    )
    post_update(active, status="identified", user=None, next_update_at=utcnow() + timedelta(hours=4),
        body="The courier's sorting centre is overloaded before the holidays. "
        "Orders placed before Friday will arrive by 20 December.")  # fmt: skip
    _backdate(active, hours=5)
    storefront.description = "Browsing and searching the shop"
    return active


def _backdate(incident: Incident, days: int = 0, hours: int = 0) -> None:
    """Spread an incident's timeline into the past, so the demo looks lived in."""
    shift = timedelta(days=days, hours=hours)
    incident.started_at -= shift
    for step, update in enumerate(sorted(incident.updates, key=lambda u: u.id)):
        update.display_at = update.created_at = incident.started_at + step * shift / 3
    if incident.resolved_at:
        incident.resolved_at = max(u.display_at for u in incident.updates)
