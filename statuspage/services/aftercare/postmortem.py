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
from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import force_locale, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from statuspage.extensions import db
from statuspage.models import Incident, User, utcnow
from statuspage.models.aftercare import Postmortem
from statuspage.services import ServiceError, formats
from statuspage.services.aftercare.checklist import overdue_items, public_items
from statuspage.services.audit import record
from statuspage.services.clock import duration
from statuspage.services.incidents.lifecycle import post_update, snapshot
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks.language import foreign_parts
from statuspage.services.playbooks.messages import BLANK
from statuspage.services.shop import get_shop
from statuspage.vocabulary import RESOLVED, label

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def get(incident: Incident) -> Postmortem | None:
    """Return the incident's postmortem, if one was started."""
    return db.session.get(Postmortem, incident.id)


def _template(incident: Incident, lang: str | None = None) -> str:
    """Return the postmortem template for the incident's playbook and the language the postmortem is
    written in (the shop's default language unless told): the playbook's own, else the shared one in
    that language, else the English one."""
    lang = lang or get_shop().default_language
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


def prefill(incident: Incident, lang: str | None = None) -> str:
    """Write the first draft in a language (the shop's default one unless told): times, timeline,
    title and components from the incident in that language, headings and [[prompts]] from the
    template written in it."""
    shop = get_shop()
    lang = lang or shop.default_language
    source = _template(incident, lang)
    updates = sorted(incident.updates, key=lambda u: u.display_at)

    def when(value, short: bool = False) -> str:
        return formats.datetime_text(value, lang, shop.timezone, short=short) if value else ""

    timeline = "\n".join(
        f"- **{when(u.display_at, short=True)}** — {label(u.status, lang)}: "
        f"{first_sentence(u.body_for(lang))}"
        for u in updates
    )
    # No public items: the template asks for the section or says to delete it ({% if actions %}).
    actions = "\n".join(f"- {e.text_in(lang)}" for e in public_items(incident))
    names = [c.name_in(lang, shop.default_language).text for c in incident.components]
    with force_locale(lang):
        spent = duration(incident.started_at, incident.resolved_at)
    context = {
        "title": incident.title_in(lang, shop.default_language).text,
        "began_at": when(incident.began_at),
        "became_aware_at": when(incident.aware_at),
        "started_at": when(incident.started_at),
        "resolved_at": when(incident.resolved_at) or "—",
        "duration": spent,
        "components": formats.list_text(names, lang),
        "impact": incident.impact,
        "updates": str(len(updates)),
        "timeline": timeline,
        "actions": actions,
    }
    try:
        return _env.from_string(source).render(context)
    except TemplateError as error:
        raise ServiceError(
            gettext("The postmortem template cannot be rendered: %(error)s", error=error)
        ) from None


def first_sentence(markdown: str, limit: int = 200) -> str:
    """Return an update's first sentence as plain text; a longer one is cut at a word, with "…"."""
    text = " ".join(html.unescape(nh3.clean(render_markdown(markdown), tags=set())).split())
    match = re.match(r"(.+?[.!?…։。؟])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > limit:
        return sentence[:limit].rsplit(" ", 1)[0].rstrip(",.;:—–- ") + "…"
    return sentence if sentence[-1:] in ".!?…։。؟" else sentence + "."


_BROKEN = (
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*[-—–]?\s*$"), _l("an empty list item")),
    (re.compile(r"\(\s*[,;]?\s*\)"), _l("empty brackets")),
    (re.compile(r"[,;]\s*[,;.]|\(\s*,|,\s*—"), _l("a sentence broken by a missing value")),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), _l("a template placeholder")),
    (re.compile(r"^\s*[-*]\s+\*\*[^*]+\*\*\s+—\s.*[\w,]$"), _l("a timeline line cut off mid-word")),
)


