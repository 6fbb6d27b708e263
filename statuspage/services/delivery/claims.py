"""Insert-or-nothing claims: several scheduler processes may race; exactly one wins each row."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from statuspage.extensions import db


def insert_if_absent(model, key_column, **values) -> bool:
    """Insert a row unless its key exists; tell whether this transaction inserted it."""
    upsert = {"sqlite": sqlite_insert, "postgresql": pg_insert}[db.session.get_bind().dialect.name]
    statement = upsert(model).values(**values).on_conflict_do_nothing().returning(key_column)
    # RETURNING says reliably whether the row was inserted here (rowcount may not, through the ORM).
    return db.session.execute(statement).scalar() is not None
