"""The language linter: is a rendered message native in its language?

`playbooks check` renders every playbook × stage × language with the playbook's per-language example
values and asks, for each message:

- is every sentence in the message's language (no English value inside Polish text)?
- no doubled punctuation ("2026 г..", ",.", " ,")?
- no value left unformatted (ISO dates, "+0100" offsets, "1,234.5" in a comma-decimal language)?
- no choice printed as its raw value ("social media" in a Russian sentence) instead of its label?
- in a right-to-left language, every number and Latin run isolated (HTML and plain text)?
"""

from __future__ import annotations

import re

from statuspage.services import bidi
from statuspage.services.markup import render_markdown
from statuspage.services.playbooks import language
from statuspage.services.playbooks.loader import LANGUAGES, Playbook

_DOUBLED = [
    (re.compile(r"(?<![.…])\.\.(?!\.)"), "two full stops"),
    (re.compile(r"[,،;:]\s*[.,،;:!?؟]"), "punctuation doubled"),
    (re.compile(r"[^\S\n]+[,.;:!?،؟](?=\s|$)"), "a space before punctuation"),
]
_UNFORMATTED = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "an ISO date"),
    (re.compile(r"\d{2}:\d{2}:\d{2}"), "a time with seconds"),
    (re.compile(r"(?<![\d\s])[+-]\d{4}\b|\b\d{1,2}:\d{2}\s?[+-]\d{4}\b"), "a numeric UTC offset"),
    (re.compile(r"\bGMT[+-]\d"), "a GMT offset"),
]
_COMMA_DECIMAL = ("ru", "pl", "lv")
_DOT_DECIMAL = re.compile(r"\b\d{1,3}(?:,\d{3})+\.\d+\b")


def example_values(playbook: Playbook, langs: tuple[str, ...] = LANGUAGES) -> dict[str, str]:
    """Return the example values as the compose form would send them: shared, then per language."""
    raw = {v.name: v.example_in(langs[0]) for v in playbook.variables}
    for variable in playbook.variables:
        if variable.per_language:
            raw.update({f"{variable.name}.{lang}": variable.example_in(lang) for lang in langs})
    return raw


def problems(
    playbook: Playbook, stage: str, lang: str, text: str, allowed: tuple[str, ...]
) -> list[str]:
    """Return what keeps a rendered message from being native in its language."""
    found = [f"not in {lang}: “{part}”" for part in language.foreign_parts(text, lang, allowed)]
    for pattern, what in _DOUBLED:
        found += [f"{what}: “{_around(text, m)}”" for m in pattern.finditer(text)]
    for pattern, what in _UNFORMATTED:
        found += [f"unformatted value ({what}): “{m.group(0)}”" for m in pattern.finditer(text)]
    if lang in _COMMA_DECIMAL:
        found += [f"number not in {lang} form: “{m.group(0)}”" for m in _DOT_DECIMAL.finditer(text)]
    found += _raw_choices(playbook, stage, lang, text)
    if bidi.is_rtl(lang):
        runs = bidi.unisolated_runs(render_markdown(text, lang))
        runs += bidi.unisolated_runs(bidi.isolate_text(text, lang), html_input=False)
        found += [f"not isolated in right-to-left text: “{run}”" for run in runs]
    return found


def _raw_choices(playbook: Playbook, stage: str, lang: str, text: str) -> list[str]:
    """Find a choice printed as its raw value where the language has another label for it."""
    source = playbook.templates.get((stage, lang), "")
    found = []
    for variable in playbook.variables:
        if variable.type != "choice" or f"{{{{ {variable.name} }}}}" not in source:
            continue
        for value in variable.choices:
            label = variable.choice_label(value, lang)
            if label != value and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text):
                found.append(f"choice {variable.name} shown as “{value}”, not as “{label}”")
    return found


def _around(text: str, match: re.Match) -> str:
    """Return a little text around a match, for the message."""
    start, end = max(match.start() - 15, 0), min(match.end() + 15, len(text))
    return " ".join(text[start:end].split())
