"""What every blueprint shares: finding a row by its public id (or answering 404), the page number, and
the bounded `<int:…>` URL converter."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, request
from sqlalchemy import Select, select
from werkzeug.routing import IntegerConverter

from statuspage.extensions import db

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


def page_number() -> int:
    """Return ?page= as a number (1 when absent or not a number).

    A page beyond any archive is 404 before it reaches the database, where a huge number would overflow.
    """
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= 1_000_000:
        abort(404)
    return number
