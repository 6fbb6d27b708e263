"""How each language writes dates, times, numbers and lists: the one place every surface asks.

Messages, pages, feeds and e-mails format values here (CLDR data through Babel), with patterns chosen
per language so that a value fits inside a sentence:

- en "21 December 2026 at 14:30 CET" — one style, day before month (a European shop's English);
- ru "21 декабря 2026 в 14:30 CET" — no "г.", so a sentence never ends in "2026 г..";
- pl "21 grudnia 2026, godz. 14:30 CET" — the genitive month reads right after "do", "od", "z";
- lv "21.12.2026. plkst. 14.30 CET" — numeric, so no case ending is needed after "līdz", "no";
- ar "21 ديسمبر 2026، الساعة 14:30 CET" — the Arabic comma.

The time zone is written one way everywhere: the zone's abbreviation when it has a letter one
(CET, CEST, GMT, EET), else the offset from UTC ("UTC+3", "UTC+5:30"), never "+0100". Numbers and
percentages take the language's separators ("99,95%" in Polish, "99.95%" in English); lists are joined
the way the language joins them ("A, B i C"). A sentence that ends on an abbreviation's dot gets one
full stop, not two (`tidy_punctuation`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import format_timedelta
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

DEFAULT = "en"


@dataclass(frozen=True)
class Patterns:
    """One language's CLDR patterns: in a sentence (long) and in a page's meta line (short)."""

    date: str
    datetime: str
    short_date: str
    short_datetime: str
    month: str = "LLLL y"


PATTERNS = {
    "en": Patterns("d MMMM y", "d MMMM y 'at' HH:mm", "d MMM y", "d MMM y, HH:mm"),
    "ru": Patterns("d MMMM y", "d MMMM y 'в' HH:mm", "d MMM y", "d MMM y, HH:mm"),
    "pl": Patterns("d MMMM y", "d MMMM y, 'godz.' HH:mm", "d MMM y", "d MMM y, HH:mm"),
    "lv": Patterns("dd.MM.y.", "dd.MM.y. 'plkst.' HH.mm", "dd.MM.y.", "dd.MM.y. 'plkst.' HH.mm"),
    "ar": Patterns("d MMMM y", "d MMMM y، 'الساعة' HH:mm", "d MMM y", "d MMM y، HH:mm"),
}  # fmt: skip
_DOUBLED = re.compile(r"(?<![.…])\.\.(?!\.)")  # "2026 г.." or "21.12.2026.." — not an ellipsis


def patterns(lang: str | None) -> Patterns:
    """Return a language's patterns (English for a language without its own)."""
    return PATTERNS.get((lang or DEFAULT).split("_")[0].split("-")[0], PATTERNS[DEFAULT])


def _local(value: datetime, timezone: str | tzinfo | None) -> datetime:
    """Return a time (naive: stored UTC) in a timezone (a name, or a tzinfo such as pytz's)."""
    zone = ZoneInfo(timezone or "UTC") if isinstance(timezone, str | None) else timezone
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def zone_name(local: datetime) -> str:
    """Name a local time's zone one way everywhere: "CET", else "UTC+3" / "UTC+5:30"."""
    name = local.tzname() or ""
    if name.isalpha():
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if not minutes:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "−"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def datetime_text(
    value: datetime | None, lang: str | None, timezone: str | tzinfo | None, *, short: bool = False
) -> str:
    """Write a time in a language and timezone, zone named: "21 December 2026 at 14:30 CET"."""
    if value is None:
        return ""
    local = _local(value, timezone)
    shape = patterns(lang)
    pattern = shape.short_datetime if short else shape.datetime
    text = babel_datetime(local.replace(tzinfo=None), pattern, locale=_locale(lang))
    return f"{text} {zone_name(local)}"


def date_text(value: date | datetime | None, lang: str | None, *, short: bool = False) -> str:
    """Write a calendar day in a language: "21 December 2026", "21.12.2026."."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    shape = patterns(lang)
    return babel_date(day, shape.short_date if short else shape.date, locale=_locale(lang))


def month_text(value: date | datetime, lang: str | None) -> str:
    """Name a month and year for a heading: "March 2026", "marzec 2026"."""
    day = value.date() if isinstance(value, datetime) else value
    return babel_date(day, patterns(lang).month, locale=_locale(lang))


def number_text(value: Decimal | float | int, lang: str | None) -> str:
    """Write a number with the language's separators: "1 234,5" in Polish."""
    return format_decimal(value, locale=_locale(lang), decimal_quantization=False)


