"""Bound sentences: lines of a stage template whose wording depends on what the team has recorded.

A line that starts with `{planned:KEY}` or `{done:KEY}` reports an action tied to the playbook's
deadline or checklist item KEY (authority notified, customers e-mailed, passwords reset …). The message
keeps the `done` line only once the team has marked KEY done, the `planned` line until then (it may say
by when with `{{ due_at }}`, the item's due time), and neither when the item was skipped. Likewise
`{known:began_at}` and `{unknown:began_at}` choose by whether the incident's start is known. The
markers never reach a reader: they are removed before rendering.

A line may also start with `{if:VARIABLE=VALUE}` (a choice variable): it is kept only when the agent
chose that value, e.g. the advice for leaked passwords only when passwords leaked. Markers combine:
`{if:passwords_exposed=yes}{planned:reset_passwords} …`.

    {planned:authority} We will report the breach to the data protection authority by {{ due_at }}.
    {done:authority} We have reported the breach to the data protection authority.

The transparency check recognises every `done` wording of the playbook (placeholders match any value),
so a message that states an action as done while its item is open fails, however it got there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

MARKER = re.compile(
    r"\{(?:(planned|done|known|unknown):([a-z_][a-z0-9_]*)|if:([a-z_][a-z0-9_]*)=([^{}\s]+))\}[ \t]*"
)
BEGAN = "began_at"  # the one fact bound by known/unknown rather than planned/done
DUE = "due_at"  # a placeholder that exists only on a planned line: the item's due time
PAIR = {"planned": "done", "done": "planned", "known": "unknown", "unknown": "known"}
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_DUE_PLACEHOLDER = re.compile(r"\{\{\s*due_at\s*\}\}")
_SECTION_LINE = re.compile(r"^--- ([a-z_]+)\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MIN_WORDS = 3  # a done wording needs this many words of its own to be recognised in a text


@dataclass(frozen=True)
class Claim:
    """What the team has recorded about one deadline or checklist item of an incident."""

    state: str  # planned | done | skipped
    due_at: datetime | None = None
    label: str = ""  # the item's name, for the check's message


@dataclass(frozen=True)
class BoundLine:
    """One bound line of a template."""

    number: int  # line number in the template (1-based)
    section: str
    state: str  # planned | done | known | unknown, or "" for a line with conditions only
    key: str
    text: str  # the line without its markers
    conditions: tuple[tuple[str, str], ...] = ()  # (choice variable, value) that must hold


def parse_line(line: str) -> tuple[str, str, tuple[tuple[str, str], ...], str] | None:
    """Split a line's leading markers from its text: (state, key, conditions, text), or None."""
    state, key, conditions, position = "", "", [], 0
    while match := MARKER.match(line, position):
        if match.group(1):
            state, key = match.group(1), match.group(2)
        else:
            conditions.append((match.group(3), match.group(4)))
        position = match.end()
    return (state, key, tuple(conditions), line[position:]) if position else None


def due_name(key: str) -> str:
    """Name the context value that holds an item's due time."""
    return f"{DUE}__{key}"


def bound_lines(source: str) -> list[BoundLine]:
    """Return a template's bound lines with their section."""
    found, section = [], ""
    for number, line in enumerate(source.splitlines(), start=1):
        header = _SECTION_LINE.match(line)
        if header:
            section = header.group(1)
            continue
        parsed = parse_line(line)
        if parsed:
            state, key, conditions, text = parsed
            found.append(BoundLine(number, section, state, key, text, conditions))
    return found


def wanted(key: str, states: Mapping[str, str], began_known: bool) -> str | None:
    """Return the wording that is true now for a key (None: say nothing, the item was skipped)."""
    if key == BEGAN:
        return "known" if began_known else "unknown"
    state = states.get(key, "planned")
    return "done" if state == "done" else None if state == "skipped" else "planned"


def select(
    text: str,
    states: Mapping[str, str],
    began_known: bool,
    values: Mapping[str, str] | None = None,
) -> str:
    """Keep the true wording of each bound line, markers removed; `{{ due_at }}` names its item.

    `values` are the chosen values of choice variables, for `{if:…}` lines.
    """
    kept = []
    for line in text.splitlines():
        parsed = parse_line(line)
        if not parsed:
            kept.append(line)
            continue
        state, key, conditions, rest = parsed
        if any(_chosen((values or {}).get(name)) != value for name, value in conditions):
            continue
        if state and state != wanted(key, states, began_known):
            continue
        kept.append(_DUE_PLACEHOLDER.sub("{{ " + due_name(key) + " }}", rest) if key else rest)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _chosen(shown: object) -> object:
    """Return the value chosen behind a choice's label (messages.ChoiceText), or the value itself."""
    return getattr(shown, "value", shown)


def plain(source: str) -> str:
    """Return a template with its markers removed (for counting placeholders, not for readers)."""
    return "\n".join((parse_line(line) or ("", "", (), line))[3] for line in source.splitlines())


