"""Shared pieces of the security suite: a populated shop, URL-map walking and a markup inspector."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from statuspage.extensions import db
from statuspage.models import utcnow
from statuspage.services.components import create_component
from statuspage.services.incidents.lifecycle import open_incident, open_maintenance, resolve
from statuspage.services.team.tokens import create_token, revoke_token
from tests.conftest import PASSWORD
from tests.helpers import incident

ADMIN_PREFIX = "/admin"
API_PREFIX = "/api/v1/"
# Alert intake: monitoring systems POST with their integration's token (no session, so no CSRF token).
ALERTS_PREFIX = "/api/alerts/"
# Write-API routes anyone may read; every other /api/v1 route needs a token.
PUBLIC_API_ENDPOINTS = {"api_v1.openapi"}


@pytest.fixture
def world(app_ctx, owner, editor):
    """Fill the shop: a group and component, an open incident, a resolved one, a draft, a
    maintenance, and API tokens (one active for each role, one revoked)."""
    group = create_component(name="Storefront", is_group=True, user=None)
    checkout = create_component(name="Checkout", group=group, user=None)
    db.session.flush()
    active = incident(title="Checkout is down", components={checkout: "major_outage"})
    done = incident(title="Old trouble")
    resolve(done, body="Fixed.", user=None)
    draft = open_incident(
        title="Secret draft", impact="minor", status="investigating", body="Hush.", user=None,
        draft=True,
    )  # fmt: skip
    start = utcnow() + timedelta(days=2)
    maintenance = open_maintenance(
        title="Database upgrade", body="We upgrade the database.", user=None,
        components=[checkout], scheduled_for=start, scheduled_until=start + timedelta(hours=1),
    )  # fmt: skip
    owner_token, owner_secret = create_token(owner, "owner tool")
    _, editor_secret = create_token(editor, "editor tool")
    revoked, revoked_secret = create_token(editor, "old tool")
    revoke_token(revoked, by=editor)
    db.session.commit()
    return SimpleNamespace(
        owner=owner, editor=editor, group=group, component=checkout, incident=active,
        update=active.updates[0], resolved=done, draft=draft, maintenance=maintenance,
        owner_token=owner_token, owner_secret=owner_secret, editor_secret=editor_secret,
        revoked_secret=revoked_secret, kind="delivery-delay",
    )  # fmt: skip


def login(client, email="owner@shop.test", password=PASSWORD):
    """Log in through the real form and check that it worked."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]
    return response


def routes(app, prefix: str = "/"):
    """Yield (rule, method) for every route under a prefix, HEAD and OPTIONS left out."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or not rule.rule.startswith(prefix):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def candidates(rule, world) -> list[str]:
    """Return paths for a rule with real values for its arguments (several guesses per argument)."""
    values = {
        "public_id": [
            world.incident.public_id,
            world.component.public_id,
            world.update.public_id,
            world.resolved.public_id,
        ],
        "kind": [world.kind],
        "token_id": [str(world.owner_token.id)],
        "direction": ["up"],
    }
    paths = [rule.rule]
    for arg in rule.arguments:
        pattern = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?" + arg + ">")
        numeric = pattern.search(rule.rule).group(1) == "int"
        options = values.get(arg, ["1" if numeric else "x"])
        paths = [pattern.sub(option, path) for path in paths for option in options]
    return paths


def sample_path(rule, world) -> str:
    """Return one path for a rule."""
    return candidates(rule, world)[0]


# --- what may appear in markup ------------------------------------------------------------------

_URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
    "codebase", "cite", "srcset", "ping", "manifest", "icon", "lowsrc", "dynsrc", "longdesc",
}  # fmt: skip
_FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "foreignobject",
    "animate", "set", "use", "handler", "listener", "portal", "template", "noscript", "xmp",
    "plaintext", "isindex",
}  # fmt: skip
_SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


class _Inspector(HTMLParser):
    """Collect everything in a document that could run script, load a frame or restyle the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        """Judge one element and its attributes."""
        attrs = [(name.lower(), value or "") for name, value in attrs]
        found = dict(attrs)
        if tag in _FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            if not found.get("src", "").startswith("/static/"):
                self.problems.append(f"<script {found}>")
            self._script = ""
        if tag == "meta" and "http-equiv" in found:
            self.problems.append(f"<meta http-equiv={found['http-equiv']!r}>")
        if tag == "link" and found.get("rel") not in ("stylesheet", "alternate", "icon"):
            self.problems.append(f"<link rel={found.get('rel')!r}>")
        if tag == "form" and _SCHEME.match(_squeeze(found.get("action", ""))):
            self.problems.append(f"<form action={found['action']!r}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style" and tag not in ("html",):
                self.problems.append(f"<{tag} style={value!r}>")
            if name in _URL_ATTRIBUTES and not _safe_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data):
        if self._script is not None and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def _squeeze(value: str) -> str:
    """Lower-case a URL and drop what browsers ignore in a scheme (spaces, tabs, controls)."""
    return _INVISIBLE.sub("", value).lower()