def percent_text(value: Decimal | float | int | None, lang: str | None) -> str:
    """Write a percentage (given as 0–100) the way the language does: "99,95%", "100 %" in Russian."""
    if value is None:
        return ""
    share = Decimal(str(value)) / 100
    return format_percent(share, locale=_locale(lang), decimal_quantization=False)


def money_text(amount: Decimal, currency: str, lang: str | None) -> str:
    """Write an amount of money: "15,00 €" in Polish, "€15.00" in English."""
    return format_currency(amount, currency, locale=_locale(lang))


def list_text(items: Iterable[str], lang: str | None) -> str:
    """Join names the way the language joins a list: "A, B and C", "A, B i C", "A وB وC"."""
    names = [str(item) for item in items if str(item).strip()]
    if not names:
        return ""
    return format_list(names, style="standard", locale=_locale(lang))


def timedelta_text(
    value: timedelta | float | int | None, lang: str | None, *, unit: str = ""
) -> str:
    """Say how long a stretch of time is, as people say it: "1 day", "3 hours 20 minutes".

    A number is read in `unit` ("minutes" or "hours"). At most the two largest parts are named (to the
    minute), so "1 day 0 hours 5 minutes" reads "1 day" and a report never shows "1440.0".
    """
    if value is None:
        return ""
    if not isinstance(value, timedelta):
        value = timedelta(**{unit or "minutes": float(value)})
    minutes = int(abs(value.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    first = next((i for i, (amount, _) in enumerate(parts) if amount), len(parts) - 1)
    shown = [
        format_timedelta(timedelta(**{f"{unit}s": amount}), granularity=unit, threshold=100,
                         locale=_locale(lang))
        for amount, unit in parts[first : first + 2]
        if amount or unit == "minute" and first == 2
    ]  # fmt: skip
    # Arabic joins the two parts with "و" ("يوم و3 ساعات"); the others read well side by side.
    return (
        format_list(shown, locale="ar")
        if _locale(lang) == "ar" and len(shown) > 1
        else " ".join(shown)
    )


def hours_text(value: timedelta | int | float, lang: str | None) -> str:
    """Say a playbook's span (a number is hours) as deadlines are written: "72 hours", "30 days".

    Unlike `timedelta_text`, up to three days stay in hours, as laws and playbooks write them
    ("within 72 hours", never "3 days"); whole days from four days up read as days ("720 h" is
    "30 days"); anything else is hours and minutes.
    """
    delta = timedelta(hours=value) if isinstance(value, int | float) else value
    minutes = int(abs(delta.total_seconds()) // 60)
    locale = _locale(lang)

    def unit(amount: int, name: str) -> str:
        return format_timedelta(
            timedelta(minutes=amount * {"day": 1440, "hour": 60, "minute": 1}[name]),
            granularity=name, threshold=10**9, locale=locale,
        )  # fmt: skip

    if minutes and minutes % 1440 == 0 and minutes > 72 * 60:
        return unit(minutes // 1440, "day")
    hours, rest = divmod(minutes, 60)
    parts = [unit(hours, "hour")] if hours else []
    return " ".join([*parts, unit(rest, "minute")] if rest or not hours else parts)


def language_name(code: str | None, lang: str | None) -> str:
    """Name a language in a sentence of another: "Polish" in English, "polski" in Polish."""
    try:
        return Locale.parse(code or DEFAULT).get_display_name(_locale(lang)) or str(code)
    except (ValueError, UnknownLocaleError):
        return str(code)


def tidy_punctuation(text: str) -> str:
    """Drop the second full stop when a value's own dot meets the sentence's ("2026 г.." → "2026 г.")."""
    return _DOUBLED.sub(".", text)


def _locale(lang: str | None) -> str:
    """Return a Babel locale for a language code (English when unknown)."""
    code = (lang or DEFAULT).replace("-", "_")
    return code if code.split("_")[0] in PATTERNS else DEFAULT
