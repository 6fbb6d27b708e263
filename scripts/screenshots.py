"""Regenerate the screenshots in the README and docs/languages.md from the real app: the demo shop in English and Arabic, light and dark.

Run: .venv/bin/python scripts/screenshots.py   (needs Debian's chromium; writes docs/screenshots/*.png)
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["STATUSPAGE_INSTANCE_PATH"] = tempfile.mkdtemp()

from statuspage import create_app  # noqa: E402
from statuspage.extensions import db  # noqa: E402
from statuspage.services.demo import load_demo  # noqa: E402


def main() -> None:
    """Serve a fresh demo shop and photograph its status page."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///"
            + os.environ["STATUSPAGE_INSTANCE_PATH"]
            + "/demo.db"
        }
    )
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for lang in ("en", "ar"):
            for scheme in ("light", "dark"):
                page = browser.new_page(
                    viewport={"width": 1000, "height": 900}, color_scheme=scheme
                )
                page.goto(f"{base}/?lang={lang}")
                page.screenshot(path=str(out / f"status-{lang}-{scheme}.png"), full_page=True)
                page.close()
        browser.close()
    server.shutdown()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
