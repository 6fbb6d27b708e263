"""The project keeps its promises: migrations match the models, every setting and command is documented."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from statuspage import config
from statuspage.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_build_exactly_the_models(app):
    db.drop_all()
    upgrade()
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    keys = [k for k in vars(config) if k.isupper()]
    assert keys
    for key in keys:
        assert f"STATUSPAGE_{key}" in readme, f"{key} is not documented in the README"


def test_every_cli_command_is_documented_in_the_readme(app):
    readme = (ROOT / "README.md").read_text()
    ours = {"init", "create-user", "demo"} | {
        name for name in app.cli.list_commands(None) if name not in ("db", "run", "shell", "routes")
    }
    for name in ours:
        assert f"flask --app wsgi {name}" in readme, f"command {name} is not in the README"
