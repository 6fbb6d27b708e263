"""E-mail subscribers: double opt-in sign-up, signed links, unsubscribe, fan-out of published updates.

Nothing is sent from a web request: sign-up queues a confirmation (MailDelivery), the scheduler's jobs
send it. Each public update is fanned out once (claimed in the job_claim ledger) into one delivery row per
matching subscriber, keyed by (update, subscriber), so every subscriber gets every update exactly once.
Addresses are personal data: they are looked up by a keyed hash, never logged, and deleted on unsubscribe,
leaving only the hash in `suppression`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, exists, func, insert, or_, select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Component, Incident, IncidentUpdate, User, utcnow
from statuspage.models.delivery import MailDelivery
from statuspage.models.subscribers import (
    Fanout,
    IncidentFollow,
    Subscriber,
    SubscriberComponent,
    Suppression,
)
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.components import find_components
from statuspage.services.delivery.claims import insert_if_absent
from statuspage.services.safe_text import valid_address
from statuspage.site_version import private_write
from statuspage.vocabulary import FINAL

log = logging.getLogger("statuspage.subscribers")
CONFIRM_SALT, UNSUBSCRIBE_SALT = "candor-subscribe-confirm", "candor-unsubscribe"
# Updates that became public longer ago than this are never fanned out (e.g. history at first start).
FANOUT_WINDOW = timedelta(days=1)
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9.-]{1,252}\.[A-Za-z]{2,63}$")


def normalize_email(raw: str) -> str:
    """Return the address trimmed with its domain lower-cased, or raise ServiceError when it is not one."""
    address = (raw or "").strip()
    if len(address) > 254 or not _EMAIL.match(address) or not valid_address(address):
        raise ServiceError(_l("Please enter a valid e-mail address."))
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def email_hash(address: str) -> str:
    """Return the keyed hash of an address (HMAC-SHA256 with the secret key), case-insensitive."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """Return the signer for one purpose."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def unsubscribe_token(subscriber: Subscriber) -> str:
    """Return the signed token of a subscriber's unsubscribe link (it never expires)."""
    return _serializer(UNSUBSCRIBE_SALT).dumps(subscriber.public_id)


def unsubscribe_token_valid(token: str) -> bool:
    """Tell whether an unsubscribe token carries a valid signature."""
    try:
        _serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return False
    return True


def request_subscription(
    address: str,
    components: list[Component] | None,
    language: str,
    now: datetime | None = None,
    incident: Incident | None = None,
) -> None:
    """Queue a confirmation mail for a sign-up (or to follow one incident); the same whether or not
    the address is known."""
    now = now or utcnow()
    private_write()
    address = normalize_email(address)
    digest = email_hash(address)
    known = select(Subscriber).where(Subscriber.email_hash == digest)
    subscriber = db.session.scalar(known)
    if subscriber is None:  # insert-or-nothing: the same address may sign up twice at once
        insert_if_absent(
            Subscriber, Subscriber.id, email=address, email_hash=digest, language=language
        )
        subscriber = db.session.scalar(known)
    choice = sorted(c.public_id for c in components) if components else None
    data = {"s": subscriber.public_id, "c": choice, "l": language, "n": secrets.token_hex(4)}
    if incident is not None:
        data["i"] = incident.public_id
    token = _serializer(CONFIRM_SALT).dumps(data)
    db.session.add(
        MailDelivery(
            key=f"confirm:{subscriber.id}:{secrets.token_hex(8)}",
            kind="confirm",
            subscriber_id=subscriber.id,
            payload={"token": token, "language": language},
            next_try_at=now,
        )
    )


