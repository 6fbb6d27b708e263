"""Compose an incident's messages from its playbook, for every language the shop publishes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from statuspage.models import Incident, Shop
from statuspage.services import formats
from statuspage.services.clock import as_utc
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks import bindings, claims
from statuspage.services.playbooks.bindings import Claim
from statuspage.services.playbooks.loader import Playbook
from statuspage.services.playbooks.messages import (
    Composed,
    Finding,
    contact_line,
    format_value,
    format_variable,
    join_sections,
    official_line,
    parse_value,
    placeholders,
    render_template,
    transparency_check,
)
from statuspage.services.shop import contact_channels, official_senders


@dataclass
class Facts:
    """The built-in facts every message may use.

    `started_at` is kept for callers that know one time only: it stands for awareness when
    `became_aware_at` is not given. `claims` is what the team recorded (None: nothing done yet).
    """

    title: str
    components: list[str]
    started_at: datetime
    next_update_at: datetime | None
    link: str
    began_at: datetime | None = None
    became_aware_at: datetime | None = None
    claims: dict[str, Claim] | None = None
    title_translations: dict[str, str] | None = None  # the title in other languages

    @property
    def aware_at(self) -> datetime:
        """Return when the team became aware."""
        return self.became_aware_at or self.started_at


@dataclass
class Composition:
    """Parsed variables, their errors, and one composed message per language."""

    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    messages: dict[str, Composed] = field(default_factory=dict)


def parse_variables(
    playbook: Playbook, raw: dict[str, str], timezone: str, needed: set[str] | None = None
) -> Composition:
    """Parse the submitted variables by their types; a required one is needed only where it is used."""
    composition = Composition()
    for variable in playbook.variables:
        value, error = parse_value(variable, raw.get(variable.name), timezone)
        if error and value is None and needed is not None and variable.name not in needed:
            error = None if not (raw.get(variable.name) or "").strip() else error
        if error:
            composition.errors[variable.name] = error
        composition.values[variable.name] = value
    return composition


def compose(
    playbook: Playbook,
    stage: str,
    langs: list[str],
    raw: dict[str, str],
    facts: Facts,
    shop: Shop,
) -> Composition:
    """Compose the stage's message in each language; nothing is composed while a value is wrong."""
    needed = set().union(
        *(placeholders(playbook.templates.get((stage, lang), "")) for lang in langs)
    )
    composition = parse_variables(playbook, raw, shop.timezone, needed)
    composition.errors.update(missing_translations(playbook, stage, langs, raw, shop))
    if composition.errors:
        return composition
    for lang in langs:
        source = playbook.templates.get((stage, lang)) or playbook.templates.get((stage, "en"), "")
        values = {**composition.values, **_per_language_texts(playbook, raw, lang)}
        found = _claims(playbook, facts, lang)
        composed = render_template(
            source,
            context(values, lang, facts, shop, found, playbook=playbook),
            claims.states(found),
        )
        composition.messages[lang] = composed
        for name, error in composed.errors.items():
            composition.errors.setdefault(name, error)
    return composition


def missing_translations(
    playbook: Playbook, stage: str, langs: list[str], raw: dict[str, str], shop: Shop
) -> dict[str, str]:
    """Ask for each free-text value a language other than the default needs and nobody wrote.

    The shared value is written in the shop's default language; a Polish message never borrows it
    (no silent English). Names that read the same everywhere (`translate: false`) are typed once.
    Errors are keyed `name.lang`, as the form names the per-language fields.
    """
    errors, ui = {}, str(get_locale() or "en")
    for lang in langs:
        if lang == (shop.default_language or "en"):
            continue
        used = placeholders(playbook.templates.get((stage, lang), ""))
        for variable in playbook.variables:
            if not variable.per_language or variable.name not in used:
                continue
            if (raw.get(variable.name) or "").strip() and not _written_in(raw, variable.name, lang):
                errors[f"{variable.name}.{lang}"] = _(
                    "Write “%(label)s” in this language too (%(language)s): the message must not "
                    "borrow the %(default)s text.",
                    label=playbook.in_lang(variable.label, ui),
                    language=formats.language_name(lang, ui),
                    default=formats.language_name(shop.default_language, ui),
                )
    return errors


def _written_in(raw: dict[str, str], name: str, lang: str) -> bool:
    """Tell whether a text variable was written for a language."""
    return bool((raw.get(f"{name}.{lang}") or "").strip())


def allowed_names(playbook: Playbook | None, raw: dict[str, str], shop: Shop) -> tuple[str, ...]:
    """Return what may stay the same in every language: the shop's name and the names typed once."""
    names = [shop.name]
    for variable in playbook.variables if playbook else []:
        if variable.type in ("url", "email") or (
            variable.type == "text" and not variable.translate
        ):
            names.append((raw.get(variable.name) or "").strip())
    return tuple(n for n in names if n)


