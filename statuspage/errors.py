"""Error pages: HTML for people (the team's pages inside the admin layout), JSON for the API."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from statuspage.extensions import db
from statuspage.services.transactions import is_transient

_TEXT = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing here."),
    405: _l("That method is not allowed here."),
    413: _l("That is too large."),
}


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.before_request
    def refuse_nul_characters():
        # Databases (PostgreSQL) cannot store NUL; refuse it up front instead of failing later.
        values = [*request.args.values(), *request.form.values(), request.path]
        if any("\x00" in value for value in values):
            return _render(400, "The request contains a NUL character, which is not allowed.")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400, "The form expired or was sent from elsewhere. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500, _TEXT.get(error.code, error.description))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        if is_transient(error):  # a page that does not retry its own write: say busy, not broken
            app.logger.warning("Database busy: %s", error)
            response = _render(503, _("The database is busy. Please try again in a moment."))
            response.headers["Retry-After"] = "2"
            return response
        app.logger.exception("Unhandled error")
        return _render(500, InternalServerError.description)


def _render(code: int, message: str):
    """Answer in JSON under /api, in HTML elsewhere (in the admin's layout for a logged-in member)."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"status": code, "message": str(message)}})
    else:
        admin = request.path.startswith("/admin") and _logged_in()
        template = "errors/admin.html" if admin else "errors/error.html"
        response = make_response(render_template(template, code=code, message=message))
    response.status_code = code
    return response


def _logged_in() -> bool:
    """Tell whether a team member is logged in (False when even that cannot be found out)."""
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # the database is what failed: the public layout needs nothing from it
        db.session.rollback()
        return False
