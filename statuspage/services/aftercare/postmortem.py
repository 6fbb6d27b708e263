"""Postmortems: pre-filled from the incident and its playbook, drafted, previewed, published, edited.

The pre-filled draft marks what the team must write as [[blanks]]; nothing with a blank, a prompt
left as the template wrote it, a sentence broken by an empty value or a line cut off mid-word goes
public (`leftovers` names each place).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nh3
from flask import current_app
from flask_babel import force_locale, gettext
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from statuspage.extensions import db
from statuspage.models import Incident, User, utcnow
from statuspage.models.aftercare import Postmortem
from statuspage.services import ServiceError
from statuspage.services.aftercare.checklist import overdue_items, public_items
from statuspage.services.audit import record
from statuspage.services.clock import duration, localtime
from statuspage.services.incidents.lifecycle import post_update, snapshot
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks.messages import BLANK
from statuspage.services.shop import get_shop
from statuspage.vocabulary import RESOLVED, label

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def get(incident: Incident) -> Postmortem | None:
    """Return the incident's postmortem, if one was started."""
    return db.session.get(Postmortem, incident.id)


def _template(incident: Incident, lang: str) -> str:
    """Return the postmortem template for the incident's playbook and language (or the shared one)."""
    folder = Path(current_app.config["PLAYBOOKS_DIR"])
    candidates = [
        folder / (incident.kind or "-") / f"postmortem.{lang}.md",
        folder / f"postmortem.{lang}.md",
        folder / "postmortem.en.md",
    ]
    return next(
        (p.read_text(encoding="utf-8") for p in candidates if p.exists()),
        "# {{ title }}\n\n{{ timeline }}\n",
    )


def prefill(incident: Incident, lang: str = "en") -> str:
    """Write the first draft: times, timeline and components from the incident, headings and
    [[prompts]] from the template."""
    source = _template(incident, lang)
    updates = sorted(incident.updates, key=lambda u: u.display_at)
    timeline = "\n".join(
        f"- **{localtime(u.display_at)}** — {label(u.status, lang)}: {first_sentence(u.body)}"
        for u in updates
    )
    actions = "\n".join(f"- {e.text_in(lang)}" for e in public_items(incident)) or (
        "[[Say what you are doing to make it right for affected customers, or delete this "
        "section.]]"
    )
    context = {
        "title": incident.title,
        "began_at": localtime(incident.began_at) if incident.began_at else "",
        "became_aware_at": localtime(incident.aware_at),
        "started_at": localtime(incident.started_at),
        "resolved_at": localtime(incident.resolved_at) if incident.resolved_at else "—",
        "duration": duration(incident.started_at, incident.resolved_at),
        "components": ", ".join(c.name for c in incident.components),
        "impact": incident.impact,
        "updates": str(len(updates)),
        "timeline": timeline,
        "actions": actions,
    }
    try:
        return _env.from_string(source).render(context)
    except TemplateError as error:
        raise ServiceError(f"The postmortem template cannot be rendered: {error}") from None


