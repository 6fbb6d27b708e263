"""Compose messages from playbook templates, safely, and check them for transparency.

Templates are rendered by a sandboxed Jinja environment with StrictUndefined; placeholders are plain
`{{ name }}` (no filters, no tags: values arrive already formatted for the language). A missing or
invalid value is a clear error, never a half-rendered message.

Rendering is bounded: a template is checked for anything but plain placeholders *before* it is rendered
(an owner's edit `{{ 'a' * 200000000 }}` is refused without building the string), and the sandbox
itself refuses an operator whose result would exceed MAX_OUTPUT characters (or a huge power), and any
section longer than that, should anything unchecked ever reach it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from statuspage.services import formats
from statuspage.services.playbooks import bindings, language
from statuspage.services.playbooks.loader import (
    BUILTINS,
    DEFAULT_MAX_WORDS,
    SECTIONS,
    Playbook,
    Variable,
)
from statuspage.vocabulary import FINAL

MAX_OUTPUT = 100_000  # characters: far beyond any message a customer reads


class _BoundedSandbox(SandboxedEnvironment):
    """A sandbox whose operators cannot build huge values (checked before the result is built)."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def call_binop(self, context, operator, left, right):
        """Refuse a product, power or sum whose result would be too large; else compute it."""
        if operator == "*" and _repeat_size(left, right) > MAX_OUTPUT:
            raise SecurityError("the result would be too large")
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("the power is too large")
        if operator == "+" and _size(left) + _size(right) > MAX_OUTPUT:
            raise SecurityError("the result would be too large")
        return super().call_binop(context, operator, left, right)


def _size(value: object) -> int:
    """Return the length of a string or sequence (0 for anything else)."""
    return len(value) if isinstance(value, str | list | tuple) else 0


def _repeat_size(left: object, right: object) -> int:
    """Return the length `left * right` would have when it repeats a sequence (0 for numbers)."""
    if isinstance(right, int) and not isinstance(right, bool):
        return _size(left) * right
    if isinstance(left, int) and not isinstance(left, bool):
        return _size(right) * left
    return 0


_env = _BoundedSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_ANY_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_SECTION_LINE = re.compile(r"^--- ([a-z_]+)\s*$")
# A value left for a person to fill in, e.g. "[[Social media page for updates]]" (alert drafts).
BLANK = re.compile(r"\[\[[^\[\]\n]{1,200}\]\]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MONEY = re.compile(r"^\s*(?:([A-Z]{3})\s*)?(\d+(?:[.,]\d{1,2})?)\s*(?:([A-Z]{3}))?\s*$")
CONTACT_LABELS = {
    "en": {"email": "e-mail", "phone": "phone", "hotline": "hotline", "chat": "live chat", "social": "social", "address": "address"},
    "ru": {"email": "эл. почта", "phone": "телефон", "hotline": "горячая линия", "chat": "онлайн-чат", "social": "соцсети", "address": "адрес"},
    "pl": {"email": "e-mail", "phone": "telefon", "hotline": "infolinia", "chat": "czat", "social": "media społecznościowe", "address": "adres"},
    "lv": {"email": "e-pasts", "phone": "tālrunis", "hotline": "informatīvais tālrunis", "chat": "tiešsaistes tērzēšana", "social": "sociālie tīkli", "address": "adrese"},
    "ar": {"email": "البريد الإلكتروني", "phone": "الهاتف", "hotline": "الخط الساخن", "chat": "الدردشة المباشرة", "social": "وسائل التواصل", "address": "العنوان"},
}  # fmt: skip


@dataclass
class Composed:
    """A message for one stage and language: its sections, or the errors that stop it."""

    sections: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Join the non-empty sections into the published Markdown."""
        return join_sections(self.sections)


@dataclass(frozen=True)
class Finding:
    """One line of the transparency check; `sections` are where it stands (empty: the whole message)."""

    code: str
    ok: bool
    message: str
    sections: tuple[str, ...] = ()


def join_sections(sections: dict[str, str]) -> str:
    """Join sections, in the standard order, into one message."""
    return "\n\n".join(sections[s].strip() for s in SECTIONS if sections.get(s, "").strip())


def split_sections(source: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Split a template into its sections; return them and (line, problem) pairs."""
    sections: dict[str, list[str]] = {}
    problems, current = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        match = _SECTION_LINE.match(line)
        if match:
            current = match.group(1)
            if current not in SECTIONS:
                problems.append((number, f"unknown section “{current}”"))
            elif current in sections:
                problems.append((number, f"section “{current}” appears twice"))
            sections[current] = []
        elif current is None:
            if line.strip():
                problems.append((number, "text before the first section line (--- what_happened)"))
        else:
            sections[current].append(line)
    order = [s for s in sections if s in SECTIONS]
    if order != [s for s in SECTIONS if s in sections]:
        problems.append((1, f"sections must come in this order: {', '.join(SECTIONS)}"))
    for name in SECTIONS:
        if name not in sections:
            problems.append((1, f"section “{name}” is missing"))
    return {k: "\n".join(v).strip() for k, v in sections.items() if k in SECTIONS}, problems


def template_problems(source: str, playbook: Playbook) -> list[tuple[int, str]]:
    """Check a template's structure and placeholders; return (line, problem) pairs."""
    _, problems = split_sections(source)
    declared = {v.name for v in playbook.variables} | set(BUILTINS)
    for number, line in enumerate(source.splitlines(), start=1):
        names = _PLACEHOLDER.findall(line)
        if len(_ANY_TAG.findall(_PLACEHOLDER.sub("", line))):
            problems.append(
                (number, "only {{ name }} placeholders are allowed (no filters or tags)")
            )
            problems += [
                (number, f"undeclared placeholder {{{{ {n} }}}}")
                for n in names
                if n not in declared
            ]
    return problems + bindings.problems(source, playbook)


def placeholders(source: str) -> set[str]:
    """Return the names a template needs filled in (a bound line's due time is not one of them)."""
    return (set(_PLACEHOLDER.findall(source)) - {bindings.DUE}) | bindings.condition_names(source)


def parse_value(variable: Variable, raw: str | None, timezone: str) -> tuple[object, str | None]:
    """Parse a submitted value by its type; return (value, error message or None)."""
    raw = (raw or "").strip()
    if not raw:
        return None, _("This is needed for the message.") if variable.required else None
    if len(raw) > 500:
        return None, _("Too long (500 characters at most).")
    try:
        return _PARSERS[variable.type](raw, variable, timezone), None
    except ValueError as error:
        return None, str(error)


def _parse_number(raw, variable, timezone):
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("Enter a number, e.g. 42.")) from None


