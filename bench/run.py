"""Benchmark the public surfaces against nginx serving the same bytes from a file, in one run.

Rows: nginx static (the limit), the app alone under the production command (deploy/systemd's
ExecStart, as the README says), the shipped nginx front cache in front of the app, and the other
servers considered; then freshness, an agent publishing during the flood, 100 vs 10,000 incidents and
worker memory under a flood of distinct URLs. Requests carry `Accept-Encoding: gzip` as browsers do.
Run with `make bench` (installs wrk and nginx from Debian when missing); see bench/README.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.stack import AppServer, Nginx, free_port, get, production_command, proxy_site  # noqa: E402

SURFACES = ["/", "/incidents/{id}", "/history.rss", "/api/v2/summary.json", "/badge.svg"]
DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
GZIP = {"Accept-Encoding": "gzip"}
VENV = Path(sys.executable).parent
OTHER_SERVERS = {
    "gunicorn gthread 2×4": [str(VENV / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4"],
    "gunicorn sync 2": [str(VENV / "gunicorn"), "-w", "2"],
}


def seed(instance: Path, incidents: int, updates_each: int) -> dict:
    """Create a database with the demo shop and many past incidents; return ids and an API token."""
    os.environ["STATUSPAGE_INSTANCE_PATH"] = str(instance)
    from sqlalchemy import insert

    from statuspage import create_app
    from statuspage.extensions import db
    from statuspage.models import Component, Incident, IncidentUpdate, new_public_id, utcnow
    from statuspage.services.demo import load_demo
    from statuspage.services.team.tokens import create_token
    from statuspage.services.team.users import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/candor.db"})
    with app.app_context():
        db.create_all()
        active = load_demo()
        _, token = create_token(
            create_user("agent@shop.test", "correct horse battery staple", "editor"), "bench"
        )
        db.session.commit()
        now = utcnow()
        rows, updates = [], []
        for n in range(incidents):
            start = now - timedelta(days=15 + n % 700, minutes=n)
            rows.append({"public_id": new_public_id(), "title": f"Past incident {n}", "status": "resolved",
                         "impact": "minor", "started_at": start, "resolved_at": start + timedelta(hours=2),
                         "variables": {}, "draft": False, "is_maintenance": False})  # fmt: skip
        db.session.execute(insert(Incident), rows)
        ids = db.session.execute(
            db.select(Incident.id, Incident.started_at).where(
                Incident.title.like("Past incident %")
            )
        ).all()
        for incident_id, start in ids:
            for k in range(updates_each):
                status = "resolved" if k == updates_each - 1 else "investigating"
                updates.append({"public_id": new_public_id(), "incident_id": incident_id, "status": status,
                                "body": "An update.", "body_html": "<p>An update.</p>", "display_at": start + timedelta(minutes=20 * k),
                                "component_changes": [], "translations": {}})  # fmt: skip
        for chunk in range(0, len(updates), 5000):
            db.session.execute(insert(IncidentUpdate), updates[chunk : chunk + 5000])
        db.session.commit()
        support = db.session.scalar(
            db.select(Component).where(Component.name == "Customer support")
        )
        return {"incident": active.public_id, "token": token, "component": support.public_id}


def wrk(url: str, seconds: int = DURATION, script: Path | None = None) -> dict:
    """Drive a URL with wrk; return req/s, p50 and p99 in ms, and the failed answers."""
    for _ in range(4):
        get(url, GZIP).read()  # warm every worker's cache
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        "Accept-Encoding: gzip",
    ]
    command += ["-s", str(script)] if script else []
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    print(f"  {url}: {re.search(r'Requests/sec:.*', out).group(0)}", file=sys.stderr, flush=True)
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": _ms(out, "50%"),
        "p99": _ms(out, "99%"),
        "failed": (int(failed.group(1)) if failed else 0)
        + (sum(map(int, errors.groups())) if errors else 0),
    }


def _ms(out: str, label: str) -> float:
    """Read a latency percentile from wrk's output, in milliseconds."""
    value, unit = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def memory(server: AppServer) -> float:
    """Return the largest worker's resident memory in MB."""
    sizes = []
    for pid in server.workers():
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes, default=0.0)


