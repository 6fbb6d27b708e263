"""Validate playbooks end to end: structure, placeholders, rendering and transparency in every language."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from statuspage.models import Shop, utcnow
from statuspage.services.clock import as_utc
from statuspage.services.playbooks import bindings, claims, lint
from statuspage.services.playbooks.composer import Facts, allowed_names, compose
from statuspage.services.playbooks.loader import LANGUAGES, Playbook, Problem, load_directory
from statuspage.services.playbooks.messages import (
    format_value,
    placeholders,
    template_problems,
    transparency_check,
)

SAMPLE_SHOP = Shop(
    name="Example Shop",
    timezone="Europe/Warsaw",
    contact_email="help@shop.example",
    contact_phone="+48 22 123 45 67",
    contact_hotline="",
    contact_chat_url="https://shop.example/chat",
    contact_social="",
    contact_address="",
    sender_emails="orders@shop.example",
    sms_sender="EXAMPLE",
)


def check_directory(directory: str | Path) -> tuple[int, list[Problem]]:
    """Check every playbook in a folder; return how many were checked and every problem."""
    playbooks, problems = load_directory(directory)
    for kind, playbook in playbooks.items():
        problems += check_playbook(playbook, Path(directory) / kind)
    return len(playbooks), problems


def check_playbook(playbook: Playbook, folder: Path) -> list[Problem]:
    """Check one loaded playbook's templates with its example values."""
    problems = _binding_differences(playbook, folder)
    for lang in LANGUAGES:
        used = set()
        for stage in playbook.stages:
            source = playbook.templates.get((stage, lang), "")
            used |= placeholders(source)
            path = str(folder / f"{stage}.{lang}.md")
            found = [
                Problem(path, line, text) for line, text in template_problems(source, playbook)
            ]
            problems += found
            problems += [
                Problem(path, line, text) for line, text in lint.voice_problems(source, lang)
            ]
            final = stage in playbook.final_stages
            if final == ("next_update_at" in placeholders(source)):
                problems.append(Problem(path, _line_of(source, "next_update"), _PROMISE[final]))
            if not found:  # a template that failed the check is never rendered (owners' edits too)
                problems += _render_problems(playbook, stage, lang, path)
        for variable in playbook.variables:
            if variable.required and variable.name not in used:
                problems.append(
                    Problem(
                        str(folder / "playbook.yaml"),
                        1,
                        f"required variable {variable.name} is not used in any {lang} template",
                    )
                )
    return problems


def _binding_differences(playbook: Playbook, folder: Path) -> list[Problem]:
    """Check that every bound sentence exists in every language (same item, state and section)."""
    problems = []
    for stage in playbook.stages:
        english = bindings.signature(playbook.templates.get((stage, "en"), ""))
        for lang in LANGUAGES[1:]:
            source = playbook.templates.get((stage, lang), "")
            other = bindings.signature(source)
            path = str(folder / f"{stage}.{lang}.md")
            for section, conditions, key, state in sorted(english - other):
                marks = bindings.describe(conditions, key, state)
                problems.append(Problem(path, _line_of(source, section),
                                        f"bound sentence {marks} in {section} is in the English "
                                        "text but missing here"))  # fmt: skip
            for section, conditions, key, state in sorted(other - english):
                marks = bindings.describe(conditions, key, state)
                problems.append(Problem(path, _line_of(source, section),
                                        f"bound sentence {marks} in {section} is not in the "
                                        "English text"))  # fmt: skip
    return problems


_PROMISE = {
    True: "a final stage must not promise a next update",
    False: "a stage that is not final must promise the next update with {{ next_update_at }}",
}


def _line_of(source: str, section: str) -> int:
    """Return the line of a template's section header (1 when it has none)."""
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip().startswith("---") and section in line:
            return number
    return 1


def _render_problems(playbook: Playbook, stage: str, lang: str, path: str) -> list[Problem]:
    """Render a stage with the example values, as a new incident would say it (nothing done yet,
    start unknown) and as a late one would (everything done, start known); check both."""
    final = stage in playbook.final_stages
    now = utcnow()
    aware = now - timedelta(hours=2)
    promised = None if final else now + timedelta(minutes=playbook.cadence.get(stage, 60))
    problems: list[Problem] = []
    for began, done in ((None, False), (aware - timedelta(hours=5), True)):
        recorded = claims.planned(playbook, aware, lang)
        if done:
            recorded = {k: bindings.Claim("done", c.due_at, c.label) for k, c in recorded.items()}
        facts = Facts(
            title=playbook.title["en"], components=playbook.components, started_at=now,
            next_update_at=promised, link="https://status.shop.example/incidents/abc123def456",
            began_at=began, became_aware_at=aware, claims=recorded,
        )  # fmt: skip
        examples = lint.example_values(playbook)
        composition = compose(playbook, stage, [lang], examples, facts, SAMPLE_SHOP)
        if composition.errors:
            return [
                Problem(path, 1, f"{name}: {error}") for name, error in composition.errors.items()
            ]
        promise = format_value(as_utc(promised), lang, SAMPLE_SHOP.timezone) if promised else None
        allowed = (*allowed_names(playbook, examples, SAMPLE_SHOP), *playbook.components)
        message = composition.messages[lang]
        findings = transparency_check(
            playbook, stage, lang, message.sections, not final,
            claims=recorded, promise=promise, allowed=allowed,
        )  # fmt: skip
        variant = "with everything done" if done else "with nothing done yet"
        problems += [
            Problem(path, 1, f"transparency check ({variant}): {finding.message}")
            for finding in findings
            if not finding.ok and finding.code != "language"  # the linter says more, below
        ]
        problems += [
            Problem(path, 1, f"language ({variant}): {problem}")
            for problem in lint.problems(playbook, stage, lang, message.text, allowed)
        ]
    return problems
