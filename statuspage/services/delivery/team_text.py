"""A notice to the team kept as its catalog message and values, so each member reads it in their language.

A notice is queued once for the whole team (`notify.queue`); the log and the team webhook get the English
text, and each member's e-mail is written at send time in the language they chose for the admin (else
the shop's default language when the admin speaks it, else English). Mark the message with `N_` so the
catalogs pick it up: `TeamText(N_("Next update due in %(minutes)s min"), minutes=5)`. A time is kept as
a time (`datetime` values) and written the way each language writes times, in the shop's timezone;
a status word passed as `status(slug)` is written with the catalog's word for it.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from statuspage.services import formats
from statuspage.services.clock import as_utc
from statuspage.services.shop import get_shop
from statuspage.vocabulary import ADMIN_LANGUAGES, label


def N_(message: str) -> str:  # gettext's own name for "mark for the catalogs only"
    """Mark a message for the catalogs without translating it yet."""
    return message


def status(word: str) -> dict:
    """Keep a status word so that each language names it its own way."""
    return {"status": word}


class TeamText:
    """One sentence for the team: a catalog message and its values (text, numbers or times)."""

    def __init__(self, msgid: str, **values: object) -> None:
        self.msgid = msgid
        self.values = {
            name: {"at": as_utc(value).isoformat()} if isinstance(value, datetime) else value
            for name, value in values.items()
        }

    def stored(self) -> list:
        """Return the message and values as JSON (they go into the notification row)."""
        return [self.msgid, self.values]

    def __str__(self) -> str:
        """Write it in English (the log, the team webhook, the subject column)."""
        return render(self.stored(), "en")


def render(stored: list, lang: str) -> str:
    """Write a stored message in a language."""
    msgid, values = stored
    timezone = get_shop().timezone
    with force_locale(lang):
        return _(
            msgid,
            **{name: _written(value, lang, timezone) for name, value in (values or {}).items()},
        )


def _written(value: object, lang: str, timezone: str) -> object:
    """Write one value in a language: a time, a status word, or the value itself."""
    if isinstance(value, dict) and "at" in value:
        return formats.datetime_text(datetime.fromisoformat(value["at"]), lang, timezone)
    if isinstance(value, dict) and "status" in value:
        return label(value["status"], lang)
    return value


def reader_language(chosen: str | None) -> str:
    """Return the language a member's notices are written in."""
    if chosen in ADMIN_LANGUAGES:
        return chosen
    default = get_shop().default_language
    return default if default in ADMIN_LANGUAGES else "en"
