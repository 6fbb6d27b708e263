"""What every blueprint shares: one write with its commit (retried when the database is busy), finding a
row by its public id (or answering 404), the page number, and the bounded `<int:…>` URL converter."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.routing import IntegerConverter

from statuspage.extensions import db
from statuspage.services import ServiceError
from statuspage.services.transactions import DatabaseBusy, is_transient

Row = TypeVar("Row")


def find(model: type[Row], public_id: str, query: Select | None = None) -> Row | None:
    """Find a row by its public id (among the query's rows when one is given), or None."""
    query = select(model) if query is None else query
    return db.session.scalar(query.where(model.public_id == public_id))


def get_or_404(model: type[Row], public_id: str, query: Select | None = None) -> Row:
    """Find a row by its public id (among the query's rows when one is given) or answer 404."""
    found = find(model, public_id, query)
    if found is None:
        abort(404)
    return found


MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL's; SQLite's is larger)


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: an id beyond what the database can hold is 404 before any query
    (a huge number would overflow the driver: a 500 on SQLite and PostgreSQL alike)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def json_error(status: int, message: str, realm: str = "Candor"):
    """Answer with a JSON error in the shape every /api route uses (401 names its Bearer realm)."""
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer realm="{realm}"'
    return response


def page_number() -> int:
    """Return ?page= as a number (1 when absent or not a number).

    A page beyond any archive is 404 before it reaches the database, where a huge number would overflow.
    """
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= 1_000_000:
        abort(404)
    return number


# Pauses before the second and third try of a write that met a busy database or a race.
RETRY_PAUSES = (0.1, 0.4)


def committed(action: Callable[[], object]) -> object:
    """Run one write and commit it; return what the action returned.

    A passing database failure (busy, a conflict, a lost connection) is tried again after a short
    pause, and after the last try raises DatabaseBusy. A unique constraint broken by a request that
    ran at the same moment (a double click) runs the action again, so its own checks see the row that
    won and say so. A broken rule (ServiceError) rolls back and is raised at once.
    """
    for pause in (*RETRY_PAUSES, None):
        try:
            result = action()
            db.session.commit()
            return result
        except ServiceError:
            db.session.rollback()
            raise
        except IntegrityError:
            db.session.rollback()
            if pause is None:
                raise ServiceError(
                    _("Someone changed this at the same moment. Reload the page and check.")
                ) from None
        except DBAPIError as error:
            db.session.rollback()
            if not is_transient(error):
                raise
            if pause is None:
                raise DatabaseBusy() from error
        time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def busy_message(verb: str = "saved") -> str:
    """Say that nothing happened because the database is busy, and that nothing typed is lost."""
    if verb == "published":
        return _("Not published: the database is busy. Your text is kept; press Publish again.")
    return _("Not saved: the database is busy. What you typed is kept; press the button again.")


def run_or_explain(
    action: Callable[[], object],
    form=None,
    success: str | None = None,
    *,
    verb: str = "saved",
) -> bool:
    """Run one write with `committed`; flash the outcome. On failure the caller shows the form again.

    A broken rule is flashed and, when it names a field of `form`, shown beside that field too.
    """
    try:
        result = committed(action)
    except ServiceError as error:
        flash(str(error), "error")
        field = getattr(form, error.field, None) if form is not None and error.field else None
        if field is not None:
            field.errors = [*field.errors, str(error)]
        return False
    except DatabaseBusy:
        flash(busy_message(verb), "error")
        return False
    message = success if success is not None else result
    if message:
        flash(str(message), "info")
    return True