def first_sentence(markdown: str, limit: int = 200) -> str:
    """Return an update's first sentence as plain text; a longer one is cut at a word, with "…"."""
    text = " ".join(html.unescape(nh3.clean(render_markdown(markdown), tags=set())).split())
    match = re.match(r"(.+?[.!?…։。؟])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > limit:
        return sentence[:limit].rsplit(" ", 1)[0].rstrip(",.;:—–- ") + "…"
    return sentence if sentence[-1:] in ".!?…։。؟" else sentence + "."


_BROKEN = (
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*[-—–]?\s*$"), "an empty list item"),
    (re.compile(r"\(\s*[,;]?\s*\)"), "empty brackets"),
    (re.compile(r"[,;]\s*[,;.]|\(\s*,|,\s*—"), "a sentence broken by a missing value"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "a template placeholder"),
    (re.compile(r"^\s*[-*]\s+\*\*[^*]+\*\*\s+—\s.*[\w,]$"), "a timeline line cut off mid-word"),
)


def leftovers(incident: Incident, body: str, lang: str = "en") -> list[str]:
    """Find template text left in a postmortem: blanks, untouched prompts, broken or cut-off lines.

    Each finding names its line and the heading it is under.
    """
    prompts = {p[2:-2].strip() for p in BLANK.findall(_template(incident, lang))}
    found, heading = [], "the beginning"
    for number, line in enumerate(body.splitlines(), start=1):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            continue
        where = f"line {number} (under “{heading}”)"
        for blank in BLANK.findall(line):
            found.append(f"{where}: the prompt {blank} is still to be written")
        bare = BLANK.sub("", line)
        for prompt in prompts:
            if prompt and prompt in bare:
                found.append(f"{where}: “{prompt}” is the template's prompt, not your text")
        found += [f"{where}: {what}" for pattern, what in _BROKEN if pattern.search(line)]
    return found


def _refuse_leftovers(incident: Incident, body: str) -> None:
    """Refuse to make template text public, naming each place."""
    found = leftovers(incident, body)
    if found:
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise ServiceError(f"The postmortem still has template text — {shown}.")


def save(incident: Incident, body: str, *, user: User | None) -> Postmortem:
    """Save the postmortem text (a draft, or a recorded edit of a published one, which goes public
    at once and so may not carry template text)."""
    body = _clean_body(body)
    if incident.status not in RESOLVED:
        raise ServiceError("Write the postmortem once the incident is resolved.")
    postmortem = get(incident) or Postmortem(incident_id=incident.id, body="", body_html="")
    if postmortem.published_at:
        _refuse_leftovers(incident, body)
    before = postmortem.body
    postmortem.body, postmortem.body_html, postmortem.author_id = (
        body,
        render_markdown(body),
        user and user.id,
    )
    if postmortem.published_at and before != body:
        postmortem.edited_at = utcnow()
        record(
            user,
            "postmortem.edit",
            f"incident {incident.public_id}",
            {"body": before},
            {"body": body},
        )
    db.session.add(postmortem)
    return postmortem


def preview(body: str) -> str:
    """Render an unsaved text as it would be published (sanitized), under the same limits as saving."""
    return render_markdown(_clean_body(body))


def publish(
    incident: Incident, link: str, *, user: User | None, confirm: bool = False
) -> Postmortem:
    """Publish the postmortem: the incident moves to postmortem and an update announces it."""
    postmortem = get(incident)
    if postmortem is None:
        raise ServiceError("Save a draft first.")
    if postmortem.published_at:
        raise ServiceError("This postmortem is already published.")
    _refuse_leftovers(incident, postmortem.body)
    overdue = overdue_items(incident)
    if overdue and not confirm:
        raise ServiceError(
            f"{len(overdue)} checklist item(s) are overdue. Tick “Publish anyway” to publish now."
        )
    before = snapshot(incident)
    postmortem.published_at = utcnow()
    body, translations = announcement(link)
    post_update(incident, status="postmortem", body=body, translations=translations, user=user)
    record(
        user,
        "postmortem.publish" + ("_despite_overdue" if overdue else ""),
        f"incident {incident.public_id}",
        before,
        snapshot(incident),
    )
    return postmortem


def _clean_body(body: str | None) -> str:
    """Validate a postmortem's text: not empty, not beyond what a page should carry."""
    body = (body or "").strip()
    if not body:
        raise ServiceError("The postmortem is empty.")
    if len(body) > 100_000:
        raise ServiceError("The postmortem is too long (100,000 characters at most).")
    return body


def announcement(link: str) -> tuple[str, dict[str, str]]:
    """Write the update announcing a postmortem: the default language's text and the other enabled ones'.

    The words come from the message catalogs, so readers get them in their own language like the rest
    of the page; the admin's request stays in English (the locale is forced per language).
    """
    shop = get_shop()
    texts = {lang: _announcement_in(lang, link) for lang in shop.language_list}
    return texts.pop(shop.default_language), texts


def _announcement_in(lang: str, link: str) -> str:
    """Render the announcement in one language, the link kept out of the translated words."""
    with force_locale(lang):
        said = gettext(
            "We have published a postmortem: what happened, why, and what we are changing."
        )
        read = gettext("Read it")
    return f"{said} [{read}]({link}#postmortem)."
