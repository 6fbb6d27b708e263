"""Local stand-ins for the team's channels, for the plan's tests: a webhook receiver and an SMTP stub.

Both listen on 127.0.0.1 only; nothing leaves the machine.
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A Slack-style webhook receiver that records every message it accepted (answered 2xx).

    `hold_at=n` holds the n-th request until `release` is set, then refuses it (503), so a test can kill
    the sender while a delivery is in flight. `delay` slows every answer down a little.
    """

    def __init__(self, status: int = 200, hold_at: int | None = None, delay: float = 0.0):
        """Listen on a free port of 127.0.0.1 (started by `with`)."""
        self.status, self.hold_at, self.delay = status, hold_at, delay
        self.accepted: list[dict] = []
        self.arrivals = 0
        self.arrived, self.release = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            """Handle one webhook POST."""

            def do_POST(self):
                """Accept (or hold, or refuse) one message."""
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._lock:
                    receiver.arrivals += 1
                    number = receiver.arrivals
                if number == receiver.hold_at:
                    receiver.arrived.set()
                    receiver.release.wait(30)
                    self._answer(503)
                    return
                if receiver.delay:
                    time.sleep(receiver.delay)
                if 200 <= receiver.status < 300:
                    with receiver._lock:
                        receiver.accepted.append(
                            {
                                "id": self.headers["X-Candor-Event-Id"],
                                "event": self.headers["X-Candor-Event"],
                                "text": body["text"],
                            }
                        )
                self._answer(receiver.status)

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
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        """Return the receiver's address."""
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def ids(self) -> Counter:
        """Count the accepted messages by event id."""
        return Counter(m["id"] for m in self.accepted)

    def events(self) -> list[str]:
        """List the accepted events' kinds, in order."""
        return [m["event"] for m in self.accepted]

    def __enter__(self) -> Receiver:
        """Start listening."""
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop listening (and let a held request go)."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class SmtpStub:
    """A tiny SMTP server that keeps every message it was given."""

    def __init__(self):
        """Listen on a free port of 127.0.0.1 (started by `with`)."""
        self.messages: list[dict] = []
        stub = self

        class Handler(socketserver.StreamRequestHandler):
            """Handle one SMTP session."""

            def handle(self):
                """Speak just enough SMTP for smtplib to deliver one or more messages."""
                self._say("220 stub ESMTP")
                envelope = {"to": []}
                while line := self.rfile.readline():
                    command = line.decode().strip()
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO", "RSET", "NOOP"):
                        self._say("250 stub")
                    elif verb == "MAIL":
                        self._say("250 OK")
                    elif verb == "RCPT":
                        envelope["to"].append(command.split(":", 1)[1].strip(" <>"))
                        self._say("250 OK")
                    elif verb == "DATA":
                        self._say("354 go on")
                        data = []
                        while (part := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(part.decode())
                        stub.messages.append({**envelope, "data": "".join(data)})
                        envelope = {"to": []}
                        self._say("250 OK")
                    elif verb == "QUIT":
                        self._say("221 bye")
                        return
                    else:
                        self._say("502 not here")

            def _say(self, text: str) -> None:
                """Send one reply line."""
                self.wfile.write(f"{text}\r\n".encode())

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        """Return the port the stub listens on."""
        return self.server.server_address[1]

    def __enter__(self) -> SmtpStub:
        """Start listening."""
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()