def read_confirmation(token: str) -> dict:
    """Return a confirmation token's contents, or raise ServiceError when it is forged or expired."""
    max_age = int(current_app.config["SUBSCRIBE_CONFIRM_HOURS"]) * 3600
    try:
        data = _serializer(CONFIRM_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ServiceError(
            _l("This confirmation link has expired. Please subscribe again.")
        ) from None
    except BadSignature:
        raise ServiceError(_l("This link is not valid.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        raise ServiceError(_l("This link is not valid."))
    return data


def confirm(token: str, now: datetime | None = None) -> Subscriber:
    """Confirm a sign-up (or new preferences) from its signed link."""
    data = read_confirmation(token)
    private_write()
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.public_id == data["s"]))
    if subscriber is None:
        raise ServiceError(_l("This confirmation link has expired. Please subscribe again."))
    now = now or utcnow()
    if data.get("i"):  # following one incident: add it, keep whatever else they chose
        _follow(subscriber, str(data["i"]), now)
    else:
        found = find_components(data.get("c") or [])
        subscriber.all_components = not found
        subscriber.components = found
    subscriber.language = str(data.get("l") or subscriber.language)[:5]
    subscriber.confirmed_at = subscriber.confirmed_at or now
    db.session.execute(delete(Suppression).where(Suppression.email_hash == subscriber.email_hash))
    return subscriber


def _follow(subscriber: Subscriber, public_id: str, now: datetime) -> None:
    """Add a followed incident (a new subscriber follows only it); refuse one that has ended."""
    incident = db.session.scalar(select(Incident).where(Incident.public_id == public_id))
    if incident is None or incident.draft or incident.status in FINAL:
        raise ServiceError(_l("This incident has ended; there will be no more updates about it."))
    if subscriber.confirmed_at is None:
        subscriber.all_components, subscriber.components = False, []
    insert_if_absent(IncidentFollow, IncidentFollow.subscriber_id, subscriber_id=subscriber.id,
                     incident_id=incident.id, created_at=now)  # fmt: skip


def end_follows(now: datetime) -> int:
    """End the follows of incidents that are over once their final update was sent (or given up).

    A subscriber who followed nothing else is deleted with their address (no suppression: they did
    not unsubscribe, the incident ended). Commits; returns how many follows ended.
    """
    done = exists().where(Fanout.update_id == IncidentUpdate.id)
    final_sent = (
        select(IncidentUpdate.id)
        .where(IncidentUpdate.incident_id == IncidentFollow.incident_id)
        .where(IncidentUpdate.status.in_(FINAL), IncidentUpdate.display_at <= now, done)
        .exists()
    )
    unsent = (
        select(MailDelivery.id)
        .join(IncidentUpdate, IncidentUpdate.id == MailDelivery.update_id)
        .where(MailDelivery.subscriber_id == IncidentFollow.subscriber_id)
        .where(IncidentUpdate.incident_id == IncidentFollow.incident_id)
        .where(MailDelivery.state.in_(("pending", "sending")))
        .exists()
    )
    ended = db.session.execute(
        select(IncidentFollow.subscriber_id, IncidentFollow.incident_id)
        .join(Incident, Incident.id == IncidentFollow.incident_id)
        .where(Incident.status.in_(FINAL), final_sent, ~unsent)
    ).all()
    if not ended:
        return 0  # the usual case: no write at all
    private_write()
    for subscriber_id, incident_id in ended:
        db.session.execute(delete(IncidentFollow).where(
            IncidentFollow.subscriber_id == subscriber_id, IncidentFollow.incident_id == incident_id
        ))  # fmt: skip
        subscriber = db.session.get(Subscriber, subscriber_id)
        if subscriber is not None and not _wants_anything(subscriber):
            db.session.delete(subscriber)
    db.session.commit()
    return len(ended)


def _wants_anything(subscriber: Subscriber) -> bool:
    """Tell whether a subscriber still has components or incidents to hear about."""
    follows = select(IncidentFollow).where(IncidentFollow.subscriber_id == subscriber.id).exists()
    return (
        subscriber.all_components
        or bool(subscriber.components)
        or db.session.scalar(select(follows))
    )


def unsubscribe(token: str) -> bool:
    """Delete the subscriber a signed unsubscribe token names, keeping only a hashed suppression record.

    Returns False when the token is forged; an address already gone counts as unsubscribed.
    """
    try:
        public_id = _serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return False
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.public_id == public_id))
    if subscriber is not None:
        private_write()
        remove(subscriber)
    return True


def remove(subscriber: Subscriber, user: User | None = None) -> None:
    """Delete a subscriber and their queued mail; remember only the address's hash."""
    if db.session.get(Suppression, subscriber.email_hash) is None:
        db.session.add(Suppression(email_hash=subscriber.email_hash))
    if user is not None:
        record(user, "subscriber.remove", f"subscriber {subscriber.public_id}")
    db.session.delete(subscriber)


