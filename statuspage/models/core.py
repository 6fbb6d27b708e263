"""The core models: the shop, the team, components, incidents and their updates, the audit log."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models.texts import Shown, pick
from statuspage.vocabulary import FINAL

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (the storage convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_public_id() -> str:
    """Return a random, short, URL-safe identifier (not guessable, not sequential)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


class Shop(db.Model):
    """The shop's settings: one row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), default=new_public_id)
    name: Mapped[str] = mapped_column(String(120), default="Our shop")
    url: Mapped[str] = mapped_column(String(300), default="")
    logo_url: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    brand_color: Mapped[str] = mapped_column(String(7), default="#2457a6")
    default_language: Mapped[str] = mapped_column(String(5), default="en")
    languages: Mapped[str] = mapped_column(String(40), default="en")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    contact_hotline: Mapped[str] = mapped_column(String(60), default="")
    contact_chat_url: Mapped[str] = mapped_column(String(300), default="")
    contact_social: Mapped[str] = mapped_column(Text, default="")
    contact_address: Mapped[str] = mapped_column(Text, default="")
    # Where the shop's real messages come from, so customers can tell them from fakes: the
    # addresses it sends e-mail from (one per line) and its SMS sender name.
    sender_emails: Mapped[str] = mapped_column(Text, default="", server_default="")
    sms_sender: Mapped[str] = mapped_column(String(20), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def language_list(self) -> list[str]:
        """Return the enabled languages, default first."""
        langs = [x for x in self.languages.split(",") if x]
        return [self.default_language] + [x for x in langs if x != self.default_language]


class User(UserMixin, db.Model):
    """A member of the support team."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10), default="editor")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Two-factor login: the TOTP secret (base32) once enrolled, and the last time step accepted.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    # Sessions carry this number; raising it ends every session of the account at once (logout,
    # a password change or reset, removal from the team).
    session_generation: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The language the admin speaks to this member (None: the browser's, among the admin's languages).
    language: Mapped[str | None] = mapped_column(String(5))
    # Removed from the team: cannot log in, sessions and API tokens refused; the row stays for the log.
    removed_at: Mapped[datetime | None]

    @property
    def is_owner(self) -> bool:
        """Tell whether the user may manage users and settings."""
        return self.role == "owner"

    @property
    def is_active(self) -> bool:
        """Tell whether the member may log in (Flask-Login refuses inactive users)."""
        return self.removed_at is None

    def get_id(self) -> str:
        """Identify the session: the id and the account's session generation (raised to end sessions)."""
        return f"{self.id}:{self.session_generation or 0}"


class Component(db.Model):
    """A part of the shop customers care about (Checkout, Delivery …), or a group of them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24), default="operational")
    position: Mapped[int] = mapped_column(default=0)
    is_group: Mapped[bool] = mapped_column(default=False)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("component.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    group: Mapped[Component | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Component]] = relationship(
        back_populates="group", order_by="Component.position"
    )
    # The name and description in the shop's other languages: {"pl": "Kasa"} (texts.py).
    name_translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    description_translations: Mapped[dict] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    def name_in(self, lang: str | None, main_lang: str) -> Shown:
        """Return the name in a language, or the main one marked as a fallback."""
        return pick(self.name_translations, self.name, lang, main_lang)

    def description_in(self, lang: str | None, main_lang: str) -> Shown:
        """Return the description in a language, or the main one marked as a fallback."""
        return pick(self.description_translations, self.description, lang, main_lang)


class IncidentComponent(db.Model):
    """A component affected by an incident."""

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"), primary_key=True)


class Incident(db.Model):
    """Something customers should know about: an incident or a planned maintenance."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True, default=new_public_id)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    impact: Mapped[str] = mapped_column(String(16), default="minor")
    kind: Mapped[str | None] = mapped_column(String(60))
    is_maintenance: Mapped[bool] = mapped_column(default=False)
    draft: Mapped[bool] = mapped_column(default=False)
    variables: Mapped[dict] = mapped_column(JSON, default=dict)
    # When the incident opened on the page (its first update's publication); ordering, history and
    # uptime count from it. The two times below are what messages and deadlines speak of.
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When the problem itself began, if known (None: not known yet).
    began_at: Mapped[datetime | None]
    # When the team became aware of it (default: the moment it was opened); regulatory deadlines
    # (GDPR 72 h) count from here. None only on rows older than the column: read `aware_at`.
    became_aware_at: Mapped[datetime | None]
    # A notice, not an outage (data breach, phishing, recall): the page speaks of an important
    # notice, the indicator follows the components only.
    is_notice: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    monitoring_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None]
    scheduled_until: Mapped[datetime | None]
    # A maintenance: remind its subscribers this many minutes before it starts (None: the
    # MAINTENANCE_REMINDER_MINUTES setting; 0: no reminder).
    reminder_minutes: Mapped[int | None]
    # The title in the shop's other languages: {"pl": "…", "ar": "…"} (texts.py).
    title_translations: Mapped[dict] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    components: Mapped[list[Component]] = relationship(
        secondary="incident_component", order_by="Component.position"
    )
    updates: Mapped[list[IncidentUpdate]] = relationship(
        back_populates="incident",
        order_by="IncidentUpdate.display_at.desc(), IncidentUpdate.id.desc()",
        cascade="all, delete-orphan",
    )

    @property
    def is_active(self) -> bool:
        """Tell whether the incident is still going on."""
        return self.status not in FINAL

    @property
    def aware_at(self) -> datetime:
        """Return when the team became aware (the opening, for incidents older than the field)."""
        return self.became_aware_at or self.started_at or utcnow()

    def title_in(self, lang: str | None, main_lang: str) -> Shown:
        """Return the title in a language, or the main one marked as a fallback."""
        return pick(self.title_translations, self.title, lang, main_lang)


class IncidentUpdate(db.Model):
    """One message on an incident's timeline; public once display_at has passed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True, default=new_public_id)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    display_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    edited_at: Mapped[datetime | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # [{"component_id": 3, "old_status": "operational", "new_status": "major_outage"}]
    component_changes: Mapped[list] = mapped_column(JSON, default=list)
    # Other languages: {"pl": {"body": "…markdown…", "html": "…sanitized…"}}
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    # When the next update is promised; None for final updates.
    next_update_at: Mapped[datetime | None]
    # A scheduled update whose status and component changes a job still has to apply once it is due.
    effects_pending: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    incident: Mapped[Incident] = relationship(back_populates="updates")

    def html_for(self, lang: str | None) -> str:
        """Return the sanitized HTML in a language, falling back to the shop's default language."""
        return self.translations.get(lang or "", {}).get("html") or self.body_html

    def body_for(self, lang: str | None) -> str:
        """Return the Markdown in a language, falling back to the shop's default language."""
        return self.translations.get(lang or "", {}).get("body") or self.body

    def lang_for(self, lang: str | None, main_lang: str) -> str:
        """Return the language the reader of `lang` really gets (the main one when not translated)."""
        return lang if lang and self.translations.get(lang, {}).get("html") else main_lang


class AuditEntry(db.Model):
    """Who did what, when, with the state before and after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(120), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()