def leftovers(incident: Incident, body: str, lang: str | None = None) -> list[str]:
    """Find template text left in a postmortem: blanks, untouched prompts, broken or cut-off lines.

    Each finding names its line and the heading it is under.
    """
    prompts = {p[2:-2].strip() for p in BLANK.findall(_template(incident, lang))}
    found, heading = [], gettext("the beginning")
    for number, line in enumerate(body.splitlines(), start=1):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            continue
        where = gettext("line %(number)s (under “%(heading)s”)", number=number, heading=heading)
        for blank in BLANK.findall(line):
            found.append(
                gettext("%(where)s: the prompt %(prompt)s is still to be written", where=where,
                        prompt=blank)
            )  # fmt: skip
        bare = BLANK.sub("", line)
        for prompt in prompts:
            if prompt and prompt in bare:
                found.append(
                    gettext("%(where)s: “%(prompt)s” is the template's prompt, not your text",
                            where=where, prompt=prompt)
                )  # fmt: skip
        found += [f"{where}: {what}" for pattern, what in _BROKEN if pattern.search(line)]
    return found


def _refuse_leftovers(incident: Incident, body: str) -> None:
    """Refuse to make template text public, naming each place."""
    found = leftovers(incident, body)
    if found:
        raise ServiceError(
            gettext(
                "The postmortem still has template text — %(problems)s.", problems=_listed(found)
            ),
            field="body",
        )


def _listed(found: list[str]) -> str:
    """Return the first five problems found, and how many more there are."""
    shown = "; ".join(found[:5])
    if len(found) <= 5:
        return shown
    return gettext("%(problems)s; and %(count)s more", problems=shown, count=len(found) - 5)


def refuse_in_translation(incident: Incident, lang: str, body: str) -> None:
    """Refuse to make a translation public with template text or sentences in another language."""
    found = leftovers(incident, body, lang) + [
        gettext("“%(sentence)s” is not in this language", sentence=sentence[:80])
        for sentence in foreign_parts(body, lang, _names(incident))
    ]
    if found:
        raise ServiceError(
            gettext("The postmortem in %(language)s is not ready — %(problems)s.",
                    language=_language_name(lang), problems=_listed(found))
        )  # fmt: skip


def _names(incident: Incident) -> tuple[str, ...]:
    """Return what reads the same in every language: the shop's name and contacts, the components."""
    shop = get_shop()
    return tuple(
        n for n in (shop.name, shop.contact_email, shop.contact_phone,
                    *(c.name for c in incident.components)) if n
    )  # fmt: skip


def _language_name(lang: str) -> str:
    """Name a language in the words of the person reading ("polski", "Polish")."""
    try:
        return Locale.parse(lang).get_display_name(str(get_locale() or "en")) or lang
    except (ValueError, UnknownLocaleError):
        return lang


def save(incident: Incident, body: str, *, user: User | None) -> Postmortem:
    """Save the postmortem text (a draft, or a recorded edit of a published one, which goes public
    at once and so may not carry template text)."""
    body = _clean_body(body)
    if incident.status not in RESOLVED:
        raise ServiceError(gettext("Write the postmortem once the incident is resolved."))
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


def preview(body: str, lang: str | None = None) -> str:
    """Render an unsaved text as it would be published (sanitized), under the same limits as saving."""
    return render_markdown(_clean_body(body), lang)


def publish(
    incident: Incident, link: str, *, user: User | None, confirm: bool = False
) -> Postmortem:
    """Publish the postmortem: the incident moves to postmortem and an update announces it."""
    postmortem = get(incident)
    if postmortem is None:
        raise ServiceError(gettext("Save a draft first."))
    if postmortem.published_at:
        raise ServiceError(gettext("This postmortem is already published."))
    _refuse_leftovers(incident, postmortem.body)
    for lang, text in (postmortem.translations or {}).items():
        refuse_in_translation(incident, lang, text.get("body", ""))
    overdue = overdue_items(incident)
    if overdue and not confirm:
        raise ServiceError(
            ngettext(
                "%(num)d checklist item is overdue. Tick “Publish anyway” to publish now.",
                "%(num)d checklist items are overdue. Tick “Publish anyway” to publish now.",
                len(overdue),
            ),
            field="confirm",
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
        raise ServiceError(gettext("The postmortem is empty."), field="body")
    if len(body) > 100_000:
        raise ServiceError(
            gettext("The postmortem is too long (100,000 characters at most)."), field="body"
        )
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
