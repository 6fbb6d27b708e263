"""Claims: several scheduler processes may race for the same work; exactly one wins each piece.

`insert_if_absent` claims a row by inserting it; `claim_version` claims one version of a piece of work
(a reminder for one promised time) with a conditional UPDATE, in the same transaction as its effect.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from statuspage.extensions import db
from statuspage.models.jobs import JobClaim

WORKER = f"{socket.gethostname()}:{os.getpid()}"


class NotDue(Exception):
    """The work turned out not to be due after it was claimed: roll the claim back."""


def insert_if_absent(model, key_column, **values) -> bool:
    """Insert a row unless its key exists; tell whether this transaction inserted it."""
    upsert = {"sqlite": sqlite_insert, "postgresql": pg_insert}[db.session.get_bind().dialect.name]
    statement = upsert(model).values(**values).on_conflict_do_nothing().returning(key_column)
    # RETURNING says reliably whether the row was inserted here (rowcount may not, through the ORM).
    return db.session.execute(statement).scalar() is not None


def claim_version(key: str, version: str, now: datetime) -> bool:
    """Claim a piece of work (one version of it) for this transaction; False when it was done already."""
    insert_if_absent(JobClaim, JobClaim.key, key=key)
    claimed = db.session.execute(
        update(JobClaim)
        .where(JobClaim.key == key)
        .where((JobClaim.version.is_(None)) | (JobClaim.version != version))
        .values(version=version, done_at=now, done_by=WORKER)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1
