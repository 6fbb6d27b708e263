"""Compose an incident's messages from its playbook, for every language the shop publishes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..models import Incident, Shop
from .markup import render_markdown
from .messages import (
    Composed,
    Finding,
    contact_line,
    format_value,
    join_sections,
    parse_value,
    placeholders,
    render_template,
    transparency_check,
)
from .playbooks import Playbook
from .shop import contact_channels


@dataclass
class Facts:
    """The built-in facts every message may use."""

    title: str
    components: list[str]
    started_at: datetime
    next_update_at: datetime | None
    link: str


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
    needed = set().union(*(placeholders(playbook.templates.get((stage, l), "")) for l in langs))
    composition = parse_variables(playbook, raw, shop.timezone, needed)
    if composition.errors:
        return composition
    for lang in langs:
        source = playbook.templates.get((stage, lang)) or playbook.templates.get((stage, "en"), "")
        values = {**composition.values, **_per_language_texts(playbook, raw, lang)}
        composed = render_template(source, context(values, lang, facts, shop))
        composition.messages[lang] = composed
        for name, error in composed.errors.items():
            composition.errors.setdefault(name, error)
    return composition


def _per_language_texts(playbook: Playbook, raw: dict[str, str], lang: str) -> dict[str, str]:
    """Return text variables written for this language (`name.lang`), which win over the shared value."""
    return {
        v.name: raw[f"{v.name}.{lang}"].strip()
        for v in playbook.variables
        if v.type == "text" and (raw.get(f"{v.name}.{lang}") or "").strip()
    }


def context(values: dict[str, object], lang: str, facts: Facts, shop: Shop) -> dict[str, str]:
    """Build the template context for a language: built-ins plus the formatted variables."""
    tz = shop.timezone
    result = {
        "shop_name": shop.name,
        "contact": contact_line(contact_channels(shop), lang),
        "incident_title": facts.title,
        "components": ", ".join(facts.components),
        "started_at": format_value(_aware(facts.started_at), lang, tz),
        "link": facts.link,
    }
    if facts.next_update_at is not None:
        result["next_update_at"] = format_value(_aware(facts.next_update_at), lang, tz)
    result.update({name: format_value(value, lang, tz) for name, value in values.items()})
    return result


def check(
    playbook: Playbook | None,
    stage: str,
    sections_by_lang: dict[str, dict[str, str]],
    has_next: bool,
) -> dict[str, list[Finding]]:
    """Run the transparency check for every language."""
    return {
        lang: transparency_check(playbook, stage, lang, sections, has_next)
        for lang, sections in sections_by_lang.items()
    }


def previews(sections_by_lang: dict[str, dict[str, str]]) -> dict[str, str]:
    """Render every language exactly as the public page will show it (sanitized HTML)."""
    return {lang: render_markdown(join_sections(s)) for lang, s in sections_by_lang.items()}


def facts_for(incident: Incident, next_update_at: datetime | None, link: str) -> Facts:
    """Gather the built-in facts of an existing incident."""
    return Facts(
        title=incident.title,
        components=[c.name for c in incident.components],
        started_at=incident.started_at,
        next_update_at=next_update_at,
        link=link,
    )


def _aware(value: datetime) -> datetime:
    """Mark a stored naive UTC time as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