class Site:
    """A seeded database and the app serving it (the production command unless told otherwise)."""

    def __init__(self, incidents: int) -> None:
        """Seed a fresh SQLite database in a temporary folder (in another process: a clean import)."""
        self.instance = Path(tempfile.mkdtemp(prefix="candor-bench-"))
        out = subprocess.run([sys.executable, __file__, "--seed", str(self.instance), str(incidents)],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        self.ids = json.loads(out.strip().splitlines()[-1])
        self.env = {
            "STATUSPAGE_INSTANCE_PATH": str(self.instance),
            "STATUSPAGE_SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.instance}/candor.db",
        }
        self.published = 0

    def server(self, command: list[str] | None = None, **settings: str) -> AppServer:
        """Return a server for this site (started by `with`), with some settings changed."""
        port = free_port()
        env = {**self.env, **{f"STATUSPAGE_{name}": value for name, value in settings.items()}}
        if command:  # gunicorn
            command = [*command, "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
            return AppServer(env, port, command, stop_signal=signal.SIGTERM)
        return AppServer(env, port)

    def urls(self, base: str) -> list[str]:
        """Return every surface's address on a server."""
        return [base + s.format(id=self.ids["incident"]) for s in SURFACES]

    def publish(self, base: str) -> tuple[str, float]:
        """Publish an update through the write API, flipping a component; return its text and the wait."""
        self.published += 1
        marker = f"Fresh update {self.published} {time.time():.0f}"
        status = "major_outage" if self.published % 2 else "operational"
        body = {
            "status": "monitoring",
            "body": marker,
            "components": {self.ids["component"]: status},
        }
        asked = urllib.request.Request(
            f"{base}/api/v1/incidents/{self.ids['incident']}/updates",
            data=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.ids['token']}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        started = time.monotonic()
        with urllib.request.urlopen(asked, timeout=30) as answer:
            assert answer.status == 201, answer.status
        return marker, time.monotonic() - started

    def freshness(self, base: str, read_base: str | None = None) -> tuple[float, float]:
        """Publish (on base); return the answer's wait and the seconds until every surface shows it.

        A surface shows it when its text has the update (the badge: when it changed, since the update
        flips a component). Each surface is asked several times so every worker answers.
        """
        urls = self.urls(read_base or base)
        before = {url: get(url).read() for url in urls}
        marker, answered = self.publish(base)
        published = time.monotonic()
        pending = set(urls)
        while pending and time.monotonic() - published < 15:
            for url in list(pending):
                for _ in range(4):
                    body = get(url).read()
                    if marker.encode() in body or (url.endswith(".svg") and body != before[url]):
                        pending.discard(url)
                        break
            time.sleep(0.01)
        return answered, (time.monotonic() - published if not pending else float("inf"))

    def __enter__(self) -> Site:
        """Use the site."""
        return self

    def __exit__(self, *exc) -> None:
        """Remove the database."""
        shutil.rmtree(self.instance, ignore_errors=True)


def static_site(urls: list[str], folder: Path) -> str:
    """Save each surface's bytes as served (gzip) and return nginx locations serving them from files."""
    locations = []
    for n, url in enumerate(urls):
        answer = get(url, GZIP)
        (folder / f"{n}.body").write_bytes(answer.read())
        path = urllib.request.urlparse(url).path
        encoding = (
            "add_header Content-Encoding gzip;" if answer.headers.get("Content-Encoding") else ""
        )
        kind = answer.headers["Content-Type"]
        locations.append(f'location = {path} {{ types {{ }} default_type "{kind}"; {encoding} '
                         f'add_header Vary Accept-Encoding; root {folder}; try_files /{n}.body =404; }}')  # fmt: skip
    return "\n".join(locations)


def main() -> None:
    """Measure everything and print the tables."""
    rows, report = {}, {}
    with Site(10_000) as large:
        with large.server() as app:
            urls = large.urls(app.url)
            port = free_port()
            files = Path(tempfile.mkdtemp(prefix="candor-static-"))
            os.chmod(files, 0o755)
            with Nginx(
                f"server {{ listen 127.0.0.1:{port}; {static_site(urls, files)} }}", port
            ) as static:
                rows["nginx static"] = [wrk(u.replace(app.url, static.url)) for u in urls]
            shutil.rmtree(files, ignore_errors=True)
            rows["app (production command)"] = [wrk(u) for u in urls]
            report["memory"] = memory(app)
            report["fresh"] = [large.freshness(app.url) for _ in range(FRESH_TRIES)]
            report["starve"] = starved(large, app.url)
            port = free_port()
            with Nginx(lambda cache: proxy_site(port, [app.port], cache), port) as front:
                rows["nginx cache → app"] = [wrk(u.replace(app.url, front.url)) for u in urls]
                report["front fresh"] = [
                    large.freshness(app.url, front.url) for _ in range(FRESH_TRIES)
                ]
        # A fresh server with the default store: a flood of distinct URLs for a while.
        with large.server() as app:
            report["flood"] = flood(app, SURFACES[1].format(id=large.ids["incident"]))
        for name, command in OTHER_SERVERS.items():
            with large.server(command) as other:
                rows[name] = [wrk(large.urls(other.url)[0])]
    with Site(100) as small, small.server() as app:
        rows["app, 100 incidents"] = [wrk(u) for u in small.urls(app.url)]
        report["small memory"] = memory(app)
    print_report(rows, report)


def starved(site: Site, base: str) -> tuple[float, float]:
    """Flood / while an agent publishes; return the answer's wait and the time until it is everywhere."""
    flooding = subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION + 4}s",
            "-H",
            "Accept-Encoding: gzip",
            base + "/",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)
        return site.freshness(base)
    finally:
        flooding.wait()


