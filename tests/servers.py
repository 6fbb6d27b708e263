"""Real local servers for the tests: a webhook receiver (HTTP) and an SMTP inbox (aiosmtpd).

Both listen on 127.0.0.1 only; nothing leaves the machine. The `receiver` and `inbox` fixtures in
conftest.py start them; a test changes a receiver's behaviour through its attributes.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Delivery:
    """One POST the receiver got: its headers and raw body."""

    headers: dict[str, str]
    raw: bytes

    @cached_property
    def json(self) -> dict:
        """Return the body as JSON."""
        return json.loads(self.raw)

    @property
    def id(self) -> str:
        """Return the event id the sender gave (the same on every retry)."""
        return self.headers["X-Candor-Event-Id"]

    @property
    def event(self) -> str:
        """Return the event's kind, e.g. "reminder.soon"."""
        return self.headers["X-Candor-Event"]

    @property
    def text(self) -> str:
        """Return a Slack-style message's text (team notices)."""
        return self.json["text"]


class Receiver:
    """A webhook receiver: records every POST in `requests`, the ones it answered 2xx in `accepted`.

    `status` is the answer; `delay` slows every answer down a little; `hold_at=n` holds the n-th
    request until `release` is set, then refuses it (503), so a test can kill the sender while a
    delivery is in flight (`arrived` is set when it comes).
    """

    def __init__(self, status: int = 200, hold_at: int | None = None, delay: float = 0.0):
        """Listen on a free port of 127.0.0.1 (started by `with`)."""
        self.status, self.hold_at, self.delay = status, hold_at, delay
        self.requests: list[Delivery] = []
        self.accepted: list[Delivery] = []
        self.arrived, self.release = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            """Handle one webhook POST."""

            def do_POST(self):
                """Record, then accept (or hold, or refuse) one message."""
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                delivery = Delivery(dict(self.headers), raw)
                with receiver._lock:
                    receiver.requests.append(delivery)
                    number = len(receiver.requests)
                if number == receiver.hold_at:
                    receiver.arrived.set()
                    receiver.release.wait(30)
                    self._answer(503)
                    return
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.status
                if 200 <= status < 300:
                    with receiver._lock:
                        receiver.accepted.append(delivery)
                self._answer(status)

            def _answer(self, status: int) -> None:
                """Answer with a status, unless the sender is gone."""
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender was killed meanwhile
                    pass

            def log_message(self, *args):
                """Stay quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        """Return the receiver's address."""
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def ids(self) -> Counter:
        """Count the accepted messages by event id."""
        return Counter(delivery.id for delivery in self.accepted)

    def events(self) -> list[str]:
        """List the accepted events' kinds, in order."""
        return [delivery.event for delivery in self.accepted]

    def __enter__(self) -> Receiver:
        """Start listening."""
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop listening (and let a held request go)."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _free_port() -> int:
    """Return a port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd server that keeps every message; `refuse` makes it answer RCPT with a code.

    `raw` keeps each message as sent (bytes, headers unparsed); `delay` makes every message take that
    many seconds before the server accepts it, as a slow remote relay does (it is kept first: a sender
    killed while waiting has still handed it over).
    """

    def __init__(self, delay: float = 0.0):
        """Prepare the server on a free port (started by `with`)."""
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.delay = delay
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
        """Keep the message (then take `delay` seconds to accept it)."""
        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if self.delay:
            await asyncio.sleep(self.delay)
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
