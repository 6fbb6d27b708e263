"""Playbooks as data: load incidents/<kind>/playbook.yaml and its templates, validate, apply overrides.

A broken playbook never takes the app down: loading collects problems (file, line, message) and
keeps the playbooks that are sound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import yaml
from flask import current_app

from statuspage.vocabulary import IMPACTS, update_statuses

LANGUAGES = ("en", "ru", "pl", "lv", "ar")
SECTIONS = (
    "what_happened",
    "who_is_affected",
    "what_we_are_doing",
    "what_you_should_do",
    "next_update",
    "contact",
)
VARIABLE_TYPES = ("text", "number", "date", "datetime", "money", "url", "email", "choice")
DEFAULT_MAX_WORDS = 250  # words a message may have when the playbook does not say
CATEGORIES = (
    "own_it",
    "make_it_right",
    "fix_the_cause",
    "prevent_recurrence",
    "listen_and_follow_up",
)
BUILTINS = (
    "shop_name",
    "contact",
    "incident_title",
    "components",
    "started_at",  # the old name of became_aware_at (owners' edits may still use it)
    "began_at",  # when the problem began; may be unknown, so only on {known:began_at} lines
    "became_aware_at",
    "official_channels",  # the addresses and accounts the shop really writes from
    "next_update_at",
    "link",
    "due_at",  # a {planned:…} line's item or deadline due time
)
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_SECTION_LINE = re.compile(r"^--- ([a-z_]+)\s*$")
# A bare source number at the end of a reason ("… stops the harm (001).") explains nothing to the
# team or to customers: it is dropped when the playbook is read (incidents/README.md).
_SOURCE_CODE = re.compile(r"\s*\(\d{3}\)(?=\W*$)")


@dataclass(frozen=True)
class Variable:
    """A fact the agent fills in (carrier, new delivery date …)."""

    name: str
    type: str
    required: bool
    label: dict[str, str]
    help: dict[str, str]
    example: str
    choices: tuple[str, ...] = ()
    # A choice's label per language ({"yes": {"en": "yes", "pl": "tak", …}}): what readers see.
    choice_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # The example per language (text variables; others: the one `example` for every language).
    examples: dict[str, str] = field(default_factory=dict)
    # False: the same in every language (a brand, a domain), so it is typed once.
    translate: bool = True

    def example_in(self, lang: str) -> str:
        """Return the example value a message in this language would use."""
        return self.examples.get(lang) or self.example

    def choice_label(self, value: str, lang: str) -> str:
        """Return how a choice reads in a language (the value itself when it has no label)."""
        labels = self.choice_labels.get(value) or {}
        return labels.get(lang) or labels.get("en") or value

    @property
    def per_language(self) -> bool:
        """Tell whether the value is written in each language (free text that is not a name)."""
        return self.type == "text" and self.translate


@dataclass(frozen=True)
class Deadline:
    """A legal or promised deadline, counted from the incident's start."""

    key: str
    hours: int
    label: dict[str, str]
    help: dict[str, str]


@dataclass(frozen=True)
class ChecklistItem:
    """A trust-rebuilding action for after (or during) the incident."""

    key: str
    category: str
    text: dict[str, str]
    why: dict[str, str]
    after: str
    hours: int
    public: bool


@dataclass
class Playbook:
    """The prepared plan for one kind of crisis."""

    kind: str
    title: dict[str, str]
    description: dict[str, str]
    impact: str
    maintenance: bool
    components: list[str]
    stages: list[str]
    final_stages: list[str]
    max_words: dict[str, int]  # stage → the longest message it calls for, in words
    variables: list[Variable]
    cadence: dict[str, int]
    deadlines: list[Deadline]
    guidance: dict[str, dict[str, list[str]]]
    jargon: dict[str, list[str]]
    checklist: list[ChecklistItem]
    # (stage, lang) → the template source; sections are split by messages.split_sections
    templates: dict[tuple[str, str], str] = field(default_factory=dict)
    overridden: set[tuple[str, str]] = field(default_factory=set)
    # A notice, not an outage (data breach, phishing, recall): the page speaks of an important
    # notice and components keep their status unless the team changes them.
    notice: bool = False

    def in_lang(self, texts: dict[str, str], lang: str) -> str:
        """Pick a translated text, falling back to English."""
        return texts.get(lang) or texts.get("en") or ""

    def variable(self, name: str) -> Variable | None:
        """Find a declared variable by name."""
        return next((v for v in self.variables if v.name == name), None)


