"""The house's rules, checked on the source: arrows point down only, and no module imports in a circle.

Layers, lowest first (a module may import its own layer and the ones below it):
  0 extensions, config, vocabulary   1 models   2 site_version   3 services
  4 app-level pieces (filters, i18n, render_cache, security, errors, events, jobs, export, forms)
  5 views, scheduler, cli           6 the package itself (create_app)
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import event

from statuspage import events

PACKAGE = Path(__file__).resolve().parent.parent / "statuspage"
LAYERS = (
    ("statuspage.extensions", "statuspage.config", "statuspage.vocabulary"),
    ("statuspage.models",),
    ("statuspage.site_version",),
    ("statuspage.services",),
    (
        "statuspage.filters", "statuspage.i18n", "statuspage.render_cache", "statuspage.security",
        "statuspage.errors", "statuspage.events", "statuspage.jobs", "statuspage.export",
        "statuspage.forms",
    ),
    ("statuspage.views", "statuspage.scheduler", "statuspage.cli"),
)  # fmt: skip


def module_names() -> dict[str, Path]:
    """Map every module's dotted name to its file."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = module_names()


def imports_of(name: str) -> set[str]:
    """Return the statuspage modules a module imports (anywhere in it, functions included)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("statuspage")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("statuspage"):
            for alias in node.names:  # `from statuspage.services import plan` imports the module
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
    return found - {name}


def layer(name: str) -> int:
    """Return a module's layer (6 for the package's own __init__)."""
    for number, prefixes in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return number
    assert name == "statuspage", f"{name} has no layer: add it to LAYERS"
    return len(LAYERS)


def test_every_import_points_down():
    upward = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
        for name in sorted(MODULES)
        for target in sorted(imports_of(name))
        if layer(target) > layer(name)
    ]
    assert upward == []


def test_services_never_reach_the_web_layer():
    for name in MODULES:
        if name.startswith("statuspage.services"):
            reached = {
                t for t in imports_of(name) if t.startswith(("statuspage.views", "flask_login"))
            }
            assert not reached, name


def test_no_module_imports_in_a_circle():
    graph = {name: imports_of(name) - {"statuspage"} for name in MODULES}
    circles = [cycle for cycle in _cycles(graph)]
    assert circles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_listeners_are_registered_in_one_place(app):
    pinned = [
        (target.__name__, name, fn.__module__ + "." + fn.__name__)
        for target, name, fn in events.LISTENERS
    ]
    assert pinned == [
        ("Engine", "connect", "statuspage.events.sqlite_pragmas"),
        ("Session", "after_flush", "statuspage.events.note_touched_incidents"),
        ("Session", "before_commit", "statuspage.events.refresh_derived_data"),
        ("Session", "after_rollback", "statuspage.events.forget_touched_incidents"),
        ("Session", "after_flush", "statuspage.site_version.note_write"),
        ("Session", "do_orm_execute", "statuspage.site_version.note_bulk_write"),
        ("Session", "after_soft_rollback", "statuspage.site_version.forget_private"),
        ("Session", "before_commit", "statuspage.site_version.bump"),
    ]
    assert all(event.contains(target, name, fn) for target, name, fn in events.LISTENERS)
    elsewhere = [
        name
        for name, path in MODULES.items()
        if name != "statuspage.events"
        and any(
            s in path.read_text()
            for s in ("listens_for", "event.listen(", "context_processor", "template_filter")
        )
    ]
    # Flask's own hooks are fine; SQLAlchemy listeners and cross-view context processors are not.
    assert elsewhere == ["statuspage.filters", "statuspage.i18n"]
