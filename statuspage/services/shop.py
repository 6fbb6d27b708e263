"""The shop's settings (one row)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from statuspage.extensions import db
from statuspage.models import Shop, User, new_public_id
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.playbooks.loader import LANGUAGES
from statuspage.services.safe_text import one_line

FIELDS = (
    "name", "url", "logo_url", "timezone", "brand_color", "contact_email", "contact_phone",
    "contact_hotline", "contact_chat_url", "contact_social", "contact_address", "sender_emails",
    "sms_sender",
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{3,40}$")
_URL_FIELDS = ("url", "logo_url", "contact_chat_url")
ONE_LINE = ("name", "url", "logo_url", "contact_email", "contact_phone", "contact_hotline",
            "contact_chat_url")  # fmt: skip
# What the settings form calls each field (the same words, so errors name what the owner sees).
FIELD_NAMES = {
    "name": _l("Shop name"), "url": _l("Shop URL"), "logo_url": _l("Logo URL"),
    "contact_email": _l("Support e-mail"), "contact_phone": _l("Phone"),
    "contact_hotline": _l("Hotline"), "contact_chat_url": _l("Live chat link"),
}  # fmt: skip


def get_shop() -> Shop:
    """Return the shop's settings; before they are first saved, the defaults (reading never writes)."""
    shop = db.session.get(Shop, 1)
    if shop is None:
        defaults = {
            column.name: column.default.arg
            for column in Shop.__table__.columns
            if column.default is not None and not callable(column.default.arg)
        }
        shop = Shop(id=1, public_id=new_public_id(), **defaults)
    return shop


def saved_shop() -> Shop:
    """Return the shop's settings row, adding it to the session when it is new."""
    shop = get_shop()
    if shop not in db.session:
        db.session.add(shop)
    return shop


def contrast_with_white(color: str) -> float:
    """Return the WCAG contrast ratio of a #rrggbb colour against white."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(color[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def update_settings(values: dict[str, str], *, user: User | None) -> Shop:
    """Validate and save the shop's settings; nothing changes when one value is wrong."""
    clean = {key: (values.get(key) or "").strip() for key in FIELDS}
    for key in ONE_LINE:  # they go into e-mail headers, feed titles and page titles
        try:
            clean[key] = one_line(clean[key], str(FIELD_NAMES[key]))
        except ServiceError as error:
            raise ServiceError(str(error), field=key) from None
    if not clean["name"]:
        raise ServiceError(_("The shop needs a name."), field="name")
    if clean["timezone"] not in available_timezones():
        raise ServiceError(
            _("Unknown timezone “%(timezone)s”: pick one from the list, e.g. Europe/Warsaw.",
              timezone=clean["timezone"]),
            field="timezone",
        )  # fmt: skip
    if not _COLOR.match(clean["brand_color"]):
        raise ServiceError(_("The brand colour must look like #2457a6."), field="brand_color")
    contrast = contrast_with_white(clean["brand_color"])
    if contrast < 4.5:  # buttons write white on it; the focus ring draws it on light grounds
        raise ServiceError(
            _("The brand colour %(color)s is too light: white button text on it has a contrast "
              "of %(contrast)s:1, and readers need at least 4.5:1. Pick a darker shade.",
              color=clean["brand_color"], contrast=f"{contrast:.1f}"),
            field="brand_color",
        )  # fmt: skip
    for key in _URL_FIELDS:
        if clean[key] and not is_link(clean[key]):
            raise ServiceError(url_problem(), field=key)
    for line in clean["sender_emails"].splitlines():
        if line.strip() and not is_email(line.strip()):
            raise ServiceError(
                _("“%(address)s” is not an e-mail address (one address per line).",
                  address=line.strip()),
                field="sender_emails",
            )  # fmt: skip
    if clean["contact_email"] and not is_email(clean["contact_email"]):
        raise ServiceError(
            _("“%(address)s” is not an e-mail address, e.g. help@shop.example.",
              address=clean["contact_email"]),
            field="contact_email",
        )  # fmt: skip
    for key in ("contact_phone", "contact_hotline"):
        if clean[key] and not is_phone(clean[key]):
            raise ServiceError(phone_problem(), field=key)
    if len(clean["sms_sender"]) > 20:
        raise ServiceError(
            _("The SMS sender name is too long (%(count)s characters at most).", count=20),
            field="sms_sender",
        )
    default = values.get("default_language") or "en"
    langs = [
        lang for lang in LANGUAGES if lang in (values.get("languages") or []) or lang == default
    ]
    if default not in LANGUAGES:
        raise ServiceError(
            _("Unknown language “%(language)s” (%(known)s).",
              language=default, known=", ".join(LANGUAGES)),
            field="default_language",
        )  # fmt: skip
    clean.update(default_language=default, languages=",".join(langs))
    shop = saved_shop()
    before = {key: getattr(shop, key) for key in clean}
    for key, value in clean.items():
        setattr(shop, key, value)
    record(user, "settings.edit", "shop settings", before, clean)
    return shop


def is_email(value: str) -> bool:
    """Tell whether a settings value looks like one e-mail address."""
    return bool(_EMAIL.match(value))


def is_phone(value: str) -> bool:
    """Tell whether a settings value looks like a phone number."""
    return bool(_PHONE.match(value))


def is_link(value: str) -> bool:
    """Tell whether a settings value is a web address or a path on this site."""
    return value.startswith(("https://", "http://", "/"))


def url_problem() -> str:
    """Say what a web address in the settings must look like."""
    return _("A web address starts with https://, e.g. https://shop.example.")


def phone_problem() -> str:
    """Say what a phone number in the settings may contain."""
    return _("A phone number has digits, spaces and + ( ) - only, e.g. +48 22 123 45 67.")


def official_senders(shop: Shop) -> dict[str, list[str]]:
    """Return where the shop's real messages come from: e-mail senders, SMS sender, social accounts.

    Without sender addresses set, the support address stands in (it is one the shop writes from).
    """
    emails = [line.strip() for line in (shop.sender_emails or "").splitlines() if line.strip()]
    return {
        "email": emails or ([shop.contact_email] if shop.contact_email else []),
        "sms": [shop.sms_sender] if shop.sms_sender else [],
        "social": [line.strip() for line in shop.contact_social.splitlines() if line.strip()],
    }


def contact_channels(shop: Shop) -> list[tuple[str, str, str | None]]:
    """Return the shop's contact channels that are set: (kind, text, link)."""
    channels = []
    if shop.contact_email:
        channels.append(("email", shop.contact_email, f"mailto:{shop.contact_email}"))
    if shop.contact_phone:
        channels.append(
            ("phone", shop.contact_phone, "tel:" + re.sub(r"[^\d+]", "", shop.contact_phone))
        )
    if shop.contact_hotline:
        channels.append(
            ("hotline", shop.contact_hotline, "tel:" + re.sub(r"[^\d+]", "", shop.contact_hotline))
        )
    if shop.contact_chat_url:
        channels.append(("chat", shop.contact_chat_url, shop.contact_chat_url))
    for line in shop.contact_social.splitlines():
        if line.strip():
            link = line.strip() if line.strip().startswith("https://") else None
            channels.append(("social", line.strip(), link))
    if shop.contact_address:
        channels.append(("address", shop.contact_address, None))
    return channels
