"""Outbound HTTP for webhooks: public addresses only, to the address that was checked, no redirects.

A webhook URL is typed by an owner (subscribers' endpoints) or set by the operator (WEBHOOK_URL, the
team's channel). Left alone, either could point the scheduler at the shop's own network — `127.0.0.1`,
`169.254.169.254` (cloud metadata), `10.0.0.5` — and the delivery log would report what answered there:
a port scanner. So every address a URL names is checked, in every spelling the resolver accepts
(`2130706433`, `0x7f000001`, `127.1`, `[::1]`, `[::ffff:127.0.0.1]`, `0.0.0.0`, names that resolve to
such addresses), and refused unless it is a public unicast address:

- at save time (`check`, from `webhooks.add_endpoint`): a literal address, or a name that resolves now,
  is checked; a name that does not resolve yet is accepted (DNS may come later) and checked at send;
- at send time (`post`): the name is resolved once, every address is checked, and the connection goes
  to the address that was checked (no second lookup, so DNS rebinding cannot swap it); TLS still
  verifies the certificate for the name. Redirects are never followed (a 3xx is a failed delivery)
  and proxies from the environment are not used.

WEBHOOK_ALLOW_PRIVATE lets a shop whose receivers live on its own network (or a test with a local
receiver) turn the address check off explicitly; the scheme must still be http or https.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
PRIVATE = "refused: private address"


class Refused(Exception):
    """The URL points where the scheduler must not connect."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the address checked) and what to ask for."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def forbidden(address: Address) -> bool:
    """Tell whether an address is internal: loopback, private, link-local, multicast, reserved …"""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return forbidden(embedded)
        if address.teredo:
            return True
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def allow_private() -> bool:
    """Tell whether the operator allowed internal webhook targets (WEBHOOK_ALLOW_PRIVATE)."""
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"])


def parse(url: str) -> tuple[str, str, int, str]:
    """Split an http(s) URL into scheme, host, port and path; ValueError when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("The webhook URL must be a full http:// or https:// address.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValueError("The webhook URL has an invalid port.") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def resolve(host: str, port: int) -> list[Address]:
    """Return every address a host name or literal (in any spelling) stands for; [] when none."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    addresses = []
    for *_, sockaddr in found:
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) says nothing more
        addresses.append(ipaddress.ip_address(text))
    return addresses


def check(url: str, *, resolved: bool = False) -> Target | None:
    """Refuse a URL naming an internal address; return where to connect (None: the name does not
    resolve, accepted at save time unless `resolved` is required)."""
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    if not addresses:
        if resolved:
            raise Refused(f"refused: {host} does not resolve")
        return None
    if not allow_private():
        bad = next((a for a in addresses if forbidden(a)), None)
        if bad is not None:
            raise Refused(f"{PRIVATE} ({bad})")
    return Target(scheme, host, port, str(addresses[0]), path)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST a body to the address checked for this URL; return the status (redirects not followed).

    Raises Refused for an internal address, OSError (and http.client errors) for network trouble.
    """
    target = check(url, resolved=True)
    if target is None:  # check() refuses a name that does not resolve when asked to
        raise Refused("refused: the address does not resolve")
    connection = _connection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(1024)
        return answer.status
    finally:
        connection.close()


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    """Open a connection to the checked address, speaking to (and verifying) the URL's host name."""
    if target.scheme == "https":
        return _PinnedHTTPS(target.host, target.port, target.address, timeout)
    return _PinnedHTTP(target.host, target.port, target.address, timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to a fixed address; the Host header still names the URL's host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        """Connect to the address that was checked, never to a fresh lookup of the name."""
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address; SNI and the certificate check use the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        """Connect to the checked address and verify the certificate for the host name."""
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
