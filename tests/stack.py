"""Run the production stack on 127.0.0.1: the app under its production server, nginx, Redis.

Used by tests/test_deploy.py, tests/test_nodes.py and `make bench`. Everything listens on free ports of
127.0.0.1 and is stopped at the end.

- `AppServer` runs the production command — the ExecStart of deploy/systemd/candor-web.service, with
  this checkout's virtualenv, a local port and two workers — in a session of its own, so a test can
  kill every worker at once.
- `Nginx` runs Debian's nginx unprivileged (as `nobody` when root, master included) from a temporary
  prefix; `proxy_site` derives its site from the shipped deploy/nginx/candor.conf, replacing exactly the
  port, the cache folder and the upstream servers.
- `Redis` runs Debian's redis-server without persistence.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "deploy" / "nginx" / "candor.conf"
WEB_UNIT = ROOT / "deploy" / "systemd" / "candor-web.service"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """Return a port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proxy_site(port: int, upstreams: list[int], cache: Path) -> str:
    """Return the shipped site configuration, listening on `port`, in front of the given app ports."""
    text = SHIPPED.read_text()
    servers = "\n    ".join(f"server 127.0.0.1:{p} fail_timeout=2s;" for p in upstreams)
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("proxy_cache_path /var/cache/nginx/candor ", f"proxy_cache_path {cache} "),
        ("server 127.0.0.1:8000 fail_timeout=2s;", servers),
    ):
        assert text.count(old) == 1, f"deploy/nginx/candor.conf no longer has {old!r} once"
        text = text.replace(old, new)
    return text


class Nginx:
    """One nginx, its configuration written into a fresh prefix; `with Nginx(http) as server:`."""

    def __init__(self, http: str | Callable[[Path], str], port: int) -> None:
        """Prepare a prefix holding nginx.conf with `http` inside: http-level directives, or a function
        of the folder nginx may keep its cache in that returns them."""
        self.port = port
        self.prefix = Path(tempfile.mkdtemp(prefix="candor-nginx-"))
        self.user = pwd.getpwnam("nobody") if os.getuid() == 0 else None
        for folder in ("logs", "temp", "cache"):
            (self.prefix / folder).mkdir()
        try:
            site = http(self.cache) if callable(http) else http
        except Exception:
            shutil.rmtree(self.prefix)
            raise
        temp = self.prefix / "temp"
        paths = " ".join(
            f"{kind}_temp_path {temp}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.prefix / "nginx.conf").write_text(
            f"worker_processes 2;\npid {self.prefix}/nginx.pid;\n"
            f"error_log {self.prefix}/logs/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n access_log off;\n {paths}\n"
            " types { text/html html; text/css css; application/javascript js; }\n"
            f"{site}\n}}\n"
        )
        if self.user is not None:
            for path in [self.prefix, *self.prefix.rglob("*")]:
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self.process: subprocess.Popen | None = None

    @property
    def cache(self) -> Path:
        """Return the folder nginx may keep its proxy cache in."""
        return self.prefix / "cache"

    @property
    def url(self) -> str:
        """Return the address nginx listens on."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        """Start nginx in the foreground (as nobody when root) and wait until it answers."""
        command = [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf")]
        command += ["-e", str(self.prefix / "logs" / "error.log"), "-g", "daemon off;"]
        extra = {}
        if self.user is not None:
            extra = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        self.process = subprocess.Popen(command, start_new_session=True, **extra)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx stopped: {self.errors()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"nginx did not start: {self.errors()}")

    def errors(self) -> str:
        """Return nginx's error log."""
        log = self.prefix / "logs" / "error.log"
        return log.read_text() if log.exists() else ""

    def stop(self) -> None:
        """Stop nginx and remove its prefix."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> Nginx:
        """Start."""
        return self.start()

    def __exit__(self, *exc) -> None:
        """Stop."""
        self.stop()


def production_command() -> str:
    """Return the production server command exactly as deploy/systemd/candor-web.service runs it."""
    return re.search(r"^ExecStart=(.+)$", WEB_UNIT.read_text(), re.M).group(1).strip()


def local_command(port: int, workers: int = 2) -> list[str]:
    """Return the production command for this checkout: its virtualenv, a local port, a few workers."""
    args = shlex.split(production_command())
    args[0] = str(Path(sys.executable).parent / Path(args[0]).name)
    for option, value in (("--port", port), ("--workers", workers)):
        args[args.index(option) + 1] = str(value)
    return args


def get(url: str, headers: dict | None = None, timeout: float = 5):
    """Send a GET; return the response (an HTTPError for 4xx/5xx is a response too)."""
    try:
        return urllib.request.urlopen(
            urllib.request.Request(url, headers=headers or {}), timeout=timeout
        )
    except urllib.error.HTTPError as error:
        return error


class AppServer:
    """The app under the production server, in a session of its own (all its workers in one group)."""

    def __init__(
        self,
        env: dict,
        port: int | None = None,
        command: list[str] | None = None,
        stop_signal: int = signal.SIGINT,  # granian's (systemd's KillSignal); gunicorn's is SIGTERM
    ) -> None:
        """Prepare the server with these extra environment variables (the instance folder, the database)."""
        self.port = port or free_port()
        self.env = {**os.environ, **env}
        self.command = command or local_command(self.port)
        self.stop_signal = stop_signal
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Return the server's address."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> AppServer:
        """Start the server and wait until /healthz answers."""
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, start_new_session=True, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.command[0]} exited with {self.process.returncode}")
            try:
                if urllib.request.urlopen(self.url + "/healthz", timeout=1).status == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"{' '.join(self.command)} did not answer within {timeout} s")

    def workers(self) -> list[int]:
        """Return the worker processes' ids (the server's children)."""
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(pid) for pid in found]

    def kill(self) -> None:
        """Kill the server and every worker at once (SIGKILL to the whole group), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """Stop the server gracefully, killing it if it lingers."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> AppServer:
        """Start."""
        return self.start()

    def __exit__(self, *exc) -> None:
        """Stop."""
        self.stop()


class Redis:
    """Debian's redis-server on a free port, nothing saved to disk."""

    def __init__(self) -> None:
        """Pick a port."""
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Return the storage URI for Flask-Limiter."""
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> Redis:
        """Start redis-server and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.02)
        self.__exit__()
        raise RuntimeError("redis-server did not start")

    def __exit__(self, *exc) -> None:
        """Stop redis-server."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
