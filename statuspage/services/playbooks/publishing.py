"""One step of the compose flow (the admin's form and the write API): fill the sections from the
playbook, review them, keep the promised time in the text, and publish once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from statuspage.extensions import db
from statuspage.models import Incident, IncidentUpdate, Shop, utcnow
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.clock import as_utc, parse_local
from statuspage.services.incidents import lifecycle as incidents
from statuspage.services.incidents.lifecycle import AlreadyPublished
from statuspage.services.links import incident_url
from statuspage.services.playbooks import claims, revision
from statuspage.services.playbooks.bindings import Claim
from statuspage.services.playbooks.composer import (
    Facts,
    _claims,
    _per_language_texts,
    allowed_names,
    check,
    compose,
    context,
    parse_variables,
    previews,
)
from statuspage.services.playbooks.loader import Playbook
from statuspage.services.playbooks.messages import (
    Finding,
    format_value,
    join_sections,
)
from statuspage.vocabulary import FINAL


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
    started_at: datetime | None = None  # the incident's opening; None: a new incident
    display_at_raw: str = ""  # "publish at" in the shop's timezone; empty: now
    confirm_open_items: bool = False  # resolve although crisis checklist items are open
    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    previews: dict[str, str] = field(default_factory=dict)
    began_at: datetime | None = None  # when the problem began; None: not known
    became_aware_at: datetime | None = None  # when the team learned of it; None: now
    claims: dict[str, Claim] | None = None  # what the team recorded (None: nothing yet)
    promised_raw: str = ""  # the next-update time the sections were written for
    notice: bool = False  # a notice, not an outage (from the playbook)
    title_translations: dict[str, str] = field(default_factory=dict)  # the title in other languages
    published: IncidentUpdate | None = None  # the update publish() made
    update_id: str = ""  # the id reserved for an existing incident's next update (sent twice: once)

    @property
    def final(self) -> bool:
        """Tell whether this stage ends the incident (no next update is promised)."""
        return self.stage in FINAL


def step_facts(step: ComposeStep, link: str, next_update_at: datetime | None) -> Facts:
    """Gather the facts a compose step's messages speak of."""
    return Facts(
        title_translations=step.title_translations or None,
        title=step.title,
        components=list(step.component_statuses),
        started_at=step.started_at or utcnow(),
        next_update_at=None if step.final else next_update_at,
        link=link,
        began_at=step.began_at,
        became_aware_at=step.became_aware_at,
        claims=step.claims,
    )


def fill_sections(step: ComposeStep, playbook: Playbook, shop: Shop, link: str) -> None:
    """Compose every language from the playbook, replacing what the sections held."""
    try:
        next_update_at = (
            None
            if step.final  # a final update promises nothing: an old time there is not an error
            else parse_local(step.next_update_raw, shop.timezone, what=_("The next update time"))
        )
    except ServiceError as error:
        step.errors["next_update_at"] = str(error)
        next_update_at = None
    facts = step_facts(step, link, next_update_at)
    composition = compose(playbook, step.stage, step.langs, step.raw, facts, shop)
    for name, error in composition.errors.items():
        step.errors.setdefault(name, error)
    if not composition.errors:
        step.sections = {lang: dict(m.sections) for lang, m in composition.messages.items()}
        step.promised_raw = step.next_update_raw


def review(step: ComposeStep, playbook: Playbook, shop: Shop | None = None) -> None:
    """Render the previews and run the transparency check on what the sections hold now."""
    if step.sections:
        has_next = bool(step.next_update_raw) and "next_update_at" not in step.errors
        promises = promise_texts(step, shop) if shop is not None else None
        recorded = step.claims
        if recorded is None:  # a new incident: nothing is done yet
            recorded = claims.planned(playbook, step.became_aware_at or utcnow())
        allowed = allowed_names(playbook, step.raw, shop) if shop is not None else ()
        step.findings = check(
            playbook, step.stage, step.sections, has_next, recorded, promises, allowed
        )
        step.previews = previews(step.sections)


def promise_texts(step: ComposeStep, shop: Shop) -> dict[str, str]:
    """Return the promised next-update time as each language's message writes it (none when final)."""
    promised = _parse_quietly(step.next_update_raw, shop.timezone)
    if step.final or promised is None:
        return {}
    return {lang: format_value(as_utc(promised), lang, shop.timezone) for lang in step.sections}


def follow_promise(step: ComposeStep, shop: Shop) -> None:
    """Rewrite the promised time in the sections when *Next update by* changed, keeping every edit.

    The sections were written for `promised_raw`; wherever they name that time (in each language's
    own format) they now name the new one. A time the team typed differently stays, and the check
    then says it differs from the promise.
    """
    old = _parse_quietly(step.promised_raw, shop.timezone)
    new = _parse_quietly(step.next_update_raw, shop.timezone)
    if step.sections and old is not None and new is not None and old != new:
        revision.move_promise(step.sections, old, new, shop.timezone)
    if new is not None:
        step.promised_raw = step.next_update_raw


