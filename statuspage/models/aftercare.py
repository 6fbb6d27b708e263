"""After the crisis: the trust-rebuilding checklist and the postmortem of an incident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from statuspage.extensions import db
from statuspage.models.core import Incident, User, utcnow
from statuspage.models.texts import Shown


class ChecklistEntry(db.Model):
    """One trust-rebuilding action for one incident (from its playbook, or added by the team)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str | None] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(30))
    text: Mapped[dict] = mapped_column(JSON)  # {lang: text}
    why: Mapped[dict] = mapped_column(JSON, default=dict)  # {lang: text}
    after: Mapped[str] = mapped_column(String(10), default="opened")  # opened | resolved
    hours: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime | None] = mapped_column(
        index=True
    )  # None until its reference time is known
    public: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | done | skipped
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reminded_at: Mapped[datetime | None]  # claimed once by the follow-up reminder job
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship()
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])

    def text_in(self, lang: str | None, default: str = "en") -> str:
        """Return the item's text in a language, falling back to the default language, then any."""
        return (
            self.text.get(lang or "")
            or self.text.get(default)
            or next(iter(self.text.values()), "")
        )

    def shown_in(self, lang: str | None, main_lang: str) -> Shown:
        """Return the item as a reader of `lang` sees it: a text in another language marked as such."""
        if (self.text or {}).get(lang or ""):
            return Shown(self.text[lang], lang)
        found = main_lang if (self.text or {}).get(main_lang) else next(iter(self.text or {}), "")
        return Shown(self.text_in(found, main_lang), found or main_lang, fallback=bool(found))

    def why_in(self, lang: str | None, default: str = "en") -> str:
        """Return why the item matters, in a language."""
        return self.why.get(lang or "") or self.why.get(default) or ""


class Postmortem(db.Model):
    """What happened, why, and what changes — written after an incident, published on its page."""

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]  # set when edited after publishing
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Other languages: {"pl": {"body": "…markdown…", "html": "…sanitized…"}}, as on updates.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default=sql_text("'{}'"))

    incident: Mapped[Incident] = relationship()

    def html_for(self, lang: str | None) -> str:
        """Return the sanitized HTML in a language, falling back to the shop's default language."""
        return (self.translations or {}).get(lang or "", {}).get("html") or self.body_html

    def lang_for(self, lang: str | None, main_lang: str) -> str:
        """Return the language the reader of `lang` really gets (the main one when not translated)."""
        found = (self.translations or {}).get(lang or "", {}).get("html")
        return lang if lang and found else main_lang
