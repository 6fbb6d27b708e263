"""The audit log: who did what, when, before and after."""

from statuspage.extensions import db
from statuspage.models import AuditEntry, User


def record(user: User | None, action: str, target: str, before=None, after=None) -> None:
    """Add an audit entry to the current transaction."""
    db.session.add(
        AuditEntry(
            user_id=user.id if user else None,
            action=action[:60],
            target=target[:120],  # names can be longer than the column (PostgreSQL enforces it)
            before=before,
            after=after,
        )
    )
