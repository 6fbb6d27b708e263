"""Hardening: security headers, the session cookie, proxies and login rate limits.

Every response gets a Content-Security-Policy (scripts only from this site, never inline),
X-Content-Type-Options, Referrer-Policy and Permissions-Policy. The team's pages (/admin, /login,
/logout) may not be framed at all and are never stored by caches; public pages may be framed only by
the origins in PUBLIC_FRAME_ANCESTORS. JSON, feeds, badges and /embed.js keep working cross-origin:
framing rules do not apply to them and nothing here sets a Cross-Origin-Resource-Policy.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, flash, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

PRIVATE_PREFIXES = ("/admin", "/login", "/logout", "/join")
# The write API's answer (always English); the login page says it in the member's language.
LOCKED_OUT = "Too many attempts. Please wait a few minutes and try again."

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors {ancestors}"
)


def client_address() -> str:
    """Return the client's address (the proxy's unless TRUSTED_PROXIES says how many to trust)."""
    return request.remote_addr or "unknown"


# Counts live in RATELIMIT_STORAGE_URI (memory:// per process; redis://… shared by every worker and
# node). When that store fails, limits go on per process rather than failing the team's login.
limiter = Limiter(client_address, strategy="moving-window", in_memory_fallback_enabled=True)


def is_private(path: str) -> bool:
    """Tell whether a path belongs to the team's side (never framed, never cached)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PRIVATE_PREFIXES)


class TeamSessionInterface(SecureCookieSessionInterface):
    """Refresh the session cookie on the team's pages only, so public responses never carry one."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Set the cookie when the session changed, or to extend it while the team is active."""
        return session.modified or (
            session.permanent
            and app.config["SESSION_REFRESH_EACH_REQUEST"]
            and is_private(request.path)
        )


def init_app(app: Flask) -> None:
    """Install the proxy fix, the session interface, the headers and the login rate limits."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
    app.session_interface = TeamSessionInterface()  # HttpOnly and SameSite=Lax: see create_app
    limiter.init_app(app)
    app.after_request(add_security_headers)
    app.register_error_handler(RateLimitExceeded, locked_out)


def add_security_headers(response):
    """Add the security headers (a view's own choice wins)."""
    private = is_private(request.path)
    ancestors = "'none'" if private else current_app.config["PUBLIC_FRAME_ANCESTORS"]
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _CSP.format(ancestors=ancestors))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if private:
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Cache-Control", "no-store")
    else:
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def login_attempts(view):
    """Limit failed attempts at a login step, per client address and per account.

    Only failures count (a step that succeeds redirects); once a limit is reached every attempt
    gets the same answer, whether the account exists or not and whether the password is right.
    """
    per_address = limiter.limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        methods=["POST"],
        deduct_when=_failed,
        scope="login-address",
    )
    per_account = limiter.limit(
        lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-account",
    )
    return per_account(per_address(view))


def _failed(response) -> bool:
    """Tell whether a login step failed (success is always a redirect)."""
    return response.status_code not in (302, 303)


def _account_key() -> str:
    """Key the per-account limit by the e-mail typed, or by the account awaiting its second step."""
    pending = session.get("pending_2fa") or {}
    email = (request.form.get("email") or pending.get("email") or "").strip().lower()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def locked_out(error: RateLimitExceeded):
    """Answer a rate-limited login with the login page and a message that reveals nothing."""
    from statuspage.forms import LoginForm

    if request.path.startswith("/api/"):
        from statuspage.errors import _render

        return _render(429, LOCKED_OUT)
    flash(_("Too many attempts. Please wait a few minutes and try again."), "error")
    return render_template("admin/login.html", form=LoginForm(formdata=None)), 429
