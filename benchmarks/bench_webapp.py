"""Latency of the web app under a bounded loopback load (not a test).

Serves the atlas with gunicorn (``drive_atlas.web.app:server``, as in production) or, without
gunicorn, with werkzeug's threaded server, then lets a fixed number of client
threads send requests back to back and reports p50/p95/p99 latency and throughput for:

* circuit page: the router callback that builds a circuit's graph, tables and changelog
  (the server work behind opening ``/circuit/<id>``), plus the HTML shell;
* validation: the editor's validation callback on the circuit's full YAML text.

    python benchmarks/bench_webapp.py                           # 2 workers, 8 clients, 200 requests each (validation 40)
    python benchmarks/bench_webapp.py --clients 16 --requests 1000 --circuit hunger
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, workers: int, cache: Path) -> tuple[str, object]:
    port = free_port()
    env = {**os.environ, "DRIVE_ATLAS_ROOT": str(root), "DRIVE_ATLAS_WEBAPP_CACHE": str(cache), "PYNEST_QUIET": "1"}
    if shutil.which("gunicorn"):
        proc = subprocess.Popen(["gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning",
                                 "drive_atlas.web.app:server"], cwd=ROOT, env=env)
        return f"http://127.0.0.1:{port}", proc
    from werkzeug.serving import make_server

    from drive_atlas.web import create_app

    server = make_server("127.0.0.1", port, create_app(root, cache_dir=cache).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


def router_body(path: str) -> dict:
    return {"output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "url", "property": "pathname", "value": path}], "changedPropIds": ["url.pathname"]}


def validation_body(circuit_id: str, text: str) -> dict:
    outputs = [("validation", "children"), ("drafts", "data"), ("draft-diff", "children")]
    return {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "yaml-debounced", "property": "data", "value": text}],
            "state": [{"id": "circuit-id", "property": "data", "value": circuit_id}, {"id": "drafts", "property": "data", "value": {}}],
            "changedPropIds": ["yaml-debounced.data"]}


def load(name: str, url: str, send, clients: int, per_client: int) -> dict:  # type: ignore[no-untyped-def]
    def client(_: int) -> list[float]:
        session, times = requests.Session(), []
        for _ in range(per_client):
            start = time.perf_counter()
            response = send(session)
            times.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}: {response.text[:200]}")
        return times

    send(requests.Session())  # warm up (first atlas load, imports)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = sorted(t for chunk in pool.map(client, range(clients)) for t in chunk)
    wall = time.perf_counter() - started
    q = statistics.quantiles(times, n=100)
    return {"endpoint": name, "requests": len(times), "p50 ms": q[49] * 1e3, "p95 ms": q[94] * 1e3, "p99 ms": q[98] * 1e3,
            "req/s": len(times) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="atlas root (only read: no request saves)")
    parser.add_argument("--circuit", default=None, help="circuit id (default: the first)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (the bound on load)")
    parser.add_argument("--requests", type=int, default=200, help="requests per client per page endpoint (validation: a fifth)")
    args = parser.parse_args()

    from drive_atlas.atlas import Atlas

    atlas = Atlas.load(args.root, strict=False)
    entry = atlas.entries[args.circuit] if args.circuit else next(iter(atlas.entries.values()))
    text, cid = entry.path.read_text(encoding="utf-8"), entry.circuit.id
    cache = Path(tempfile.mkdtemp(prefix="bench-webapp-"))
    url, server = start_server(args.root, args.workers, cache)
    try:
        wait_ready(url)
        per = max(1, args.requests)
        rows = [
            load("circuit page (router callback)", url,
                 lambda s: s.post(url + "/_dash-update-component", json=router_body(f"/circuit/{cid}")), args.clients, per),
            load("circuit page (HTML shell)", url, lambda s: s.get(f"{url}/circuit/{cid}"), args.clients, per),
            load("validation callback", url,
                 lambda s: s.post(url + "/_dash-update-component", json=validation_body(cid, text)), args.clients, max(1, per // 5)),
        ]
    finally:
        if isinstance(server, subprocess.Popen):
            server.terminate()
            server.wait(10)
        else:
            server.shutdown()
        shutil.rmtree(cache, ignore_errors=True)
    kind = f"gunicorn -w {args.workers}" if shutil.which("gunicorn") else "werkzeug threaded"
    print(f"{kind}; {args.clients} clients; circuit {cid} ({len(entry.circuit.populations)} populations, {len(text)} bytes of YAML)")
    print("| endpoint | requests | p50 ms | p95 ms | p99 ms | req/s |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['endpoint']} | {r['requests']} | {r['p50 ms']:.1f} | {r['p95 ms']:.1f} | {r['p99 ms']:.1f} | {r['req/s']:.0f} |")


if __name__ == "__main__":
    main()
