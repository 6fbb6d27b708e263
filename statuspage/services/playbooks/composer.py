"""Compose an incident's messages from its playbook, for every language the shop publishes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import Incident, Shop, utcnow
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.clock import as_utc, parse_local
from statuspage.services.incidents import lifecycle as incidents
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks.loader import Playbook
from statuspage.services.playbooks.messages import (
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
from statuspage.services.shop import contact_channels
from statuspage.vocabulary import FINAL


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
    needed = set().union(
        *(placeholders(playbook.templates.get((stage, lang), "")) for lang in langs)
    )
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
        "started_at": format_value(as_utc(facts.started_at), lang, tz),
        "link": facts.link,
    }
    if facts.next_update_at is not None:
        result["next_update_at"] = format_value(as_utc(facts.next_update_at), lang, tz)
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


class AlreadyPublished(ServiceError):
    """The composed incident exists already: show it instead of publishing it twice."""

    def __init__(self, incident: Incident) -> None:
        super().__init__("This incident was published already.")
        self.incident = incident


@dataclass
class ComposeStep:
    """One pass of the compose form: what the agent entered, the messages, and what the check says."""

    title: str
    impact: str
    stage: str
    langs: list[str]
    raw: dict[str, str]
    component_statuses: dict
    next_update_raw: str
    publish_anyway: bool
    public_id: str
    started_at: datetime | None = None  # the incident's start; None: a new incident, starting now
    display_at_raw: str = ""  # "publish at" in the shop's timezone; empty: now
    confirm_open_items: bool = False  # resolve although crisis checklist items are open
    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    previews: dict[str, str] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        """Tell whether this stage ends the incident (no next update is promised)."""
        return self.stage in FINAL


def fill_sections(step: ComposeStep, playbook: Playbook, shop: Shop, link: str) -> None:
    """Compose every language from the playbook, replacing what the sections held."""
    try:
        next_update_at = parse_local(
            step.next_update_raw, shop.timezone, what="The next update time"
        )
    except ServiceError as error:
        step.errors["next_update_at"] = str(error)
        next_update_at = None
    facts = Facts(
        title=step.title,
        components=[c.name for c in step.component_statuses],
        started_at=step.started_at or utcnow(),
        next_update_at=None if step.final else next_update_at,
        link=link,
    )
    composition = compose(playbook, step.stage, step.langs, step.raw, facts, shop)
    for name, error in composition.errors.items():
        step.errors.setdefault(name, error)
    if not composition.errors:
        step.sections = {lang: dict(m.sections) for lang, m in composition.messages.items()}


def review(step: ComposeStep, playbook: Playbook) -> None:
    """Render the previews and run the transparency check on what the sections hold now."""
    if step.sections:
        has_next = bool(step.next_update_raw) and "next_update_at" not in step.errors
        step.findings = check(playbook, step.stage, step.sections, has_next)
        step.previews = previews(step.sections)


def publish(
    step: ComposeStep, playbook: Playbook, incident: Incident | None, shop: Shop, user
) -> Incident:
    """Publish the composed messages as a new incident or as the incident's next update, now or later."""
    if not step.sections:
        raise ServiceError("Compose the messages first.")
    if incident is None:
        existing = db.session.scalar(select(Incident).where(Incident.public_id == step.public_id))
        if existing is not None:  # the form was sent twice (double click, Back then Publish)
            raise AlreadyPublished(existing)
    display_at = parse_local(step.display_at_raw, shop.timezone, what="The publication time")
    next_update_at = None
    if not step.final:
        next_update_at = parse_local(
            step.next_update_raw, shop.timezone, what="The next update time"
        )
        if display_at and next_update_at and next_update_at <= display_at:
            raise ServiceError("The next update must be promised for after the publication time.")
    review(step, playbook)
    failing = {
        lang: [f.message for f in findings if not f.ok] for lang, findings in step.findings.items()
    }
    failing = {lang: items for lang, items in failing.items() if items}
    if failing and not step.publish_anyway:
        raise ServiceError(
            "The transparency check found problems: fix them, or tick “Publish anyway”."
        )
    texts = {lang: join_sections(sections) for lang, sections in step.sections.items()}
    body = texts.pop(shop.default_language, None) or texts.pop(next(iter(texts)))
    if incident is None:
        incident = incidents.open_incident(
            title=step.title, impact=step.impact, status=step.stage, body=body, user=user,
            component_statuses=step.component_statuses, kind=playbook.kind, variables=step.raw,
            translations=texts, next_update_at=next_update_at, display_at=display_at,
        )  # fmt: skip
        incident.public_id = step.public_id  # reserved when composing, so {{ link }} is right
    elif step.final:
        incidents.resolve(
            incident, body=body, user=user, translations=texts, display_at=display_at,
            confirm_open_items=step.confirm_open_items,
        )  # fmt: skip
    else:
        incidents.post_update(
            incident, status=step.stage, body=body, user=user, translations=texts,
            component_statuses=step.component_statuses, next_update_at=next_update_at,
            display_at=display_at,
        )  # fmt: skip
    incident.variables = {**(incident.variables or {}), **step.raw}
    if failing:
        record(
            user, "incident.publish_despite_check", f"incident {incident.public_id}", None, failing
        )
    return incident
