"""The floor for comparison: Flask's "hello world" returning 15 KB, served like Candor in the bench."""

from flask import Flask

app = Flask(__name__)
BODY = "x" * 15_000


@app.route("/")
def hello() -> str:
    """Return a fixed 15 KB body."""
    return BODY