def rebind(step: ComposeStep, playbook: Playbook, shop: Shop, link: str) -> None:
    """Make each bound sentence the team left as written say what is true now (ticked since, …)."""
    if not step.sections:
        return
    facts = step_facts(step, link, _parse_quietly(step.next_update_raw, shop.timezone))
    parsed = parse_variables(playbook, step.raw, shop.timezone)
    values = {k: v for k, v in parsed.values.items() if k not in parsed.errors}
    contexts = {}
    for lang in step.sections:
        found = _claims(playbook, facts, lang)
        here = {**values, **_per_language_texts(playbook, step.raw, lang)}
        contexts[lang] = (
            context(here, lang, facts, shop, found, playbook=playbook),
            claims.states(found),
        )
    revision.rebind(step.sections, playbook, step.stage, contexts)


def _parse_quietly(raw: str, timezone: str) -> datetime | None:
    """Parse a local time, or None when it is empty or wrong (errors are reported elsewhere)."""
    try:
        return parse_local(raw, timezone, future=False)
    except ServiceError:
        return None


def _time(raw: str, shop: Shop, name: str, what: str) -> datetime | None:
    """Parse a time typed in the shop's timezone; a refusal names its field, to be shown beside it."""
    try:
        return parse_local(raw, shop.timezone, what=what)
    except ServiceError as error:
        raise ServiceError(str(error), field=name) from None


def publish(
    step: ComposeStep, playbook: Playbook, incident: Incident | None, shop: Shop, user
) -> Incident:
    """Publish the composed messages as a new incident or as the incident's next update, now or later.

    Bound sentences are made true as of now and the promised time follows *Next update by*, then the
    transparency check runs once more. `step.published` is the update made.
    """
    if not step.sections:
        raise ServiceError(_("Compose the messages first."))
    if incident is None:
        existing = db.session.scalar(select(Incident).where(Incident.public_id == step.public_id))
        if existing is not None:  # the form was sent twice (double click, Back then Publish)
            raise AlreadyPublished(existing)
    display_at = _time(step.display_at_raw, shop, "display_at", _("The publication time"))
    next_update_at = None
    if not step.final:
        next_update_at = _time(
            step.next_update_raw, shop, "next_update_at", _("The next update time")
        )
        if display_at and next_update_at and next_update_at <= display_at:
            raise ServiceError(
                _("The next update must be promised for after the publication time."),
                field="next_update_at",
            )
    follow_promise(step, shop)
    rebind(step, playbook, shop, incident_link(step, incident))
    review(step, playbook, shop)
    failing = {
        lang: [f.message for f in findings if not f.ok] for lang, findings in step.findings.items()
    }
    failing = {lang: items for lang, items in failing.items() if items}
    if failing and not step.publish_anyway:
        raise ServiceError(
            _("The transparency check found problems: fix them, or tick “Publish anyway”.")
        )
    texts = {lang: join_sections(sections) for lang, sections in step.sections.items()}
    body = texts.pop(shop.default_language, None) or texts.pop(next(iter(texts)))
    if incident is None:
        incident = incidents.open_incident(
            title=step.title, impact=step.impact, status=step.stage, body=body, user=user,
            component_statuses=step.component_statuses, kind=playbook.kind, variables=step.raw,
            translations=texts, next_update_at=next_update_at, display_at=display_at,
            began_at=step.began_at, became_aware_at=step.became_aware_at, notice=step.notice,
            title_translations=titles_for(step, playbook, shop),
        )  # fmt: skip
        incident.public_id = step.public_id  # reserved when composing, so {{ link }} is right
        step.published = incident.updates[0]
    elif step.final:
        step.published = incidents.resolve(
            incident, body=body, user=user, translations=texts, display_at=display_at,
            confirm_open_items=step.confirm_open_items, public_id=step.update_id or None,
        )  # fmt: skip
    else:
        step.published = incidents.post_update(
            incident, status=step.stage, body=body, user=user, translations=texts,
            component_statuses=step.component_statuses, next_update_at=next_update_at,
            display_at=display_at, public_id=step.update_id or None,
        )  # fmt: skip
    incident.variables = {**(incident.variables or {}), **step.raw}
    if failing:
        record(
            user, "incident.publish_despite_check", f"incident {incident.public_id}", None, failing
        )
    return incident


def titles_for(step: ComposeStep, playbook: Playbook, shop: Shop) -> dict[str, str]:
    """Return the title in the other languages: as written, else the playbook's when the team kept
    the playbook's title (a title the team wrote itself is not guessed at)."""
    kept = step.title.strip() == playbook.in_lang(playbook.title, shop.default_language).strip()
    titles = {
        lang: playbook.in_lang(playbook.title, lang)
        for lang in step.langs
        if kept and lang != shop.default_language
    }
    return titles | {lang: t for lang, t in step.title_translations.items() if (t or "").strip()}


def incident_link(step: ComposeStep, incident: Incident | None) -> str:
    """Return the public link the messages carry."""
    return incident_url(incident.public_id if incident else step.public_id)
