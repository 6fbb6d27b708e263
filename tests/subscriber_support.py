"""Real local servers for the subscriber tests: an SMTP server (aiosmtpd) and an HTTP webhook receiver.

Both listen on 127.0.0.1 only; nothing leaves the machine.
"""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def _free_port() -> int:
    """Return a port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd server that keeps every message; `refuse` makes it answer RCPT with a code."""

    def __init__(self):
        """Prepare the server on a free port (started by `with`)."""
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None  # e.g. "450 4.2.1 Mailbox busy" or "550 5.1.1 No such user"
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Accept a recipient, unless told to refuse."""
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the message."""
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """Return the messages sent to one address."""
        return [m for m in self.messages if m["To"] == address]

    def __enter__(self) -> Inbox:
        """Start listening."""
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop listening."""
        self.controller.stop()


class HookReceiver:
    """An HTTP receiver that records every POST (headers and raw body) and answers with `status`."""

    def __init__(self, status: int = 200):
        """Listen on a free port of 127.0.0.1 (started by `with`)."""
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            """Record one delivery."""

            def do_POST(self):
                """Keep the request and answer with the receiver's status."""
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"headers": dict(self.headers), "raw": raw, "json": json.loads(raw)}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                """Stay quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        """Return the receiver's address."""
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> HookReceiver:
        """Start listening."""
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()