@dataclass(frozen=True)
class Problem:
    """Something wrong in a playbook file, located precisely."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class PlaybookInvalid(ValueError):
    """A playbook (or an edit of one) breaks the rules; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_cache: dict[str, tuple[float, dict[str, Playbook], list[Problem]]] = {}


def load_directory(directory: str | Path) -> tuple[dict[str, Playbook], list[Problem]]:
    """Load every playbook in a folder; return the sound ones and the problems found."""
    root = Path(directory)
    playbooks: dict[str, Playbook] = {}
    problems: list[Problem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if not (folder / "playbook.yaml").exists():
            continue
        try:
            playbooks[folder.name] = load_playbook(folder)
        except PlaybookInvalid as invalid:
            problems.extend(invalid.problems)
    return playbooks, problems


def load_playbook(folder: Path) -> Playbook:
    """Load and validate one playbook folder (raise PlaybookInvalid with every problem)."""
    path = folder / "playbook.yaml"
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", -1) + 1
        raise PlaybookInvalid([Problem(str(path), line, f"cannot read: {error}")]) from None
    lines = _line_index(node)
    checker = _Checker(str(path), lines)
    playbook = checker.playbook(folder.name, data)
    if playbook is not None:
        for stage in playbook.stages:
            for lang in LANGUAGES:
                file = folder / f"{stage}.{lang}.md"
                try:
                    playbook.templates[(stage, lang)] = file.read_text(encoding="utf-8")
                except FileNotFoundError:
                    checker.problem((), f"missing template {file.name}")
                except (OSError, UnicodeDecodeError) as error:
                    checker.problem((), f"cannot read template {file.name}: {error}")
    if checker.problems:
        raise PlaybookInvalid(checker.problems)
    return playbook


def file_playbooks() -> tuple[dict[str, Playbook], list[Problem]]:
    """Return the playbooks from files, cached until a file in the folder changes."""
    directory = current_app.config["PLAYBOOKS_DIR"]
    root = Path(directory)
    stamp = max((p.stat().st_mtime for p in root.rglob("*") if p.is_file()), default=0.0)
    cached = _cache.get(directory)
    if cached is None or cached[0] != stamp:
        playbooks, problems = load_directory(root)
        for problem in problems:
            current_app.logger.warning("playbook problem: %s", problem)
        cached = _cache[directory] = (stamp, playbooks, problems)
    return cached[1], cached[2]


def _line_index(node, path=()) -> dict[tuple, int]:
    """Map every key path in a YAML document to its line number (1-based)."""
    index = {path: node.start_mark.line + 1} if node is not None else {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            index.update(_line_index(value, (*path, key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            index.update(_line_index(item, (*path, number)))
    return index


def _text(value) -> str:
    """Turn a YAML scalar into text (PyYAML reads 2026-12-24 as a date)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


class _Checker:
    """Validate a playbook.yaml document, collecting problems with their lines."""

    def __init__(self, path: str, lines: dict[tuple, int]):
        self.path, self.lines, self.problems = path, lines, []

    def problem(self, where: tuple, message: str) -> None:
        """Record a problem at the closest known line."""
        while where and where not in self.lines:
            where = where[:-1]
        self.problems.append(Problem(self.path, self.lines.get(where, 1), message))

    def translations(self, data: dict, key: str, where: tuple = ()) -> dict[str, str]:
        """Read a {lang: text} mapping that must hold every language."""
        value = data.get(key)
        if not isinstance(value, dict):
            self.problem(
                (*where, key), f"{key}: expected a text per language ({', '.join(LANGUAGES)})"
            )
            return {}
        for lang in LANGUAGES:
            if not str(value.get(lang) or "").strip():
                self.problem((*where, key), f"{key}: missing the {lang} text")
        return {lang: str(value.get(lang) or "") for lang in LANGUAGES}

    def lists_per_language(self, data: dict, key: str, where: tuple) -> dict[str, list[str]]:
        """Read a {lang: [texts]} mapping that must hold every language."""
        value = data.get(key)
        if not isinstance(value, dict):
            self.problem((*where, key), f"{key}: expected a list per language")
            return {}
        result = {}
        for lang in LANGUAGES:
            items = value.get(lang)
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                self.problem((*where, key), f"{key}: expected a list of texts for {lang}")
                items = []
            result[lang] = [str(i) for i in items]
        return result

    def playbook(self, kind: str, data) -> Playbook | None:
        """Check the whole document and build the playbook."""
        if not isinstance(data, dict):
            self.problem((), "the file must be a mapping of keys")
            return None
        maintenance = bool(data.get("maintenance", False))
        allowed_stages = update_statuses(maintenance)
        stages = [str(s) for s in data.get("stages") or []]
        if not stages or any(s not in allowed_stages for s in stages):
            self.problem(("stages",), f"stages: expected some of {', '.join(allowed_stages)}")
        finals = [str(s) for s in data.get("final_stages") or []]
        if not finals or any(s not in stages for s in finals):
            self.problem(("final_stages",), "final_stages: expected one or more of the stages")
        impact = str(data.get("impact", ""))
        if impact not in (("maintenance",) if maintenance else IMPACTS):
            self.problem(("impact",), f"impact: “{impact}” is not allowed here")
        max_words = self.max_words(data.get("max_words", DEFAULT_MAX_WORDS), stages)
        notice = data.get("notice", False)
        if not isinstance(notice, bool) or (notice and maintenance):
            self.problem(("notice",), "notice: true or false (and not on a maintenance playbook)")
        return Playbook(
            kind=kind,
            title=self.translations(data, "title"),
            description=self.translations(data, "description"),
            impact=impact,
            maintenance=maintenance,
            components=[str(c) for c in data.get("components") or []],
            stages=stages,
            final_stages=finals,
            max_words=max_words,
            variables=self.variables(data.get("variables") or []),
            cadence=self.cadence(data.get("cadence") or {}, stages, finals),
            deadlines=self.deadlines(data.get("deadlines") or []),
            guidance={
                part: self.lists_per_language(data.get("guidance") or {}, part, ("guidance",))
                for part in ("do", "dont")
            },
            jargon=self.lists_per_language(data, "jargon", ()),
            checklist=self.checklist(data.get("checklist") or []),
            notice=notice is True,
        )

    def variables(self, items) -> list[Variable]:
        """Check the declared variables."""
        result, seen = [], set()
        for n, item in enumerate(items if isinstance(items, list) else []):
            where = ("variables", n)
            name = str(item.get("name", ""))
            if not _NAME.match(name) or name in BUILTINS or name in seen:
                self.problem(where, f"variable name “{name}” is invalid, built in or repeated")
            seen.add(name)
            kind = str(item.get("type", ""))
            if kind not in VARIABLE_TYPES:
                self.problem((*where, "type"), f"variable {name}: unknown type “{kind}”")
            choices, labels = self.choices(item.get("choices"), name, where)
            if kind == "choice" and not choices:
                self.problem(where, f"variable {name}: a choice needs choices")
            examples = self.examples(item.get("example"), name, kind, where)
            translate = item.get("translate", True)
            if not isinstance(translate, bool) or (translate is False and kind != "text"):
                self.problem(where, f"variable {name}: translate: false is for text variables")
            result.append(
                Variable(
                    name=name,
                    type=kind,
                    required=bool(item.get("required", False)),
                    label=self.translations(item, "label", where),
                    help=self.translations(item, "help", where),
                    example=examples.get("en", ""),
                    choices=choices,
                    choice_labels=labels,
                    examples=examples,
                    translate=translate is not False,
                )
            )
        return result

    def choices(self, raw, name: str, where: tuple) -> tuple[tuple[str, ...], dict]:
        """Read a choice's values and their label per language: {value: {en: …, ru: …, …}}."""
        if raw is None:
            return (), {}
        if not isinstance(raw, dict):
            self.problem(
                (*where, "choices"),
                f"variable {name}: choices need a label per "
                "language, e.g. {yes: {en: yes, ru: да, pl: tak, lv: jā, ar: نعم}}",
            )
            return tuple(str(c) for c in raw if c is not None) if isinstance(raw, list) else (), {}
        labels = {}
        for value in raw:
            labels[str(value)] = self.translations(raw, value, (*where, "choices"))
        return tuple(labels), labels

    def examples(self, raw, name: str, kind: str, where: tuple) -> dict[str, str]:
        """Read an example: one value, or (text variables) one per language."""
        if isinstance(raw, dict):
            if kind != "text":
                self.problem(
                    (*where, "example"),
                    f"variable {name}: only a text example is written per language",
                )
            return self.translations({"example": raw}, "example", where)
        example = _text(raw)
        if not example:
            self.problem(where, f"variable {name}: needs an example value")
        return dict.fromkeys(LANGUAGES, example)

    def max_words(self, raw: object, stages: list[str]) -> dict[str, int]:
        """Read max_words: one number for every stage, or a number per stage (others: the default)."""
        per_stage = raw if isinstance(raw, dict) else dict.fromkeys(stages, raw)
        limits = dict.fromkeys(stages, DEFAULT_MAX_WORDS)
        for stage, limit in per_stage.items():
            if stage not in stages:
                self.problem(("max_words",), f"max_words: “{stage}” is not one of the stages")
            elif isinstance(limit, bool) or not isinstance(limit, int) or limit < 20:
                self.problem(("max_words",), "max_words: expected a whole number of at least 20")
            else:
                limits[stage] = limit
        return limits

    def cadence(self, cadence, stages: list[str], finals: list[str]) -> dict[str, int]:
        """Check the update cadence: minutes per non-final stage."""
        result = {}
        for stage in stages:
            if stage in finals:
                continue
            minutes = cadence.get(stage) if isinstance(cadence, dict) else None
            if not isinstance(minutes, int) or minutes <= 0:
                self.problem(("cadence",), f"cadence: {stage} needs a positive number of minutes")
                continue
            result[stage] = minutes
        return result

    def deadlines(self, items) -> list[Deadline]:
        """Check the deadlines."""
        result = []
        for n, item in enumerate(items if isinstance(items, list) else []):
            where = ("deadlines", n)
            hours = item.get("hours")
            if not isinstance(hours, int) or hours <= 0:
                self.problem(where, "deadline: hours must be a positive whole number")
                hours = 0
            result.append(
                Deadline(
                    key=str(item.get("key", "")),
                    hours=hours,
                    label=self.translations(item, "label", where),
                    help=self.translations(item, "help", where),
                )
            )
        return result

    def checklist(self, items) -> list[ChecklistItem]:
        """Check the trust-rebuilding checklist."""
        result = []
        for n, item in enumerate(items if isinstance(items, list) else []):
            where = ("checklist", n)
            category = str(item.get("category", ""))
            if category not in CATEGORIES:
                self.problem(where, f"checklist: unknown category “{category}”")
            due = item.get("due") if isinstance(item.get("due"), dict) else {}
            after, hours = str(due.get("after", "")), due.get("hours")
            if after not in ("opened", "resolved") or not isinstance(hours, int) or hours < 0:
                self.problem(where, "checklist: due needs after: opened|resolved and hours ≥ 0")
                hours = 0
            result.append(
                ChecklistItem(
                    key=str(item.get("key", "")),
                    category=category,
                    text=self.translations(item, "text", where),
                    why={
                        lang: _SOURCE_CODE.sub("", text)
                        for lang, text in self.translations(item, "why", where).items()
                    },
                    after=after,
                    hours=hours,
                    public=bool(item.get("public", False)),
                )
            )
        return result


def all_playbooks() -> tuple[dict[str, Playbook], list[Problem]]:
    """Return every usable playbook with the owners' edits applied, and the problems found."""
    from statuspage.extensions import db
    from statuspage.models.playbooks import PlaybookOverride

    playbooks, problems = file_playbooks()
    overrides = {o.kind: o for o in db.session.scalars(db.select(PlaybookOverride))}
    return {kind: apply_override(p, overrides.get(kind)) for kind, p in playbooks.items()}, problems


def get_playbook(kind: str | None) -> Playbook | None:
    """Return one playbook (with edits applied), or None."""
    return all_playbooks()[0].get(kind or "")


def apply_override(playbook: Playbook, override) -> Playbook:
    """Return a copy of the playbook with an override's texts and cadence."""
    if override is None:
        return playbook
    copy = replace(playbook, templates=dict(playbook.templates), cadence=dict(playbook.cadence))
    copy.overridden = set()
    for key, text in (override.templates or {}).items():
        stage, _, lang = key.partition(".")
        if (stage, lang) in copy.templates:
            copy.templates[(stage, lang)] = text
            copy.overridden.add((stage, lang))
    for stage, minutes in (override.cadence or {}).items():
        if stage in copy.cadence:
            copy.cadence[stage] = int(minutes)
    return copy
