"""Benchmark the public surfaces under gunicorn (2 workers) with wrk, side by side with a trivial route.

Requests carry `Accept-Encoding: gzip` as browsers and CDNs do. Prints one table: req/s, p50 and p99 per surface, the ratios to the trivial route /healthz, the 100 vs
10,000-incident comparison, worker memory, and how long a published update takes to show everywhere.
Run with `make bench` (installs wrk from Debian when missing).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SURFACES = ["/", "/incidents/{id}", "/history.rss", "/api/v2/summary.json"]
DURATION = os.environ.get("BENCH_SECONDS", "8")


def seed(instance: Path, incidents: int, updates_each: int) -> str:
    """Create a database with a shop, components and many past incidents; return one incident id."""
    os.environ["STATUSPAGE_INSTANCE_PATH"] = str(instance)
    from sqlalchemy import insert

    from statuspage import create_app
    from statuspage.extensions import db
    from statuspage.models import Incident, IncidentUpdate, new_public_id, utcnow
    from statuspage.services.demo import load_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/candor.db"})
    with app.app_context():
        db.create_all()
        active = load_demo()
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
        return active.public_id


def free_port() -> int:
    """Pick a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    instance: Path, port: int, app: str = "wsgi:app", probe: str = "/healthz"
) -> subprocess.Popen:
    """Start gunicorn with 2 workers on 127.0.0.1 and wait until it answers."""
    env = dict(
        os.environ,
        STATUSPAGE_INSTANCE_PATH=str(instance),
        STATUSPAGE_SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance}/candor.db",
    )
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def wrk(url: str) -> tuple[float, float, float]:
    """Drive a URL with wrk; return (requests/s, p50 ms, p99 ms)."""
    for _ in range(3):
        urllib.request.urlopen(url, timeout=5).read()  # warm the worker caches
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{DURATION}s", "--latency", "-H", "Accept-Encoding: gzip", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, _ms(out, "50%"), _ms(out, "99%")


def _ms(out: str, label: str) -> float:
    """Read a latency percentile from wrk's output, in milliseconds."""
    value, unit = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def worker_memory(process: subprocess.Popen) -> float:
    """Return the largest worker's resident memory in MB."""
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes, default=0.0)


def freshness(instance: Path, base: str, incident_id: str) -> float:
    """Publish an update from another process; return the seconds until every surface shows it."""
    marker = f"Fresh update {time.time():.0f}"
    code = (
        "from statuspage import create_app; from statuspage.extensions import db; "
        "from statuspage.models import Incident; from statuspage.services.incidents.lifecycle import post_update; "
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{instance}/candor.db'}}); ctx = app.app_context(); ctx.push(); "
        f"i = db.session.scalar(db.select(Incident).where(Incident.public_id == '{incident_id}')); "
        f"post_update(i, status='monitoring', body='{marker}', user=None); db.session.commit()"
    )
    env = dict(os.environ, STATUSPAGE_INSTANCE_PATH=str(instance))
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    published = time.monotonic()
    pending = {base + s.format(id=incident_id) for s in SURFACES}
    while pending and time.monotonic() - published < 10:
        for url in list(pending):
            for _ in range(4):  # several requests, so both workers are asked
                if marker in urllib.request.urlopen(url, timeout=5).read().decode():
                    pending.discard(url)
                    break
        time.sleep(0.02)
    return time.monotonic() - published if not pending else float("inf")


def measure(incidents: int) -> dict:
    """Seed, serve and measure one data size."""
    instance = Path(tempfile.mkdtemp(prefix="candor-bench-"))
    try:
        incident_id = (
            subprocess.run(
                [sys.executable, __file__, "--seed", str(instance), str(incidents)],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        port = free_port()
        server = start_gunicorn(instance, port)
        base = f"http://127.0.0.1:{port}"
        try:
            results = {"trivial": wrk(base + "/healthz")}
            for surface in SURFACES:
                results[surface] = wrk(base + surface.format(id=incident_id))
            results["memory"] = worker_memory(server)
            results["fresh"] = freshness(instance, base, incident_id)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        return results
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def hello_world() -> tuple[float, float, float]:
    """Measure Flask's hello world under the same gunicorn and wrk: the floor of this machine."""
    port = free_port()
    server = start_gunicorn(Path(tempfile.gettempdir()), port, "bench.hello:app", "/")
    try:
        return wrk(f"http://127.0.0.1:{port}/")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def main() -> None:
    """Run both sizes and print the table."""
    floor = hello_world()
    small, large = measure(100), measure(10_000)
    print(
        f"\nCandor public surfaces — gunicorn 2 workers, wrk -t2 -c32 -d{DURATION}s, same machine\n"
    )
    print(
        f"{'surface':24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs trivial':>11} {'p99 ratio':>10} {'p50 @10k/@100':>14}"
    )
    trivial = large["trivial"]
    print(f"{'Flask hello world (ref.)':24} {floor[0]:9.0f} {floor[1]:8.2f} {floor[2]:8.2f}")
    print(
        f"{'/healthz (trivial)':24} {trivial[0]:9.0f} {trivial[1]:8.2f} {trivial[2]:8.2f} {'1.00':>11} {'1.00':>10} {large['trivial'][1] / small['trivial'][1]:14.2f}"
    )
    for surface in SURFACES:
        rps, p50, p99 = large[surface]
        print(
            f"{surface:24} {rps:9.0f} {p50:8.2f} {p99:8.2f} {rps / trivial[0]:11.2f} {p99 / trivial[2]:10.2f} {p50 / small[surface][1]:14.2f}"
        )
    print(f"\nworker memory: {small['memory']:.1f} MB with 100 incidents, {large['memory']:.1f} MB with 10,000 "
          f"(ratio {large['memory'] / small['memory']:.2f})")  # fmt: skip
    print(
        f"a published update was on every surface after {small['fresh']:.2f} s (100) and {large['fresh']:.2f} s (10,000)"
    )
    print(
        "goals: req/s ≥ 0.90 × trivial, p99 ≤ 1.5 × trivial, p50 @10k ≤ 1.1 × @100, memory ≤ 1.2×, fresh ≤ 1 s"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--seed":
        print(seed(Path(sys.argv[2]), int(sys.argv[3]), 5))
    else:
        main()