def _parse_date(raw, variable, timezone):
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD, e.g. 2026-12-24.")) from None


def _parse_datetime(raw, variable, timezone):
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            _("Enter a date and time as YYYY-MM-DDTHH:MM, e.g. 2026-12-24T14:00.")
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def _parse_money(raw, variable, timezone):
    match = _MONEY.match(raw)
    currency = match and (match.group(1) or match.group(3))
    if not match or not currency:
        raise ValueError(_("Enter an amount and a currency code, e.g. 15.00 EUR."))
    return Decimal(match.group(2).replace(",", ".")), currency


def _parse_url(raw, variable, timezone):
    if not re.match(r"^https?://[^\s/]+\.[^\s]+$", raw):
        raise ValueError(_("Enter a full web address starting with https://."))
    return raw


def _parse_email(raw, variable, timezone):
    if not _EMAIL.match(raw):
        raise ValueError(_("Enter an e-mail address, e.g. help@shop.example."))
    return raw


def _parse_choice(raw, variable, timezone):
    if raw not in variable.choices:
        raise ValueError(_("Choose one of: %(choices)s.", choices=", ".join(variable.choices)))
    return raw


_PARSERS = {
    "text": lambda raw, variable, timezone: raw,
    "number": _parse_number,
    "date": _parse_date,
    "datetime": _parse_datetime,
    "money": _parse_money,
    "url": _parse_url,
    "email": _parse_email,
    "choice": _parse_choice,
}


class ChoiceText(str):
    """A chosen value as a message shows it (its label in the language); `.value` is what was chosen,
    which `{if:variable=value}` lines compare."""

    value: str

    def __new__(cls, label: str, value: str) -> ChoiceText:
        text = super().__new__(cls, label)
        text.value = value
        return text


def format_variable(variable: Variable | None, value: object, lang: str, timezone: str) -> str:
    """Format a variable's value for a language; a choice reads as its label in that language."""
    if variable is not None and variable.type == "choice" and isinstance(value, str):
        return ChoiceText(variable.choice_label(value, lang), value)
    return format_value(value, lang, timezone)


