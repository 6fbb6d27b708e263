"""The admin (/admin): one blueprint, one module per page group; _base.py holds what they share."""

from statuspage.views.admin import (  # noqa: F401  (each module adds its routes to the blueprint)
    account,
    aftercare,
    alerts,
    compose,
    incidents,
    plan,
    playbooks,
    setup,
    subscribers,
    team,
    texts,
    tokens,
)
from statuspage.views.admin._base import bp

__all__ = ["bp"]
