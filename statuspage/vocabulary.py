"""The status vocabulary, the only copy: statuses, transitions, the final set, impacts, labels and icons.

The database stores these English words; people read their labels, translated by the message catalogs
(statuspage/translations), so the page, feeds, banner, badge, e-mails, webhooks and forms say the same
word. Nothing from the app is imported here: models, services, views and templates all read this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import force_locale, gettext, lazy_gettext


def N_(message: str) -> str:
    """Mark a message for the catalogs (pybabel extracts N_); it is translated where it is shown."""
    return message


# Incidents: a new (or reopened) one starts open, an update may also resolve it, a postmortem follows.
OPEN_STATUSES = ("investigating", "identified", "monitoring")
UPDATE_STATUSES = (*OPEN_STATUSES, "resolved")
INCIDENT_STATUSES = (*UPDATE_STATUSES, "postmortem")
# Planned maintenance: announced, going on (then checked), done; a job moves it along on its own.
MAINTENANCE_START = "scheduled"
RUNNING = ("in_progress", "verifying")
MAINTENANCE_STATUSES = (MAINTENANCE_START, *RUNNING, "completed")
# Over for good: nothing more is promised, the incident leaves the active list.
FINAL = ("resolved", "postmortem", "completed")
# An incident (not a maintenance) that is over: its postmortem and follow-up actions may be shown.
RESOLVED = ("resolved", "postmortem")
# A maintenance that is not over: announced or going on.
UNFINISHED_MAINTENANCE = (MAINTENANCE_START, *RUNNING)

# From a status, the statuses an update may move to. Leaving "resolved" for an open status needs
# lifecycle.reopen(); "postmortem" comes only with publishing one (aftercare.postmortem.publish).
TRANSITIONS: dict[str, frozenset[str]] = {
    **dict.fromkeys(OPEN_STATUSES, frozenset(UPDATE_STATUSES)),
    "resolved": frozenset({"postmortem"}),
    "postmortem": frozenset(),
    MAINTENANCE_START: frozenset({MAINTENANCE_START, "in_progress", "completed"}),
    **dict.fromkeys(RUNNING, frozenset({*RUNNING, "completed"})),
    "completed": frozenset(),
}

# How bad an incident is, mildest first; the page indicator adds "maintenance".
IMPACTS = ("none", "minor", "major", "critical")
INDICATORS = (*IMPACTS, "maintenance")
IMPACT_RANK = {impact: rank for rank, impact in enumerate(IMPACTS)}

# Components, in the order forms offer them.
COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)
# Mildest first: a group, a day of history or several incidents show the worst of their statuses.
COMPONENT_SEVERITY = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
COMPONENT_RANK = {status: rank for rank, status in enumerate(COMPONENT_SEVERITY)}
# What a component's status does to the page indicator (maintenance is decided apart).
COMPONENT_IMPACT = {
    "operational": "none",
    "under_maintenance": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
# The component status the composer suggests for an incident of this impact (or a maintenance).
SUGGESTED_COMPONENT_STATUS = {
    "none": "degraded_performance",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
    "maintenance": "under_maintenance",
}

# A notice, not an outage (data breach, phishing, product recall): the shop works, customers must act.
# The page's banner and badge say "Important notice" while no component is worse than operational;
# the indicator, the components and the Statuspage JSON follow the components only (impact "none").
NOTICE = "notice"

ROLES = ("owner", "editor")
# The languages the team's side (admin, team e-mail, command line) is translated into.
ADMIN_LANGUAGES = ("en", "pl", "ru", "lv", "ar")

# The English words (the catalogs' message ids); readers see them translated (`label`).
NAMES = {
    "investigating": N_("Investigating"),
    "identified": N_("Identified"),
    "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"),
    "postmortem": N_("Postmortem"),
    "scheduled": N_("Scheduled"),
    "in_progress": N_("In progress"),
    "verifying": N_("Verifying"),
    "completed": N_("Completed"),
    "operational": N_("Operational"),
    "degraded_performance": N_("Degraded performance"),
    "partial_outage": N_("Partial outage"),
    "major_outage": N_("Major outage"),
    "under_maintenance": N_("Under maintenance"),
    "none": N_("None"),
    "minor": N_("Minor"),
    "major": N_("Major"),
    "critical": N_("Critical"),
    "maintenance": N_("Maintenance"),
}
# The page's banner per indicator; in English also Statuspage's status description (JSON, webhooks, badge).
DESCRIPTIONS = {
    "none": N_("All Systems Operational"),
    "minor": N_("Minor Service Outage"),
    "major": N_("Partial System Outage"),
    "critical": N_("Major Service Outage"),
    "maintenance": N_("Service Under Maintenance"),
    NOTICE: N_("Important notice"),  # not an indicator: the banner while only notices are active
}
LABELS = {word: lazy_gettext(text) for word, text in NAMES.items()}
BANNERS = {indicator: lazy_gettext(text) for indicator, text in DESCRIPTIONS.items()}
# A text symbol per state, so status is never told by colour alone.
ICONS = {
    "operational": "✓", "none": "✓", "resolved": "✓", "completed": "✓", "postmortem": "✓",
    "degraded_performance": "◐", "minor": "◐", "monitoring": "◐", "identified": "!",
    "partial_outage": "▲", "major": "▲", "investigating": "?",
    "major_outage": "✕", "critical": "✕",
    "under_maintenance": "⚙", "maintenance": "⚙", "scheduled": "⚙", "in_progress": "⚙", "verifying": "⚙",
    NOTICE: "ℹ",
}  # fmt: skip


def label(word: str, lang: str | None = None) -> str:
    """Name a status, impact or indicator (or a notice) in a language (the current one by default)."""
    text = NAMES.get(word) or (DESCRIPTIONS[NOTICE] if word == NOTICE else None)
    return _translate(text, lang) if text else word


def banner(indicator: str, lang: str | None = None) -> str:
    """Say the page's state in a language (the current one by default): "All Systems Operational"."""
    return _translate(DESCRIPTIONS[indicator], lang) if indicator in DESCRIPTIONS else indicator


def headline(indicator: str, notice: bool) -> str:
    """Return what the banner and badge speak of: the indicator, or a notice when nothing is down."""
    return NOTICE if notice and indicator == "none" else indicator


def impact_word(impact: str, notice: bool) -> str:
    """Return the impact a reader (and the Statuspage JSON) sees: a notice has none."""
    return "none" if notice else impact


def icon(word: str) -> str:
    """Return the text symbol of a status, impact or indicator."""
    return ICONS.get(word, "•")


def update_statuses(maintenance: bool) -> tuple[str, ...]:
    """Return the statuses the update form offers: a maintenance's, or an incident's."""
    return MAINTENANCE_STATUSES if maintenance else UPDATE_STATUSES


def worst(statuses: Iterable[str], default: str = "operational") -> str:
    """Return the worst of some component statuses (`default` when there are none)."""
    return max(statuses, key=lambda s: COMPONENT_RANK.get(s, 0), default=default)


def _translate(message: str, lang: str | None) -> str:
    """Translate a catalog message in a language, or in the current one."""
    if lang is None:
        return gettext(message)
    with force_locale(lang):
        return gettext(message)
