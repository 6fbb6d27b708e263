"""Default settings. Every key can be overridden by an environment variable STATUSPAGE_<KEY>.

Each key has a comment saying what it does; tests/test_project.py fails when a key is missing from the README.
"""

# Secret for sessions and CSRF tokens. Generated into instance/secret_key on first start when unset.
SECRET_KEY = None
# SQLAlchemy database URL. Default: SQLite file instance/candor.db. DATABASE_URL is honoured too.
SQLALCHEMY_DATABASE_URI = None
# Public base URL of the status page, used in feeds and links when there is no request (e.g. jobs).
BASE_URL = "http://127.0.0.1:5000"
# Seconds public pages may be cached by browsers and CDNs (shortened when a scheduled update is due sooner).
PUBLIC_CACHE_SECONDS = 30
# Incidents per page on /history.
HISTORY_PAGE_SIZE = 20
# Longest accepted update text, in characters.
MAX_UPDATE_LENGTH = 20000
# Days of resolved incidents shown on the front page.
RECENT_DAYS = 14
# Folder holding the playbooks (incidents/<kind>/playbook.yaml). Default: incidents/ beside the package.
PLAYBOOKS_DIR = None
# Send the session cookie over HTTPS only. Turn on in production behind TLS.
SESSION_COOKIE_SECURE = False
# Seconds a team member stays logged in without activity (each admin request extends it).
PERMANENT_SESSION_LIFETIME = 12 * 3600
# Failed login attempts allowed per client address (limits syntax; "; " separates several).
LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
# Failed login attempts allowed per account, from any address.
LOGIN_ACCOUNT_RATE_LIMIT = "20 per hour"
# Where login attempts are counted: memory:// (per process) or shared, e.g. redis://host:6379.
RATELIMIT_STORAGE_URI = "memory://"
# Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted (0: none).
TRUSTED_PROXIES = 0
# CSP frame-ancestors for public pages: who may show them in a frame ('self', 'none' or origins).
PUBLIC_FRAME_ANCESTORS = "'self'"
# Largest request body accepted, in bytes.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
# Minutes before a promised update is due when the team gets a "due soon" reminder.
REMINDER_LEAD_MINUTES = 10
# Minutes to the next update when a status has no playbook cadence (incidents written by hand).
DEFAULT_NEXT_UPDATE_MINUTES = 60
# Hours before a playbook deadline when the team is alerted (plus once when it passes).
DEADLINE_REMINDER_HOURS = [24, 4, 1]
# Seconds between two runs of the scheduler's jobs (flask --app wsgi scheduler run).
SCHEDULER_INTERVAL_SECONDS = 30
# Seconds after which a delivery claimed by a scheduler that died is tried again by another.
JOB_LEASE_SECONDS = 300
# Attempts to deliver a team notification (backing off 1, 2, 4 … minutes) before giving up.
NOTIFY_MAX_ATTEMPTS = 6
# Slack-compatible incoming-webhook URL for team reminders ({"text": …}); empty: no webhook.
WEBHOOK_URL = ""
# Seconds to wait for the webhook (or the SMTP server) to answer.
WEBHOOK_TIMEOUT_SECONDS = 5
# SMTP server for team reminders by e-mail; empty: no e-mail.
SMTP_HOST = ""
# SMTP port (587 for STARTTLS, 465 for TLS, 25 for plain).
SMTP_PORT = 587
# SMTP user name; empty: no login.
SMTP_USERNAME = ""
# SMTP password.
SMTP_PASSWORD = ""
# Encrypt the SMTP connection: "starttls", "tls" or "none".
SMTP_SECURITY = "starttls"
# Sender address of reminder e-mails.
SMTP_FROM = "candor@localhost"
# Comma-separated recipients of reminder e-mails; empty: every team member. SMTP_FROM also sends subscriber mail.
REMINDER_EMAILS = ""
# Rendered public responses each process keeps (render on change, not per request).
RENDER_CACHE_ENTRIES = 2000
# How often (seconds) each process re-reads the data version: updates show everywhere within about this long.
VERSION_CHECK_SECONDS = 0.5
# E-mail sign-ups allowed per client address on /subscribe (limits syntax; "; " separates several).
SUBSCRIBE_RATE_LIMIT = "5 per minute; 20 per hour"
# E-mail sign-ups allowed per e-mail address, from anywhere (keyed on a hash of the address).
SUBSCRIBE_ADDRESS_RATE_LIMIT = "3 per hour; 10 per day"
# Hours a subscription's confirmation link stays valid; unconfirmed sign-ups are deleted after it.
SUBSCRIBE_CONFIRM_HOURS = 48
# Failed webhook attempts in a row after which an endpoint is disabled (and the team is told).
WEBHOOK_DISABLE_AFTER = 8
