"""Every admin list page only reads, and costs the same number of queries for 5 rows as for 50 (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from statuspage.extensions import db
from statuspage.models import User, utcnow
from statuspage.models.delivery import MailDelivery, WebhookDelivery
from statuspage.models.subscribers import Subscriber
from statuspage.services.audit import record
from statuspage.services.components import create_component
from statuspage.services.delivery import webhooks
from statuspage.services.delivery.subscribers import email_hash
from statuspage.services.incidents import lifecycle as service
from statuspage.services.incidents.maintenance import plan_maintenance
from statuspage.services.team.tokens import create_token, revoke_token
from statuspage.services.team.users import create_user
from tests.conftest import writes
from tests.helpers import component, incident

KINDS = ["website-outage", "data-breach", "delivery-delay", "payment-failure", None]


def _incidents(start: int, count: int) -> None:
    """Open incidents from playbooks with components and promises; resolve some, leave some drafts."""
    checkout = component(f"Checkout {start}")
    for n in range(start, start + count):
        kind = KINDS[n % len(KINDS)]
        opened = incident(
            title=f"Incident {n}", kind=kind, components={checkout: "partial_outage"},
            draft=n % 7 == 3, next_update_at=utcnow() + timedelta(minutes=30 + n),
        )  # fmt: skip
        if opened.draft:
            continue
        service.post_update(opened, status="identified", body="Found it.", user=None)
        if n % 3 == 0:
            service.resolve(opened, body="Fixed.", user=None, confirm_open_items=True)
        else:
            service.post_update(
                opened, status="monitoring", body="Later.", user=None,
                display_at=utcnow() + timedelta(hours=2),
            )  # fmt: skip
    db.session.commit()


def _subscribers(start: int, count: int) -> None:
    """Add confirmed subscribers, every other one with chosen components; and some failed mail."""
    first, second = component(f"Checkout {start}"), component(f"Delivery {start}")
    for n in range(start, start + count):
        address = f"reader{n}@example.com"
        chosen = [] if n % 2 else [first, second]
        subscriber = Subscriber(
            email=address, email_hash=email_hash(address), language="en",
            all_components=not chosen, components=chosen, confirmed_at=utcnow(),
        )  # fmt: skip
        db.session.add(subscriber)
        db.session.flush()
        db.session.add(
            MailDelivery(
                key=f"failed:{n}",
                kind="confirm",
                subscriber_id=subscriber.id,
                payload={},
                state="failed",
                error="550 no such user",
                next_try_at=utcnow(),
            )  # fmt: skip
        )
    db.session.commit()


def _components(start: int, count: int) -> None:
    """Add groups with components in them, and loose components."""
    group = create_component(name=f"Group {start}", is_group=True, user=None)
    db.session.flush()
    for n in range(start, start + count):
        create_component(name=f"Part {n}", group=group if n % 2 else None, user=None)
    db.session.commit()


def _users(start: int, count: int) -> None:
    """Add team members, each with a token and an audit trail."""
    owner = db.session.scalar(db.select(User).filter_by(role="owner"))
    for n in range(start, start + count):
        user = create_user(f"member{n}@shop.test", "correct horse battery", "editor", by=owner)
        create_token(user, f"tool {n}")
    db.session.commit()


def _audit(start: int, count: int) -> None:
    """Add audit entries by several people."""
    _users(start, 3)
    people = db.session.scalars(db.select(User)).all()
    for n in range(start, start + count):
        record(people[n % len(people)], "component.update", f"component {n}", {"a": 1}, {"a": 2})
    db.session.commit()


def _tokens(start: int, count: int) -> None:
    """Add the owner's tokens, some revoked."""
    owner = db.session.scalar(db.select(User).filter_by(role="owner"))
    for n in range(start, start + count):
        token, _ = create_token(owner, f"tool {n}")
        if n % 3 == 0:
            revoke_token(token, by=owner)
    db.session.commit()


def _webhooks(start: int, count: int) -> None:
    """Add endpoints (some for one component) and a delivery log."""
    checkout = component(f"Checkout {start}")
    for n in range(start, start + count):
        endpoint = webhooks.add_endpoint(
            f"https://hooks.example/{n}", checkout if n % 2 else None, None
        )
        db.session.flush()
        db.session.add(
            WebhookDelivery(
                key=f"test:{n}",
                endpoint_id=endpoint.id,
                event="test",
                body="{}",
                next_try_at=utcnow(),
            )  # fmt: skip
        )
    db.session.commit()


def _maintenance(start: int, count: int) -> None:
    """Plan maintenance windows, and incidents with scheduled updates."""
    checkout = component(f"Checkout {start}")
    for n in range(start, start + count):
        begins = utcnow() + timedelta(days=1, hours=n)
        plan_maintenance(
            title=f"Window {n}", body="We upgrade.", user=None, components=[checkout],
            scheduled_for=begins, scheduled_until=begins + timedelta(minutes=30),
        )  # fmt: skip
    db.session.commit()
    _incidents(start, count)


PAGES: dict[str, tuple[str, Callable[[int, int], None]]] = {
    "dashboard": ("/admin/", _incidents),
    "subscribers": ("/admin/subscribers", _subscribers),
    "subscribers.csv": ("/admin/subscribers.csv", _subscribers),
    "components": ("/admin/components", _components),
    "users": ("/admin/users", _users),
    "audit": ("/admin/audit", _audit),
    "tokens": ("/admin/tokens", _tokens),
    "webhooks": ("/admin/webhooks", _webhooks),
    "playbooks": ("/admin/playbooks", _incidents),
    "queue": ("/admin/queue", _maintenance),
    "report": ("/admin/report", _incidents),
    "report.csv": ("/admin/report.csv", _incidents),
}


@pytest.mark.parametrize("page", PAGES)
def test_an_admin_list_costs_the_same_queries_for_5_rows_as_for_50(
    page, client, auth, count_queries
):
    url, fill = PAGES[page]
    auth.login()

    def measure() -> int:
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert writes(statements) == []  # a GET only reads
        return len(statements)

    fill(0, 5)
    few = measure()
    fill(5, 45)
    assert measure() == few
