"""Components and groups: create, rename, reorder, group, delete, set status."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from statuspage.extensions import db
from statuspage.models import Component, IncidentComponent, User
from statuspage.services import ServiceError
from statuspage.services.audit import record
from statuspage.services.safe_text import one_line
from statuspage.vocabulary import COMPONENT_STATUSES


def ordered_components() -> list[Component]:
    """Return all components in display order: groups with their children, then the rest."""
    query = select(Component).options(selectinload(Component.children))
    return list(db.session.scalars(query.order_by(Component.position, Component.id)))


def chosen_statuses(wanted: dict[str, str] | None) -> dict[Component, str]:
    """Map {component public id: new status} to components; refuse unknown ids and groups."""
    if not wanted:
        return {}
    found = {c.public_id: c for c in find_components(wanted)}
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise ServiceError(_("Unknown component “%(name)s”.", name=unknown[0]))
    groups = [c.name for c in found.values() if c.is_group]
    if groups:
        raise ServiceError(
            _("“%(name)s” is a group; set the status of its components.", name=groups[0])
        )
    return {found[pid]: status for pid, status in wanted.items()}


def find_components(public_ids) -> list[Component]:
    """Return the components with these public ids (unknown ids are left out)."""
    wanted = {pid for pid in public_ids if pid}
    if not wanted:
        return []
    return list(db.session.scalars(select(Component).where(Component.public_id.in_(wanted))))


def create_component(
    *,
    name: str,
    user: User | None,
    description: str = "",
    group: Component | None = None,
    is_group: bool = False,
) -> Component:
    """Create a component (or a group) at the end of the list."""
    name = _clean_name(name)
    _check_group(group, is_group)
    last = db.session.scalar(select(func.max(Component.position))) or 0
    component = Component(
        name=name, description=description.strip(), group=group, is_group=is_group,
        position=last + 1,
    )  # fmt: skip
    db.session.add(component)
    db.session.flush()
    record(user, "component.create", f"component {name}", None, _snapshot(component))
    return component


def update_component(
    component: Component,
    *,
    name: str,
    description: str,
    group: Component | None,
    user: User | None,
) -> None:
    """Rename a component, change its description or move it into or out of a group."""
    before = _snapshot(component)
    component.name = _clean_name(name)
    component.description = description.strip()
    if group is not None and (component.is_group or group.id == component.id):
        raise ServiceError(_("A group cannot be put inside another group."), field="group_id")
    _check_group(group, component.is_group)
    component.group = group
    record(user, "component.edit", f"component {component.name}", before, _snapshot(component))


def set_status(component: Component, status: str, *, user: User | None) -> None:
    """Set a component's status by hand."""
    if status not in COMPONENT_STATUSES:
        raise ServiceError(_("Unknown component status “%(status)s”.", status=status))
    if component.is_group:
        raise ServiceError(_("A group's status follows its components; set theirs instead."))
    before = _snapshot(component)
    component.status = status
    record(user, "component.status", f"component {component.name}", before, _snapshot(component))


def move(component: Component, direction: int, *, user: User | None) -> None:
    """Move a component one place up (-1) or down (+1) among its siblings."""
    siblings = [c for c in ordered_components() if c.group_id == component.group_id]
    index = siblings.index(component)
    other = index + direction
    if direction not in (-1, 1) or not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    record(user, "component.move", f"component {component.name}", None, {"position": other})


def delete_component(component: Component, *, user: User | None, confirm: bool = False) -> None:
    """Delete a component; one named by incidents needs an explicit confirmation."""
    if component.children:
        raise ServiceError(_("This group still has components; move or delete them first."))
    used = db.session.scalar(
        select(func.count()).where(IncidentComponent.component_id == component.id)
    )
    if used and not confirm:
        raise ServiceError(
            ngettext(
                "“%(name)s” is named by %(num)d incident. Tick “Yes, I am sure” to delete it "
                "anyway; that incident will no longer list it.",
                "“%(name)s” is named by %(num)d incidents. Tick “Yes, I am sure” to delete it "
                "anyway; those incidents will no longer list it.",
                used,
                name=component.name,
            )
        )
    db.session.execute(
        IncidentComponent.__table__.delete().where(IncidentComponent.component_id == component.id)
    )
    record(user, "component.delete", f"component {component.name}", _snapshot(component), None)
    db.session.delete(component)


def _check_group(group: Component | None, is_group: bool) -> None:
    """Groups hold components, one level deep."""
    if group is not None and (not group.is_group or is_group):
        raise ServiceError(
            _("Components can only be put in a group, and groups cannot be nested."),
            field="group_id",
        )


def _clean_name(name: str) -> str:
    """Validate a component name (one line: it goes into feeds, e-mail and chat messages)."""
    name = one_line(name, _("The component's name"))
    if not name:
        raise ServiceError(_("The component needs a name."), field="name")
    if len(name) > 120:
        raise ServiceError(_("The name is too long (120 characters at most)."), field="name")
    return name


def _snapshot(component: Component) -> dict:
    """Return the audited fields of a component."""
    return {
        "name": component.name,
        "status": component.status,
        "group": component.group.name if component.group else None,
    }
