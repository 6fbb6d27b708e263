"""Every text a person reads is in the catalogs: templates, flash messages, form errors, CLI output.

A template's plain text, its `placeholder`/`title`/`aria-label`/`alt` attributes and its sentence-like
string literals must come through `_()` or `{% trans %}`; in Python, the first argument of `flash`,
`ServiceError`, `ValidationError`, `click.echo` and of form field constructors must not be a bare
string. This fails on today's untranslated admin strings, file by file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"})
PYTHON = sorted((ROOT / "statuspage").rglob("*.py"))

# Names, units and codes that read the same in every language.
ALLOWED = {
    "Candor", "API", "RSS", "Atom", "JSON", "URL", "URLs", "HTTPS", "HTTP", "SMTP", "TOTP", "2FA",
    "Markdown", "UTC", "ID", "iCalendar", "Statuspage", "Alertmanager", "Grafana", "Uptime", "Kuma",
    "Bearer", "GDPR", "RODO", "GPSR", "CSV", "ETag", "OK",
}  # fmt: skip
ATTRIBUTES = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')
TAG = re.compile(r"<[^>]*>")
ENTITY = re.compile(r"&#?\w+;")
WORD = re.compile(r"[A-Za-z][A-Za-z']+")
SENTENCE = re.compile(r"^[A-Z][a-z']+( [\w'’,.:;!?()-]+)+[.:!?]?$")
GETTEXT = {"_", "gettext", "ngettext", "_l", "lazy_gettext", "pgettext"}


def _readable(text: str) -> list[str]:
    words = [w for w in WORD.findall(ENTITY.sub(" ", text)) if w not in ALLOWED]
    return words if any(len(w) > 1 for w in words) else []


def template_leaks(path: Path) -> list[str]:
    """Return the plain texts of a template that bypass the catalogs, with their line numbers."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    plain, leaks, in_trans, previous, lines = [], [], 0, [], 1
    for line, kind, value in env.lex(path.read_text(encoding="utf-8")):
        if kind == "name" and previous and previous[-1][0] == "block_begin":
            in_trans += {"trans": 1, "endtrans": -1}.get(value, 0)
        if line > lines:  # keep the line numbers of the text left once Jinja is taken out
            plain.append("\n" * (line - lines))
            lines = line
        if kind == "data" and not in_trans:
            plain.append(value)
            lines += value.count("\n")
        elif kind in {"variable_begin", "block_begin"}:
            plain.append("\x00")  # an expression: what it prints is checked where it comes from
        called = len(previous) == 2 and previous[0][1] in GETTEXT and previous[1][1] == "("
        if kind == "string" and not called and SENTENCE.match(value[1:-1]):
            leaks.append(f"{line}: {value[:70]!r}")
        if kind != "whitespace":
            previous = [*previous[-1:], (kind, value.strip())]
    for number, text in enumerate("".join(plain).split("\n"), start=1):
        for part in [*ATTRIBUTES.findall(text), TAG.sub(" ", text)]:
            if _readable(part):
                leaks.append(f"{number}: {part.strip()[:70]!r}")
    return sorted(leaks, key=lambda leak: int(leak.split(":")[0]))


def _bare(node: ast.expr | None) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(_readable(node.value))
    )


def _called(node: ast.Call) -> str:
    func = node.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


SHOWN = {
    "flash",
    "ServiceError",
    "ValidationError",
    "echo",
    "secho",
    "ClickException",
    "BadParameter",
}
FIELDS = re.compile(r"^[A-Z]\w*Field$")


def python_leaks(path: Path) -> list[str]:
    """Return the bare strings a person reads (flash, errors, CLI output, form labels) in a module."""
    leaks = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _called(node)
        first = node.args[0] if node.args else None
        message = next((k.value for k in node.keywords if k.arg in {"message", "label"}), None)
        if name in SHOWN or FIELDS.match(name) or name in {"DataRequired", "Length", "Email"}:
            leaks += [f"{n.lineno}: {ast.unparse(n)[:70]}" for n in (first, message) if _bare(n)]
    return leaks


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_text_is_in_the_catalogs(path):
    assert template_leaks(path) == []


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_messages_are_in_the_catalogs(path):
    assert python_leaks(path) == []


def test_the_scan_finds_a_bare_text():
    """The scan itself can fail: plain text, an attribute, a flash and a form label are caught."""
    sample = ROOT / "tests" / "fixtures" / "untranslated.html"
    assert [leak.split(":")[0] for leak in template_leaks(sample)] == ["2", "3", "4"]
    module = ast.parse('flash("Saved.")\nflash(_("Saved."))\nStringField(f"Name {x}")\n')
    assert [n.lineno for n in ast.walk(module) if isinstance(n, ast.Call) and _bare(n.args[0] if n.args else None) and _called(n) in SHOWN | {"StringField"}] == [1, 3]  # fmt: skip