def purge_unconfirmed(now: datetime) -> int:
    """Delete sign-ups whose confirmation link expired (their addresses must not linger)."""
    cutoff = now - timedelta(hours=int(current_app.config["SUBSCRIBE_CONFIRM_HOURS"]))
    expired = (Subscriber.confirmed_at.is_(None), Subscriber.created_at < cutoff)
    if db.session.scalar(select(Subscriber.id).where(*expired).limit(1)) is None:
        return 0  # the usual case: no write at all
    private_write()
    gone = db.session.execute(
        delete(Subscriber).where(*expired).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return gone


def due_fanouts(now: datetime) -> list[int]:
    """Find the updates that became public recently and were not fanned out yet."""
    done = exists().where(Fanout.update_id == IncidentUpdate.id)
    return list(
        db.session.scalars(
            select(IncidentUpdate.id)
            .join(Incident)
            .where(
                Incident.draft.is_(False),
                IncidentUpdate.display_at <= now,
                IncidentUpdate.display_at > now - FANOUT_WINDOW,
                ~done,
            )
            .order_by(IncidentUpdate.display_at, IncidentUpdate.id)
        )
    )


def claim_fanout(update: IncidentUpdate, now: datetime) -> bool:
    """Claim an update's fan-out for this transaction (insert-or-nothing); False when it was done."""
    return insert_if_absent(Fanout, Fanout.update_id, update_id=update.id, done_at=now)


def matching_subscribers(update: IncidentUpdate) -> list[int]:
    """Return the confirmed subscribers who want this update (subscribed before it became public)."""
    return wanting(update.incident, update.display_at)


def wanting(incident: Incident, since: datetime) -> list[int]:
    """Return the confirmed subscribers who want news of an incident, subscribed by `since`: everything,
    one of its components (or their group), or following it."""
    ids = {c.id for c in incident.components}
    ids |= {c.group_id for c in incident.components if c.group_id}
    chose = exists().where(
        SubscriberComponent.subscriber_id == Subscriber.id,
        SubscriberComponent.component_id.in_(ids or {0}),
    )
    follows = exists().where(
        IncidentFollow.subscriber_id == Subscriber.id,
        IncidentFollow.incident_id == incident.id,
        IncidentFollow.created_at <= since,
    )
    wide = (Subscriber.confirmed_at <= since) & or_(Subscriber.all_components.is_(True), chose)
    return list(
        db.session.scalars(
            select(Subscriber.id).where(Subscriber.confirmed_at.is_not(None), or_(wide, follows))
        )
    )


def queue_update_mail(update: IncidentUpdate, now: datetime) -> int:
    """Add one delivery row per matching subscriber, in the caller's transaction."""
    rows = [
        {
            "key": f"update:{update.id}:{subscriber_id}",
            "kind": "update",
            "subscriber_id": subscriber_id,
            "update_id": update.id,
            "payload": {},
            "next_try_at": now,
        }
        for subscriber_id in matching_subscribers(update)
    ]
    if rows:
        db.session.execute(insert(MailDelivery), rows)
    return len(rows)


def queue_test_mail(user: User, now: datetime | None = None) -> None:
    """Queue a test message to a team member (sent by the scheduler like every other), in the
    language their admin speaks: their own choice, else the one in use now (their browser's)."""
    language = user.language or str(get_locale() or "en")
    db.session.add(
        MailDelivery(
            key=f"test:{user.id}:{secrets.token_hex(8)}",
            kind="test",
            payload={"user_id": user.id, "language": language},
            next_try_at=now or utcnow(),
        )
    )


def search(query: str = "", limit: int = 200) -> list[Subscriber]:
    """Return subscribers whose address contains the query, newest first, with their components (admin only)."""
    statement = (
        select(Subscriber)
        .options(selectinload(Subscriber.components))
        .order_by(Subscriber.created_at.desc(), Subscriber.id.desc())
    )
    if query.strip():
        needle = query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(func.lower(Subscriber.email).like(f"%{needle}%", escape="\\"))
    return list(db.session.scalars(statement.limit(limit)))


def failed_mail(limit: int = 20) -> list[tuple[MailDelivery, Subscriber | None]]:
    """Return the newest mails given up on (refused for good, or out of attempts), with their subscriber."""
    return list(
        db.session.execute(
            select(MailDelivery, Subscriber)
            .outerjoin(Subscriber, Subscriber.id == MailDelivery.subscriber_id)
            .where(MailDelivery.state == "failed")
            .order_by(MailDelivery.next_try_at.desc(), MailDelivery.id.desc())
            .limit(limit)
        ).all()
    )


def counts() -> dict:
    """Count confirmed, pending and unsubscribed addresses, and confirmed subscribers per component."""
    confirmed = Subscriber.confirmed_at.is_not(None)
    per_component = db.session.execute(
        select(Component.name, func.count(SubscriberComponent.subscriber_id))
        .join(SubscriberComponent, SubscriberComponent.component_id == Component.id)
        .join(Subscriber, Subscriber.id == SubscriberComponent.subscriber_id)
        .where(confirmed)
        .group_by(Component.id, Component.name, Component.position)
        .order_by(Component.position)
    ).all()
    total = select(func.count()).select_from(Subscriber)
    return {
        "confirmed": db.session.scalar(total.where(confirmed)),
        "pending": db.session.scalar(total.where(Subscriber.confirmed_at.is_(None))),
        "everything": db.session.scalar(total.where(confirmed, Subscriber.all_components)),
        "unsubscribed": db.session.scalar(select(func.count()).select_from(Suppression)),
        "per_component": per_component,
    }