def compose_with_blanks(
    playbook: Playbook, stage: str, langs: list[str], raw: dict[str, str], facts: Facts, shop: Shop
) -> tuple[dict[str, str], list[str]]:
    """Compose a stage in every language, leaving a visible [[blank]] for each value nobody gave yet.

    For drafts opened without a person (alerts): the text is complete except the blanks, which
    `publish_draft` refuses to publish. Returns the texts and the names of the variables left blank.
    """
    sources = {
        lang: playbook.templates.get((stage, lang)) or playbook.templates.get((stage, "en"), "")
        for lang in langs
    }
    needed = set().union(*(placeholders(source) for source in sources.values()))
    composition = parse_variables(playbook, raw, shop.timezone, needed)
    values = {k: v for k, v in composition.values.items() if k not in composition.errors}
    missing: set[str] = set()
    texts = {}
    for lang, source in sources.items():
        values_here = {**values, **_per_language_texts(playbook, raw, lang)}
        if lang != (shop.default_language or "en"):  # a shared text is never borrowed: a blank
            for variable in playbook.variables:
                if variable.per_language and not _written_in(raw, variable.name, lang):
                    values_here.pop(variable.name, None)
        found = _claims(playbook, facts, lang)
        known = context(values_here, lang, facts, shop, found, playbook=playbook)
        began_unknown = "began_at" not in known
        for name in placeholders(bindings.plain(source)) - set(known):
            if name == bindings.BEGAN and began_unknown:
                continue  # only on {known:began_at} lines, which are left out
            variable = playbook.variable(name)
            known[name] = f"[[{playbook.in_lang(variable.label, lang) if variable else name}]]"
            missing.add(name)
        texts[lang] = render_template(source, known, claims.states(found)).text
    return texts, sorted(missing)


def _per_language_texts(playbook: Playbook, raw: dict[str, str], lang: str) -> dict[str, str]:
    """Return text variables written for this language (`name.lang`), which win over the shared value."""
    return {
        v.name: raw[f"{v.name}.{lang}"].strip()
        for v in playbook.variables
        if v.type == "text" and (raw.get(f"{v.name}.{lang}") or "").strip()
    }


def _claims(playbook: Playbook, facts: Facts, lang: str) -> dict[str, Claim]:
    """Return what the team recorded, or everything still planned (a new incident)."""
    if facts.claims is not None:
        return facts.claims
    return claims.planned(playbook, facts.aware_at, lang)


def context(
    values: dict[str, object],
    lang: str,
    facts: Facts,
    shop: Shop,
    recorded: dict[str, Claim] | None = None,
    *,
    playbook: Playbook | None = None,
) -> dict[str, str]:
    """Build the template context for a language: built-ins plus the formatted variables.

    `began_at` is there only when the start is known; each claim's due time is there for the
    planned line that names it. With the playbook, a choice reads as its label in the language.
    Components are named in the language and joined as it joins lists ("A, B i C").
    """
    tz = shop.timezone
    aware = format_value(as_utc(facts.aware_at), lang, tz)
    title = (facts.title_translations or {}).get(lang) or facts.title
    result = {
        "shop_name": shop.name,
        "contact": contact_line(contact_channels(shop), lang),
        "official_channels": official_line(official_senders(shop), lang)
        or contact_line(contact_channels(shop), lang),
        "incident_title": title,
        "components": formats.list_text(_component_names(facts, lang, shop), lang),
        "became_aware_at": aware,
        "started_at": aware,
        "link": facts.link,
    }
    if facts.began_at is not None:
        result["began_at"] = format_value(as_utc(facts.began_at), lang, tz)
    if facts.next_update_at is not None:
        result["next_update_at"] = format_value(as_utc(facts.next_update_at), lang, tz)
    for key, claim in (recorded or {}).items():
        if claim.due_at is not None:
            result[bindings.due_name(key)] = format_value(as_utc(claim.due_at), lang, tz)
    variables = {v.name: v for v in playbook.variables} if playbook else {}
    result.update(
        {
            name: format_variable(variables.get(name), value, lang, tz)
            for name, value in values.items()
        }
    )
    return result


def _component_names(facts: Facts, lang: str, shop: Shop) -> list[str]:
    """Name the affected components in a language (names typed as text stay as they are)."""
    return [
        c.name_in(lang, shop.default_language).text if hasattr(c, "name_in") else str(c)
        for c in facts.components
    ]


def check(
    playbook: Playbook | None,
    stage: str,
    sections_by_lang: dict[str, dict[str, str]],
    has_next: bool,
    recorded: dict[str, Claim] | None = None,
    promises: dict[str, str] | None = None,
    allowed: tuple[str, ...] = (),
) -> dict[str, list[Finding]]:
    """Run the transparency check for every language (`promises`: the promised time per language;
    `allowed`: names that may stay the same in every language)."""
    return {
        lang: transparency_check(
            playbook,
            stage,
            lang,
            sections,
            has_next,
            claims=recorded,
            promise=(promises or {}).get(lang),
            allowed=allowed,
        )  # fmt: skip
        for lang, sections in sections_by_lang.items()
    }


def previews(sections_by_lang: dict[str, dict[str, str]]) -> dict[str, str]:
    """Render every language exactly as the public page will show it (sanitized HTML)."""
    return {lang: render_markdown(join_sections(s)) for lang, s in sections_by_lang.items()}


def facts_for(
    incident: Incident, next_update_at: datetime | None, link: str, playbook: Playbook | None = None
) -> Facts:
    """Gather the built-in facts of an existing incident (and, with its playbook, what is done)."""
    return Facts(
        title=incident.title,
        components=list(incident.components),
        started_at=incident.started_at,
        next_update_at=next_update_at,
        link=link,
        began_at=incident.began_at,
        became_aware_at=incident.aware_at,
        claims=claims.recorded(incident, playbook) if playbook is not None else None,
        title_translations=dict(incident.title_translations or {}),
    )
