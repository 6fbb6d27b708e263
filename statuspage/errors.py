"""Error pages: HTML for people, JSON for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from statuspage.extensions import db

_TEXT = {
    400: "The request could not be understood.",
    403: "You are not allowed to do that.",
    404: "There is nothing here.",
    405: "That method is not allowed here.",
    413: "That is too large.",
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
        app.logger.exception("Unhandled error")
        return _render(500, InternalServerError.description)


def _render(code: int, message: str):
    """Answer in JSON under /api, in HTML elsewhere."""
    if request.path.startswith("/api/"):
        return jsonify({"error": {"status": code, "message": message}}), code
    return render_template("errors/error.html", code=code, message=message), code