FRESH_TRIES = 5  # publishes land anywhere in nginx's second: the worst of a few tells more than one
FLOOD_SCRIPT = """
local threads = 0
function setup(thread) thread:set("first", threads * 10000000); threads = threads + 1 end
function init(args) n = first end
function request() n = n + 1; return wrk.format(nil, path .. "?x=" .. n) end
"""


def flood(server: AppServer, path: str) -> tuple[dict, list[float]]:
    """Ask a page with distinct queries (?x=1, 2, …) for a while; return wrk's result and RSS samples.

    Each URL is new (two wrk threads counting from 0 and from 10,000,000), so the request count is the
    count of distinct URLs. The largest worker's RSS is sampled every second: before, during, after.
    """
    get(server.url + path).read()  # the page itself, rendered once
    samples, done = [memory(server)], threading.Event()

    def sample() -> None:
        """Note the largest worker's RSS every second until the flood ends."""
        while not done.wait(1.0):
            samples.append(memory(server))

    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(f'path = "{path}"\n' + FLOOD_SCRIPT)
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        seconds = int(os.environ.get("BENCH_FLOOD_SECONDS", 20))
        result = wrk(server.url + path, seconds=seconds, script=script)
    finally:
        done.set()
        sampler.join()
        script.unlink()
    samples.append(memory(server))
    return result, samples


def print_report(rows: dict, report: dict) -> None:
    """Print the table (nginx static first, ratios to it) and the other findings."""
    limit = rows["nginx static"]
    print(
        f"\nCandor public surfaces, 10,000 past incidents — wrk -t2 -c{CONNECTIONS} -d{DURATION}s, gzip, one machine"
    )
    print(f"production command: {production_command()}\n")
    print(
        f"{'server':28} {'surface':22} {'req/s':>8} {'× nginx':>8} {'p50 ms':>7} {'p99 ms':>7} {'p99 ×':>6} {'errors':>6}"
    )
    for name, results in rows.items():
        for surface, result, base in zip(SURFACES, results, limit, strict=False):
            print(f"{name:28} {surface:22} {result['rps']:8.0f} {result['rps'] / base['rps']:8.2f} "
                  f"{result['p50']:7.2f} {result['p99']:7.2f} {result['p99'] / base['p99']:6.2f} {result['failed']:6d}")  # fmt: skip
        print()
    small, large = rows["app, 100 incidents"], rows["app (production command)"]
    flat = ", ".join(
        f"{s} {b['p50'] / a['p50']:.2f}" for s, a, b in zip(SURFACES, small, large, strict=True)
    )
    print(f"history: p50 with 10,000 incidents / with 100: {flat}")
    result, samples = report["flood"]
    half = samples[len(samples) // 2]
    print(
        f"memory: largest worker {report['small memory']:.1f} MB (100 incidents), {report['memory']:.1f} MB "
        f"(10,000); flood of {result['requests']:,} distinct URLs /incidents/…?x=1, 2, … "
        f"({result['rps']:.0f} req/s, {result['failed']} errors): {samples[0]:.1f} MB before, "
        f"{half:.1f} MB half-way, {samples[-1]:.1f} MB after (max {max(samples):.1f})"
    )
    for name, tries in (
        ("app alone", report["fresh"]),
        ("nginx cache → app", report["front fresh"]),
    ):
        print(
            f"fresh, {name}: published in {max(a for a, _ in tries):.2f} s at most; on every surface "
            f"{', '.join(f'{v:.2f}' for _, v in tries)} s later (worst {max(v for _, v in tries):.2f})"
        )
    answered, visible = report["starve"]
    print(
        f"team during the flood of /: published in {answered:.2f} s, on every surface {visible:.2f} s later"
    )
    print("goals: app ≥ 0.5 × nginx static, p99 ≤ 2 × nginx's; fresh ≤ 1 s; publish ≤ 1 s and visible ≤ 1 s more"
          " during the flood; p50 @10k ≤ 1.1 × @100; memory bounded")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--seed":
        print(json.dumps(seed(Path(sys.argv[2]), int(sys.argv[3]), 5)))
    else:
        main()
