"""The project keeps its promises: migrations match the models, settings are declared once and
documented row by row, every command is documented, and the docs' links lead somewhere."""

import json
import os
import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from statuspage import config
from statuspage.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
OPERATIONS = DOCS / "operations.md"
# A key read in code: config["X"], config['X'], config.get("X" … (Python); config.X (templates).
READ_IN_CODE = re.compile(r"""config(?:\[|\.get\(|\.setdefault\()\s*["']([A-Z][A-Z0-9_]*)["']""")
READ_IN_TEMPLATE = re.compile(r"\bconfig\.([A-Z][A-Z0-9_]*)\b")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_migrations_build_exactly_the_models(app_ctx):
    db.drop_all()
    upgrade()
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def _settings_table() -> list[tuple[str, str, str]]:
    """Return the rows of the operations doc's settings table: (name, default, help)."""
    lines = OPERATIONS.read_text().splitlines()
    start = lines.index("| name | default | help |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, f"not a row of three cells: {line}"
        rows.append((cells[0].strip("`"), cells[1].strip("`"), cells[2]))
    return rows


def _row(setting: config.Setting) -> tuple[str, str, str]:
    """Return how the table shows a setting: its default as JSON, as STATUSPAGE_* values are read."""
    return setting.name, json.dumps(setting.default, ensure_ascii=False), setting.help


def test_the_settings_table_matches_the_declared_settings_row_by_row():
    documented = _settings_table()
    declared = [_row(setting) for setting in config.SETTINGS]
    for number, (doc, code) in enumerate(zip(documented, declared, strict=False), start=1):
        expected = f"| `{code[0]}` | `{code[1]}` | {code[2]} |"
        assert doc == code, f"row {number} of the settings table should read:\n{expected}"
    assert len(documented) == len(declared), "the table and config.SETTINGS list different settings"


def test_settings_are_declared_once_with_help():
    names = [setting.name for setting in config.SETTINGS]
    assert len(names) == len(set(names)), "a setting is declared twice"
    assert not set(names) & set(config.FIXED), "a fixed value is also declared as a setting"
    for setting in config.SETTINGS:
        assert setting.name.isupper() and setting.help.strip(), setting.name
        assert "\n" not in setting.help and "|" not in setting.help, (
            f"{setting.name}: one plain line"
        )


def test_create_app_loads_the_declared_defaults(tmp_path, monkeypatch):
    from statuspage import create_app

    for name in [n for n in os.environ if n.startswith("STATUSPAGE_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("STATUSPAGE_INSTANCE_PATH", str(tmp_path))
    loaded = create_app().config
    filled_in = {"SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "PLAYBOOKS_DIR"}  # by _finish_config
    for setting in config.SETTINGS:
        if setting.name in filled_in:
            assert setting.default is None and loaded[setting.name], setting.name
        else:
            assert loaded[setting.name] == setting.default, setting.name
    assert loaded["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'candor.db'}"
    for name, value in config.FIXED.items():
        assert loaded[name] == value


def test_code_reads_only_declared_settings():
    declared = {setting.name for setting in config.SETTINGS} | set(config.FIXED)
    undeclared = set()
    for path in sorted((ROOT / "statuspage").rglob("*.py")):
        for name in READ_IN_CODE.findall(path.read_text()):
            if name not in declared:
                undeclared.add(f"{path.relative_to(ROOT)}: {name}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for name in READ_IN_TEMPLATE.findall(path.read_text()):
            if name not in declared:
                undeclared.add(f"{path.relative_to(ROOT)}: {name}")
    assert not undeclared, f"declare these in statuspage/config.py: {sorted(undeclared)}"


def test_the_scan_finds_reads():
    code = """x = current_app.config["SMTP_HOST"]; y = app.config.get('TRUSTED_PROXIES', 0)"""
    assert READ_IN_CODE.findall(code) == ["SMTP_HOST", "TRUSTED_PROXIES"]
    assert READ_IN_TEMPLATE.findall("{{ config.RECENT_DAYS }}") == ["RECENT_DAYS"]


def test_every_cli_command_is_documented(app):
    operations = OPERATIONS.read_text()
    ours = {"init", "create-user", "demo"} | {
        name for name in app.cli.list_commands(None) if name not in ("db", "run", "shell", "routes")
    }
    for name in ours:
        assert f"flask --app wsgi {name}" in operations, (
            f"command {name} is not in {OPERATIONS.name}"
        )


def _slug(heading: str) -> str:
    """Return the anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    """Return the anchors of a Markdown page's headings (code blocks left out)."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def test_every_link_in_the_readme_and_docs_leads_somewhere():
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not ours to check
            path, _, anchor = target.partition("#")
            found = (page.parent / path).resolve() if path else page
            if not found.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and found.suffix == ".md" and anchor not in _anchors(found):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, broken


def test_the_readme_is_short_and_leads_into_every_doc():
    readme = (ROOT / "README.md").read_text()
    for command in ("make run", "make test", "make test-fast", "make bench"):
        assert command in readme, command
    linked = {Path(target.partition("#")[0]).name for target in LINK.findall(readme)}
    for page in sorted(DOCS.glob("*.md")):
        assert page.name in linked, f"the README does not link docs/{page.name}"
    assert len(readme.splitlines()) < 120, "the README is an entry point; the manual lives in docs/"
