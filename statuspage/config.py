"""Every setting, declared once: name, default and a one-line help text.

create_app loads the defaults from SETTINGS, then instance/config.py, then STATUSPAGE_<NAME> environment
variables (parsed as JSON when they look like it), then a test's config. docs/operations.md shows the same
list as a table; tests/test_project.py compares the two row by row and fails when code reads a key that is
not declared here.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple


class Setting(NamedTuple):
    """One configuration key: its name, its default and what it does, in one line."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        None,
        "Signs sessions, CSRF tokens and subscribers' links (and keys their address hashes); null: generated into instance/secret_key on first start. Set it in production and keep it secret.",
    ),
    Setting(
        "SQLALCHEMY_DATABASE_URI",
        None,
        "The database URL; null: the DATABASE_URL environment variable, else SQLite instance/candor.db (postgresql://… uses psycopg 3).",
    ),
    Setting(
        "BASE_URL",
        "http://127.0.0.1:5000",
        "The public address of the status page, for links made outside a request (feeds, JSON, e-mail, jobs).",
    ),
    Setting(
        "PUBLIC_CACHE_SECONDS",
        30,
        "How long CDNs and proxies may cache public pages (s-maxage), shortened when a scheduled update is due sooner.",
    ),
    Setting("HISTORY_PAGE_SIZE", 20, "Incidents per page on /history."),
    Setting("MAX_UPDATE_LENGTH", 20000, "The longest update text accepted, in characters."),
    Setting("RECENT_DAYS", 14, "Days of resolved incidents shown on the front page."),
    Setting(
        "PLAYBOOKS_DIR",
        None,
        "The folder holding the playbooks (one folder per kind, each with a playbook.yaml); null: incidents/ beside the package.",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        "Send the login cookie over HTTPS only; turn it on in production behind TLS.",
    ),
    Setting(
        "PERMANENT_SESSION_LIFETIME",
        12 * 3600,
        "Seconds a team member stays logged in without activity; every admin request extends it.",
    ),
    Setting(
        "SESSION_REFRESH_EACH_REQUEST",
        True,
        "Extend the team's session on each admin request (public pages never touch the cookie).",
    ),
    Setting(
        "SESSION_MAX_HOURS",
        7 * 24,
        "Hours after logging in when a team member must log in again, however active (a copied cookie cannot be kept alive for ever).",
    ),
    Setting(
        "INVITE_HOURS",
        72,
        "Hours an invitation link to join the team stays valid; it works once.",
    ),
    Setting(
        "DATABASE_BUSY_SECONDS",
        5,
        "Seconds a write waits for another to finish (SQLite's busy timeout) before it is tried again; after three tries the team is told the database is busy and nothing typed is lost.",
    ),
    Setting(
        "LOGIN_RATE_LIMIT",
        "10 per minute; 50 per hour",
        'Failed login attempts allowed per client address (limits syntax; "; " separates several).',
    ),
    Setting(
        "LOGIN_ACCOUNT_RATE_LIMIT",
        "20 per hour",
        "Failed login attempts allowed per account, from any address.",
    ),
    Setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "Where login and sign-up attempts are counted: memory:// counts per process; with several workers use a shared store, e.g. redis://host:6379.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "Reverse proxies in front whose X-Forwarded-For/-Proto headers are trusted (set 1 behind one nginx/CDN hop).",
    ),
    Setting(
        "PUBLIC_FRAME_ANCESTORS",
        "'self'",
        "CSP frame-ancestors of public pages: who may show them in a frame ('self', 'none' or origins such as https://help.shop.example).",
    ),
    Setting("MAX_CONTENT_LENGTH", 2 * 1024 * 1024, "The largest request body accepted, in bytes."),
    Setting(
        "REMINDER_LEAD_MINUTES",
        10,
        'Minutes before a promised update is due when the team gets the "due soon" reminder.',
    ),
    Setting(
        "DEFAULT_NEXT_UPDATE_MINUTES",
        60,
        "Minutes to the promised next update when a status has no playbook cadence (incidents written by hand).",
    ),
    Setting(
        "DEADLINE_REMINDER_HOURS",
        [24, 4, 1],
        "Hours before a playbook deadline when the team is alerted (plus once when it passes).",
    ),
    Setting(
        "SCHEDULER_INTERVAL_SECONDS",
        30,
        "Seconds between two runs of the scheduler's jobs (flask --app wsgi scheduler run).",
    ),
    Setting(
        "JOB_LEASE_SECONDS",
        300,
        "Seconds after which a delivery claimed by a scheduler that died is tried again by another.",
    ),
    Setting(
        "NOTIFY_MAX_ATTEMPTS",
        6,
        "Attempts to deliver a message (backing off 1, 2, 4 … minutes) before giving up (logged).",
    ),
    Setting(
        "WEBHOOK_URL",
        "",
        'Slack-compatible incoming-webhook URL for team reminders ({"text": …}); empty: no webhook.',
    ),
    Setting(
        "WEBHOOK_TIMEOUT_SECONDS",
        5,
        "Seconds to wait for a webhook (the team's or a subscriber's) or the SMTP server to answer.",
    ),
    Setting(
        "WEBHOOK_ALLOW_PRIVATE",
        False,
        "Let webhooks (the team's and subscribers') reach loopback, private, link-local and other internal addresses; off: refused at save and at send, so a webhook cannot probe the shop's own network.",
    ),
    Setting(
        "SMTP_HOST",
        "",
        "SMTP server for team reminders and subscriber e-mail; empty: no e-mail (and no e-mail sign-up).",
    ),
    Setting("SMTP_PORT", 587, "SMTP port (587 for STARTTLS, 465 for TLS, 25 for plain)."),
    Setting("SMTP_USERNAME", "", "SMTP user name; empty: no login."),
    Setting("SMTP_PASSWORD", "", "SMTP password."),
    Setting(
        "SMTP_SECURITY",
        "starttls",
        "Encrypt the SMTP connection: starttls, tls (port 465) or none.",
    ),
    Setting("SMTP_FROM", "candor@localhost", "Sender address of reminder and subscriber e-mails."),
    Setting(
        "REMINDER_EMAILS",
        "",
        "Comma-separated recipients of reminder e-mails; empty: every team member.",
    ),
    Setting(
        "RENDER_CACHE_ENTRIES",
        2000,
        "Rendered public responses each process keeps (render on change, not per request).",
    ),
    Setting(
        "VERSION_CHECK_SECONDS",
        0.5,
        "How often (seconds) each process re-reads the data version, on ticks of the wall clock (a divisor of 1 s keeps the nginx front cache within 1 s): a published update shows everywhere within about this long.",
    ),
    Setting(
        "SUBSCRIBE_RATE_LIMIT",
        "5 per minute; 20 per hour",
        'E-mail sign-ups allowed per client address on /subscribe (limits syntax; "; " separates several).',
    ),
    Setting(
        "SUBSCRIBE_ADDRESS_RATE_LIMIT",
        "3 per hour; 10 per day",
        "E-mail sign-ups allowed per e-mail address, from anywhere (keyed on a hash of the address).",
    ),
    Setting(
        "SUBSCRIBE_CONFIRM_HOURS",
        48,
        "Hours a subscription's confirmation link stays valid; unconfirmed sign-ups are deleted after it.",
    ),
    Setting(
        "WEBHOOK_DISABLE_AFTER",
        8,
        "Failed webhook attempts in a row after which an endpoint is disabled (and the team is told).",
    ),
    Setting(
        "MAINTENANCE_REMINDER_MINUTES",
        60,
        "Minutes before a maintenance starts when its subscribers are reminded (e-mail and webhooks); each maintenance may set its own, 0: none.",
    ),
    Setting(
        "ALERT_MAX_ALERTS",
        500,
        "The most alerts one monitoring notification may carry (/api/alerts/…); a larger one is refused with 400.",
    ),
)

# Set by create_app after every override: hardening that is not a choice.
FIXED: dict[str, Any] = {"SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax"}


def defaults() -> dict[str, Any]:
    """Return every setting's default, each a fresh copy (a list default is never shared by two apps)."""
    return {setting.name: copy.deepcopy(setting.default) for setting in SETTINGS}