def condition_names(source: str) -> set[str]:
    """Return the choice variables a template's `{if:…}` lines depend on."""
    return {name for bound in bound_lines(source) for name, _ in bound.conditions}


def problems(source: str, playbook) -> list[tuple[int, str]]:
    """Check a template's bound lines against the playbook; return (line, problem) pairs."""
    deadlines = {d.key for d in playbook.deadlines}
    items = {i.key: i for i in playbook.checklist}
    found = []
    lines = bound_lines(source)
    for bound in lines:
        found += [(bound.number, p) for p in _condition_problems(bound, playbook)]
        if bound.state:
            found += [(bound.number, p) for p in _line_problems(bound, deadlines, items)]
    present = {(b.section, b.conditions, b.key, b.state) for b in lines}
    for bound in lines:
        if not bound.state:
            continue
        other = PAIR[bound.state]
        if (bound.section, bound.conditions, bound.key, other) not in present:
            found.append(
                (bound.number, f"{{{bound.state}:{bound.key}}} needs a {{{other}:{bound.key}}} "
                 "line in the same section")
            )  # fmt: skip
    bound_numbers = {b.number for b in lines if b.state}
    for number, line in enumerate(source.splitlines(), start=1):
        if number in bound_numbers:
            continue
        names = set(_PLACEHOLDER.findall(line))
        if DUE in names:
            found.append((number, "{{ due_at }} belongs on a {planned:…} line"))
        if BEGAN in names:
            found.append(
                (number, "{{ began_at }} may be unknown: use it on a {known:began_at} line")
            )
    return found


def _condition_problems(bound: BoundLine, playbook) -> list[str]:
    """Check a line's `{if:…}` conditions: a declared choice variable and one of its values."""
    result = []
    for name, value in bound.conditions:
        variable = playbook.variable(name)
        if variable is None or variable.type != "choice":
            result.append(f"{{if:{name}={value}}}: “{name}” is not a choice variable")
        elif value not in variable.choices:
            result.append(
                f"{{if:{name}={value}}}: “{value}” is not one of {', '.join(variable.choices)}"
            )
    return result


def _line_problems(bound: BoundLine, deadlines: set[str], items: dict) -> list[str]:
    """Check one bound line."""
    names = set(_PLACEHOLDER.findall(bound.text))
    where = f"{{{bound.state}:{bound.key}}}"
    if bound.key == BEGAN:
        if bound.state not in ("known", "unknown"):
            return [f"{where}: began_at is bound with known/unknown"]
        if BEGAN in names and bound.state == "unknown":
            return [
                f"{where}: the start is unknown on this line, so it cannot use {{{{ began_at }}}}"
            ]
        return [f"{where}: {{{{ due_at }}}} belongs on a planned line"] if DUE in names else []
    if bound.state not in ("planned", "done"):
        return [f"{where}: an action is bound with planned/done"]
    if bound.key in deadlines and bound.key in items:
        return [f"{where}: “{bound.key}” names both a deadline and a checklist item"]
    if bound.key not in deadlines and bound.key not in items:
        return [f"{where}: the playbook has no deadline or checklist item “{bound.key}”"]
    result = []
    if BEGAN in names:
        result.append(f"{where}: {{{{ began_at }}}} may be unknown; say the time on a known line")
    if DUE in names and bound.state == "done":
        result.append(f"{where}: a done line has no due time ({{{{ due_at }}}} is for planned)")
    if DUE in names and bound.key in items and items[bound.key].after != "opened":
        result.append(f"{where}: “{bound.key}” is due after the resolution, so its time is not "
                      "known yet: leave out {{ due_at }}")  # fmt: skip
    return result


def signature(source: str) -> set[tuple]:
    """Return which bound wordings a template has: (section, conditions, key, state)."""
    return {(b.section, b.conditions, b.key, b.state) for b in bound_lines(source)}


def describe(conditions: tuple[tuple[str, str], ...], key: str, state: str) -> str:
    """Write a bound line's markers back, for messages."""
    marks = "".join(f"{{if:{name}={value}}}" for name, value in conditions)
    return marks + (f"{{{state}:{key}}}" if state else "")


def done_patterns(templates: list[str]) -> list[tuple[str, re.Pattern, str]]:
    """Return (key, pattern, wording) for every done wording in these templates (placeholders match anything)."""
    patterns, seen = [], set()
    for source in templates:
        for bound in bound_lines(source):
            if bound.state != "done" or bound.key == BEGAN:
                continue
            text = _BULLET.sub("", bound.text).strip()
            literal = _PLACEHOLDER.sub(" ", text)
            if len(literal.split()) < _MIN_WORDS or (bound.key, text) in seen:
                continue
            seen.add((bound.key, text))
            parts = [
                r"\s+".join(re.escape(word) for word in chunk.split())
                for chunk in _PLACEHOLDER.split(text)[::2]
            ]
            pattern = r".+?".join(parts)  # a placeholder matches any value
            patterns.append((bound.key, re.compile(pattern, re.IGNORECASE | re.DOTALL), text))
    return patterns
