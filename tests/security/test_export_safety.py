"""A safe export: it replaces only an earlier export (or an empty folder) unless forced, writes files any
web server can read (0644, folders 0755) whatever the umask, links to BASE_URL and leaves out /healthz.
(tests/test_export.py serves an export with nginx running as an unprivileged user.)"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from statuspage.export import MARKER, export_site
from tests.helpers import incident, languages


@pytest.fixture
def strict_umask():
    """Run with a umask that would make new files private (the export must not depend on it)."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def _folder_with_notes(path: Path) -> Path:
    path.mkdir()
    (path / "notes.txt").write_text("my notes")
    (path / "sub").mkdir()
    (path / "sub" / "more.txt").write_text("more")
    return path


def test_export_refuses_a_folder_that_is_not_an_export(app, app_ctx, runner, tmp_path):
    incident(title="Checkout is slow")
    target = _folder_with_notes(tmp_path / "documents")
    result = runner.invoke(args=["export", str(target)])
    assert result.exit_code != 0
    assert "not an earlier export" in result.output and "--force" in result.output
    assert (target / "notes.txt").read_text() == "my notes" and (
        target / "sub" / "more.txt"
    ).exists()
    assert not (target / "index.html").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_export_replaces_an_earlier_export_and_a_forced_folder(app, app_ctx, runner, tmp_path):
    incident(title="Checkout is slow")
    target = tmp_path / "site"
    assert runner.invoke(args=["export", str(target)]).exit_code == 0
    assert (target / MARKER).exists() and (target / "index.html").exists()
    (target / "stale.html").write_text("old")
    assert runner.invoke(args=["export", str(target)]).exit_code == 0  # an earlier export: fine
    assert not (target / "stale.html").exists()
    forced = _folder_with_notes(tmp_path / "forced")
    result = runner.invoke(args=["export", "--force", str(forced)])
    assert result.exit_code == 0, result.output
    assert (forced / "index.html").exists() and not (forced / "notes.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(args=["export", str(empty)]).exit_code == 0  # nothing to lose


def test_exported_files_are_readable_by_a_web_server(app, app_ctx, tmp_path, strict_umask):
    incident(title="Checkout is slow")
    target = tmp_path / "site"
    export_site(app, target)
    paths = [target, *target.rglob("*")]
    assert len(paths) > 20
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


def test_exported_links_come_from_the_base_url_and_healthz_stays_out(app, app_ctx, tmp_path):
    languages("en,pl")
    opened = incident(title="Checkout is slow")
    target = tmp_path / "site"
    export_site(app, target)
    page = (target / "incidents" / f"{opened.public_id}.html").read_text()
    assert 'hreflang="pl" href="http://status.test/incidents/' in page
    every = "".join(p.read_text(errors="replace") for p in target.rglob("*") if p.is_file())
    assert "http://localhost" not in every
    assert not any("healthz" in p.name for p in target.rglob("*"))
