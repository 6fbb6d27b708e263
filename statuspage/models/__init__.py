"""Database models. Times are stored as naive UTC datetimes; views convert to the shop's timezone.

The core (shop, team, components, incidents, updates, audit log) is in core.py; each area has a module
of its own. Importing this package registers every table, and `from statuspage.models import Incident`
is the usual way to reach a core model.
"""

from statuspage.models import (  # noqa: F401  (importing a module registers its tables)
    aftercare,
    alerts,
    api,
    cache,
    delivery,
    jobs,
    plan,
    playbooks,
    subscribers,
    team,
    uptime,
)
from statuspage.models.core import (
    AuditEntry,
    Component,
    Incident,
    IncidentComponent,
    IncidentUpdate,
    Shop,
    User,
    new_public_id,
    utcnow,
)

__all__ = [
    "AuditEntry",
    "Component",
    "Incident",
    "IncidentComponent",
    "IncidentUpdate",
    "Shop",
    "User",
    "new_public_id",
    "utcnow",
]
