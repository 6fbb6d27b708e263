"""Validate playbooks end to end: structure, placeholders, rendering and transparency in every language."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from statuspage.models import Shop, utcnow
from statuspage.services.playbooks.composer import Facts, compose
from statuspage.services.playbooks.loader import LANGUAGES, Playbook, Problem, load_directory
from statuspage.services.playbooks.messages import (
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
)


def check_directory(directory: str | Path) -> tuple[int, list[Problem]]:
    """Check every playbook in a folder; return how many were checked and every problem."""
    playbooks, problems = load_directory(directory)
    for kind, playbook in playbooks.items():
        problems += check_playbook(playbook, Path(directory) / kind)
    return len(playbooks), problems


def check_playbook(playbook: Playbook, folder: Path) -> list[Problem]:
    """Check one loaded playbook's templates with its example values."""
    problems = []
    for lang in LANGUAGES:
        used = set()
        for stage in playbook.stages:
            source = playbook.templates.get((stage, lang), "")
            used |= placeholders(source)
            path = str(folder / f"{stage}.{lang}.md")
            problems += [
                Problem(path, line, text) for line, text in template_problems(source, playbook)
            ]
            final = stage in playbook.final_stages
            if final == ("next_update_at" in placeholders(source)):
                problems.append(Problem(path, _line_of(source, "next_update"), _PROMISE[final]))
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
    """Render a stage with the example values and run the transparency check."""
    final = stage in playbook.final_stages
    now = utcnow()
    facts = Facts(
        title=playbook.title["en"],
        components=playbook.components,
        started_at=now,
        next_update_at=None if final else now + timedelta(minutes=playbook.cadence.get(stage, 60)),
        link="https://status.shop.example/incidents/abc123def456",
    )
    examples = {v.name: v.example for v in playbook.variables}
    composition = compose(playbook, stage, [lang], examples, facts, SAMPLE_SHOP)
    if composition.errors:
        return [Problem(path, 1, f"{name}: {error}") for name, error in composition.errors.items()]
    sections = composition.messages[lang].sections
    return [
        Problem(path, 1, f"transparency check: {finding.message}")
        for finding in transparency_check(playbook, stage, lang, sections, not final)
        if not finding.ok
    ]
