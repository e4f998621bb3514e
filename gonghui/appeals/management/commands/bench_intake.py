"""`gonghui bench_intake`: sustained appeal intake over HTTP behind gunicorn, against a bare
`GET /healthz` loop measured in the same run on the same server.

Starts gunicorn (gthread) on the configured database, registers a channel client, then for
`--seconds` each runs `--clients` keep-alive HTTP clients doing (a) `GET /healthz` (one trivial
query: the floor of the stack) and (b) `POST /api/v1/appeals` with a fresh Idempotency-Key per
request (intake, routing, deadline, history, outbox, idempotency record). Prints requests/s,
p50 and p95 latency of both and their ratios. The appeals it files stay in the database: run it
on the benchmark database (`make bench`), not on a production one.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.appeals.services.intake import channel_client_create
from gonghui.orgs.models import Employer, UnionOrg


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _loop(port: int, seconds: float, clients: int, request: Any) -> Run:
    run = Run()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sequence = 0
        while time.monotonic() < stop:
            sequence += 1
            method, path, body, headers = request(number, sequence)
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 300
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            elapsed = time.perf_counter() - began
            with run.lock:
                if ok:
                    run.latencies.append(elapsed * 1000)
                else:
                    run.errors += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.monotonic() - began
    return run


class Command(BaseCommand):
    help = gettext_lazy(
        "Benchmark appeal intake over HTTP behind gunicorn against a bare GET /healthz loop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=20.0)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write(_("Warning: this benchmark is meant for PostgreSQL."))
        top = UnionOrg.objects.get_root_nodes().first()
        if top is None:
            raise CommandError(_("No union tree: run `gonghui demo --no-serve` first."))
        employers = list(Employer.objects.order_by("pk").values_list("uscc", flat=True)[:500])
        _client, token = channel_client_create(channel="sms", name="bench_intake", org=top)
        port = _free_port()
        env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "gonghui.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
                "--workers", str(options["workers"]), "--threads", str(options["threads"]),
                "--log-level", "warning",
            ],
            env=env,
        )  # fmt: skip
        try:
            self._wait(port, server)
            seconds, clients = options["seconds"], options["clients"]
            health = _loop(port, seconds, clients, lambda n, s: ("GET", "/healthz", None, {}))
            intake = _loop(port, seconds, clients, self._intake(token, employers))
        finally:
            server.terminate()
            server.wait(timeout=30)
        self._report(health, intake)

    def _wait(self, port: int, server: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(_("gunicorn did not start."))
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError(_("gunicorn did not answer /healthz within 60 seconds."))

    @staticmethod
    def _intake(token: str, employers: list[str]) -> Any:
        run_id = uuid.uuid4().hex[:8]

        def request(number: int, sequence: int) -> tuple[str, str, bytes, dict[str, str]]:
            n = number * 1_000_000 + sequence
            body = {
                "channel": "sms",
                "nature": "request",
                "category": "wage_arrears",
                "content": f"拖欠工资，第{n}号压测诉求",
                "name": "压测",
                "phone": f"139{n % 100_000_000:08d}",
                "employer_uscc": employers[n % len(employers)] if employers else "",
            }
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"bench-{run_id}-{n}",
            }
            return "POST", "/api/v1/appeals", json.dumps(body).encode(), headers

        return request

    def _report(self, health: Run, intake: Run) -> None:
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        for label, run in (("GET /healthz", health), ("POST /api/v1/appeals", intake)):
            self.stdout.write(
                f"{label}: {len(run.latencies)} ok, {run.errors} failed, {run.rate:.1f} req/s, "
                f"p50 {run.percentile(50):.1f} ms, p95 {run.percentile(95):.1f} ms"
            )
        ratio = intake.rate / health.rate if health.rate else 0.0
        latency = intake.percentile(50) / health.percentile(50) if health.latencies else 0.0
        self.stdout.write(
            f"intake ({database}): {intake.rate:.1f} req/s, p50 {intake.percentile(50):.1f} ms, "
            f"p95 {intake.percentile(95):.1f} ms; healthz: {health.rate:.1f} req/s, "
            f"p50 {health.percentile(50):.1f} ms; ratio: {ratio:.3f} (p50 x{latency:.1f})"
        )
