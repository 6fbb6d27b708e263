"""The admin blueprint and what every admin page shares: the login guard, owner-only views, one service call per POST."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, flash
from flask_babel import gettext as _
from flask_login import current_user, login_required

from statuspage.forms import form_errors
from statuspage.models import Incident, new_public_id
from statuspage.services import ServiceError
from statuspage.services.clock import parse_local
from statuspage.services.components import chosen_statuses
from statuspage.views.common import get_or_404, run_or_explain

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_login():
    """Everything under /admin needs a logged-in team member."""


def owner_required(view: Callable) -> Callable:
    """Let only owners through (the mark `owner_only` lets tests find every such view)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_owner:
            abort(403)
        return view(*args, **kwargs)

    wrapped.owner_only = True
    return wrapped


def attempt(
    action: Callable[[], object],
    success: str | None = None,
    *,
    form=None,
    verb: str = "saved",
) -> bool:
    """Run one service call and commit (retried while the database is busy); flash `success`
    (or the message the action returns).

    On a broken rule roll back, flash why and put the sentence beside the field it names in `form`;
    when the database stays busy say so ("Not saved …"). Either way the caller shows the form again
    with what was typed. The action may run more than once: keep its side effects in the database.
    """
    return run_or_explain(action, form, success, verb=verb)


def submitted(form) -> bool:
    """Validate a posted form, flashing what is wrong (each error is also shown beside its field)."""
    if form.validate_on_submit():
        return True
    flash(form_errors(form) or _("The form could not be read; please try again."), "error")
    return False


def local_time(form, name: str, timezone: str, what: str, **kwargs):
    """Parse a form's local-time field (shop time); a problem is reported beside that field."""
    try:
        return parse_local(getattr(form, name).data, timezone, what=what, **kwargs)
    except ServiceError as error:
        raise ServiceError(str(error), field=name) from None


def reserved_id(value: str | None) -> str:
    """Return the public id a form reserved for what it creates (a new one when absent or malformed).

    Sent again (a double click, Back then submit), the same id shows the row made the first time
    instead of making a second one.
    """
    if value and len(value) == 12 and value.isalnum() and value.islower():
        return value
    return new_public_id()


def find_incident(public_id: str) -> Incident:
    """Find an incident by its public id or answer 404."""
    return get_or_404(Incident, public_id)


def component_choices(data) -> dict[str, str]:
    """Return the component statuses a posted form chose, by public id, to show them again."""
    return {
        key.removeprefix("component-"): value
        for key, value in data.items()
        if key.startswith("component-") and value
    }


def component_statuses(data) -> dict:
    """Read `component-<public_id>` = status pairs from a form ('' means not affected)."""
    return chosen_statuses(
        {
            key.removeprefix("component-"): value
            for key, value in data.items()
            if key.startswith("component-") and value
        }
    )