def format_value(value: object, lang: str, timezone: str) -> str:
    """Format a parsed value for a language (dates, times and money the way its readers expect)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.datetime_text(value, lang, timezone)
    if isinstance(value, date):
        return formats.date_text(value, lang)
    if isinstance(value, tuple):
        return formats.money_text(value[0], value[1], lang)
    if isinstance(value, Decimal):
        return formats.number_text(value, lang)
    return str(value)


def contact_line(channels: list[tuple[str, str, str | None]], lang: str) -> str:
    """Write the shop's contact channels as one line in a language."""
    labels = CONTACT_LABELS.get(lang, CONTACT_LABELS["en"])
    return " · ".join(f"{labels.get(kind, kind)}: {text}" for kind, text, _ in channels)


SMS_LABELS = {"en": "SMS", "ru": "SMS", "pl": "SMS", "lv": "īsziņas", "ar": "الرسائل النصية"}


def official_line(senders: dict[str, list[str]], lang: str) -> str:
    """Write where the shop's real messages come from as one line in a language (empty: nothing set)."""
    labels = CONTACT_LABELS.get(lang, CONTACT_LABELS["en"])
    names = {
        "email": labels["email"],
        "sms": SMS_LABELS.get(lang, "SMS"),
        "social": labels["social"],
    }
    return " · ".join(
        f"{names[kind]}: {', '.join(values)}" for kind, values in senders.items() if values
    )


def render_template(
    source: str, context: dict[str, str], states: dict[str, str] | None = None
) -> Composed:
    """Render each section of a template in the sandbox; a missing value is an error, not a gap.

    Bound lines keep the wording that is true now: `states` says which deadlines and checklist items
    are done (or skipped); the start is known when the context has `began_at`.
    """
    sections, problems = split_sections(source)
    result = Composed()
    if problems:
        result.errors["template"] = "; ".join(f"line {n}: {p}" for n, p in problems)
        return result
    for name, text in sections.items():
        text = bindings.select(text, states or {}, "began_at" in context, context)
        if _ANY_TAG.search(_PLACEHOLDER.sub("", text)):  # checked before anything is rendered
            result.errors["template"] = (
                "only {{ name }} placeholders are allowed (no filters or tags)"
            )
            continue
        missing = [n for n in placeholders(text) if n not in context]
        if missing:
            for variable in missing:
                result.errors[variable] = _("This is needed for the message.")
            continue
        try:
            rendered = formats.tidy_punctuation(_env.from_string(text).render(context).strip())
        except TemplateError as error:
            result.errors["template"] = _("The template cannot be rendered: %(error)s", error=error)
            continue
        if len(rendered) > MAX_OUTPUT:
            result.errors["template"] = _("The message is too long.")
            continue
        result.sections[name] = rendered
    return result


def render_snippet(
    text: str, context: dict[str, str], states: dict[str, str] | None = None
) -> str | None:
    """Render a piece of one section (bound lines chosen); None when a value is missing."""
    text = bindings.select(text, states or {}, "began_at" in context, context)
    if any(name not in context for name in placeholders(text)):
        return None
    try:
        return formats.tidy_punctuation(_env.from_string(text).render(context).strip())
    except TemplateError:
        return None


def transparency_check(
    playbook: Playbook | None,
    stage: str,
    lang: str,
    sections: dict[str, str],
    has_next_update: bool,
    *,
    claims: dict[str, bindings.Claim] | None = None,
    promise: str | None = None,
    allowed: tuple[str, ...] = (),
) -> list[Finding]:
    """Check a message: the six elements, no leftovers, a promised next update, length, jargon,
    no action stated as done that the team has not marked done, and every sentence in its language.

    `claims` is what the team recorded (None: nothing done yet, as for a new incident); `promise`
    is the promised next-update time as the message should write it in this language; `allowed`
    are names that may stay as they are in any language (the shop's name, brands).
    """
    final = stage in (playbook.final_stages if playbook else FINAL)
    findings = []
    for name in SECTIONS:
        written = bool(sections.get(name, "").strip())
        said = _("%(section)s: written") if written else _("%(section)s: missing")
        findings.append(
            Finding(f"section:{name}", written, said % {"section": section_title(name)}, (name,))
        )
    text = join_sections(sections)
    leftovers = _where(sections, _ANY_TAG.search)
    findings.append(
        Finding(
            "placeholders",
            not leftovers,
            _("A {{ placeholder }} is left unfilled")
            if leftovers
            else _("Every placeholder is filled in"),
            leftovers,
        )
    )
    if not final:
        findings.append(
            _next_update_finding(has_next_update, sections.get("next_update", ""), promise)
        )
    if playbook is not None:
        findings += _claims_findings(playbook, lang, sections, claims or {})
    limit = playbook.max_words.get(stage, DEFAULT_MAX_WORDS) if playbook else DEFAULT_MAX_WORDS
    words = len(text.split())
    findings.append(
        Finding(
            "length",
            words <= limit,
            _("%(words)s words (this stage calls for at most %(limit)s)", words=words, limit=limit),
        )
    )
    jargon = [w.lower() for w in (playbook.jargon.get(lang, []) if playbook else [])]
    flagged = [w for w in jargon if w in text.lower()]
    findings.append(
        Finding(
            "jargon",
            not flagged,
            _("Jargon or blame: %(words)s", words=", ".join(f"“{w}”" for w in flagged))
            if flagged
            else _("No jargon or blame"),
            _where(sections, lambda part: any(w in part.lower() for w in flagged)),
        )
    )
    findings.append(_language_finding(sections, lang, allowed))
    return findings


