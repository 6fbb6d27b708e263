"""Keep composed messages true after the facts move: a new promised time, an item ticked since.

Both work on the team's edited sections without discarding an edit: they replace only the exact text
the playbook wrote, and leave anything the team reworded to the transparency check.
"""

from __future__ import annotations

from datetime import datetime

from statuspage.services.clock import as_utc
from statuspage.services.playbooks import bindings
from statuspage.services.playbooks.loader import Playbook
from statuspage.services.playbooks.messages import format_value, render_snippet

Sections = dict[str, dict[str, str]]  # language → section → text


def move_promise(sections_by_lang: Sections, old: datetime, new: datetime, timezone: str) -> None:
    """Write the new promised time wherever the sections name the old one, in each language's format."""
    for lang, sections in sections_by_lang.items():
        before = format_value(as_utc(old), lang, timezone)
        after = format_value(as_utc(new), lang, timezone)
        for name, text in sections.items():
            sections[name] = text.replace(before, after)


def rebind(
    sections_by_lang: Sections,
    playbook: Playbook,
    stage: str,
    contexts: dict[str, tuple[dict[str, str], dict[str, str]]],
) -> None:
    """Swap each bound sentence the team left as written for the wording that is true now.

    Only forward: a promise whose item was done since becomes the done wording (or goes, when the
    item was skipped), and the start's wording follows whether it is known.

    `contexts` maps a language to its template context and the recorded states of its items.
    """
    for lang, sections in sections_by_lang.items():
        if lang not in contexts:
            continue
        known, states = contexts[lang]
        lines = bindings.bound_lines(playbook.templates.get((stage, lang)) or "")
        for bound in lines:
            if not bound.state:
                continue
            right = bindings.wanted(bound.key, states, "began_at" in known)
            if bound.state == right or bound.state == "done":
                continue  # a done claim is never rewritten silently: the check stops it instead
            wrong = render_line(bound, known)
            partner = next(
                (
                    b
                    for b in lines
                    if (b.key, b.section, b.conditions, b.state)
                    == (bound.key, bound.section, bound.conditions, right)
                ),
                None,
            )
            replacement = render_line(partner, known) if partner else ""
            text = sections.get(bound.section, "")
            if wrong and replacement is not None and wrong in text:
                sections[bound.section] = text.replace(wrong, replacement).strip()


def render_line(bound: bindings.BoundLine, known: dict[str, str]) -> str | None:
    """Render one bound line as the message would show it (None when a value is missing)."""
    source = f"{{{bound.state}:{bound.key}}} {bound.text}"
    if bound.key == bindings.BEGAN:  # known/unknown follow the context, not the states
        context = known if bound.state == "known" else _without_began(known)
        return render_snippet(source, context)
    return render_snippet(source, known, {bound.key: bound.state})


def _without_began(known: dict[str, str]) -> dict[str, str]:
    """Return a context in which the start is unknown."""
    return {k: v for k, v in known.items() if k != "began_at"}
