"""Default settings. Every key can be overridden by an environment variable STATUSPAGE_<KEY>.

Each key has a comment saying what it does; tests/test_docs.py fails when a key is missing from the README.
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
# Largest request body accepted, in bytes.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