def _where(sections: dict[str, str], found) -> tuple[str, ...]:
    """Return the sections (in order) where `found(text)` finds something, so the page shows the
    finding beside them."""
    return tuple(name for name in SECTIONS if sections.get(name) and found(sections[name]))


def _language_finding(sections: dict[str, str], lang: str, allowed: tuple[str, ...]) -> Finding:
    """Fail when a sentence of the message is not in the message's language."""
    foreign = language.foreign_parts(join_sections(sections), lang, allowed)
    if not foreign:
        return Finding("language", True, _("Every sentence is in this language"))
    quoted = "; ".join(f"“{_shorten(part, 60)}”" for part in foreign[:3])
    return Finding(
        "language",
        False,
        _("Not in this language: %(parts)s: write it in this language", parts=quoted),
        _where(sections, lambda part: any(f in part for f in foreign[:3])),
    )


_CLOCK_TIME = re.compile(r"\d{1,2}\s?[:.]\s?\d{2}")  # 14:30, 2:30 PM, 14.30, ١٤:٣٠


def _next_update_finding(has_next_update: bool, section: str, promise: str | None) -> Finding:
    """Check that a time is set for the next update and that the message tells customers that time."""
    here = ("next_update",)
    if not has_next_update:
        return Finding(
            "next_update",
            False,
            _("No concrete next-update time: promise when customers hear from you next"),
            here,
        )
    if not _CLOCK_TIME.search(section):
        return Finding(
            "next_update",
            False,
            _(
                "%(section)s names no time: tell customers when (the {{ next_update_at }} "
                "placeholder writes it)",
                section=section_title("next_update"),
            ),
            here,
        )
    if promise and promise not in section:
        return Finding(
            "next_update",
            False,
            _(
                "%(section)s names a time other than the promise: it must say “%(promise)s” "
                "(Next update by)",
                section=section_title("next_update"),
                promise=promise,
            ),
            here,
        )
    return Finding("next_update", True, _("A concrete next-update time is promised"), here)


def _claims_findings(
    playbook: Playbook, lang: str, sections: dict[str, str], claims: dict[str, bindings.Claim]
) -> list[Finding]:
    """Fail on every sentence that states an action as done while its deadline or item is not done."""
    text = join_sections(sections)
    sources = [playbook.templates.get((stage, lang), "") for stage in playbook.stages]
    patterns = bindings.done_patterns(sources)
    if not patterns:
        return []
    false, where = [], set()
    for key, pattern, wording in patterns:
        claim = claims.get(key)
        if (claim is None or claim.state != "done") and pattern.search(text):
            name = (claim.label if claim and claim.label else key) or key
            false.append(
                _(
                    "“%(sentence)s” states as done what is not marked done (%(name)s)",
                    sentence=_shorten(wording),
                    name=name,
                )
            )
            where.update(_where(sections, pattern.search))
    if not false:
        return [Finding("claims", True, _("Every action stated as done is marked done"))]
    return [
        Finding(
            "claims",
            False,
            _(
                "%(problems)s: mark it done (Plan or After the crisis) or say what you will do",
                problems="; ".join(false),
            ),
            tuple(name for name in SECTIONS if name in where),
        )
    ]


def _shorten(text: str, limit: int = 70) -> str:
    """Cut a sentence for a message, at a word boundary."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


SECTION_TITLES = {
    "what_happened": _l("What happened"),
    "who_is_affected": _l("Who is affected"),
    "what_we_are_doing": _l("What we are doing"),
    "what_you_should_do": _l("What you should do"),
    "next_update": _l("When you will hear from us next"),
    "contact": _l("How to reach us"),
}


def section_title(section: str) -> str:
    """Name a section for people (in the reader's language)."""
    return str(SECTION_TITLES.get(section, section))