def _safe_url(value: str) -> bool:
    """Tell whether a URL attribute is relative or uses a harmless scheme."""
    for part in value.split(","):  # srcset lists several
        match = _SCHEME.match(_squeeze(part))
        if match and match.group(1) not in _SAFE_SCHEMES:
            return False
    return True


def unsafe_markup(html: str) -> list[str]:
    """Return what in an HTML document or fragment could execute or take over the page."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


# --- the hostile corpus -------------------------------------------------------------------------

CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "<svg><script>alert(4)</script></svg>",
    '"><script>alert(5)</script>',
    "'><img src=x onerror=alert(6)>",
    '<a href="javascript:alert(7)">x</a>',
    '<a href="jav&#x09;ascript:alert(8)">x</a>',
    '<iframe src="javascript:alert(9)"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4="></object>',
    "<math><mtext></p><script>alert(11)</script></mtext></math>",
    "<<script>script>alert(12)<</script>/script>",
    "<scr<script>ipt>alert(13)</script>",
    "</textarea><script>alert(14)</script>",
    "</title><script>alert(15)</script>",
    "--><script>alert(16)</script><!--",
    "<style>*{display:none}</style>",
    '<div style="background:url(javascript:alert(17))">styled</div>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(18)">',
    '<form action="https://evil.example/"><input name="p"><button>Go</button></form>',
    "<details open ontoggle=alert(19)>",
    '<svg><animate attributeName="href" values="javascript:alert(20)"/></svg>',
    "[click](javascript:alert(21))",
    "[click](JaVaScRiPt:alert(22))",
    "[click](&#106;avascript:alert(23))",
    "[click](javascript&colon;alert(24))",
    "![img](javascript:alert(25))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMjYpPg==)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgyNyk8L3NjcmlwdD4=)",
    "<javascript:alert(28)>",
    "[ref][r]\n\n[r]: javascript:alert(29)",
    '[x](https://ok.example "t\\" onmouseover=\\"alert(30))',
    '[x](" onmouseover="alert(31))',
    "`<script>alert(32)</script>`",
    "```\n<script>alert(33)</script>\n```",
    "]]><script>alert(34)</script>",
    "&lt;script&gt;alert(35)&lt;/script&gt;",
    '<a href="vbscript:msgbox(36)">v</a>',
    "RTL \u202egnp.exe\u202c and \u2066isolate\u2069 \u200f mark",
    "zero\u200bwidth \ufeff bom \u2028 line sep",
    "emoji 😀, ä, 中文, עברית, العربية",
    "{{ 7*7 }} {% raw %} {{ config }}",
]


def one_line(text: str) -> str:
    """Return text on one line (titles and names take no line breaks)."""
    return " ".join(text.split())


def title_chunks(limit: int = 190) -> list[str]:
    """Split the corpus into one-line pieces short enough for titles and names."""
    chunks, current = [], ""
    for item in map(one_line, CORPUS):
        if current and len(current) + len(item) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current} {item}".strip()
    return [*chunks, current]
