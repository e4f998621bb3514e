"""`gonghui bench_import`: the member import against the physical baseline, in one run.

(a) bare `COPY` of the generated CSV into an unindexed table with one text column per input
column (the fastest of three runs); (b) the full import into an empty registry; (c) the
re-import of the same file; then the XLSX and SQLite paths on a smaller file. Prints rows/s,
ratios and the import's peak memory.
"""

import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from gonghui.members.demo import HEADERS, generate_members
from gonghui.members.models import Member
from gonghui.orgs.models import Employer


def _employers() -> list[tuple[str, str, date | None]]:
    rows = list(
        Employer.objects.filter(union__isnull=False).values_list("uscc", "union__code", "opened_on")
    )
    if not rows:
        raise CommandError("No employers with unions: run `gonghui demo --no-serve` first.")
    return rows


def _write_csv(path: Path, rows: int, seed: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(
            generate_members(
                count=rows, employers=_employers(), seed=seed, today=timezone.localdate()
            )
        )


def _write_xlsx(path: Path, rows: int, seed: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    generated = generate_members(
        count=rows, employers=_employers(), seed=seed, today=timezone.localdate()
    )
    for line, row in enumerate(generated, start=1):
        sheet.write_row(line, 0, row)
    book.close()


def _copy_baseline(source: Path, rows: int) -> float:
    """Rows/s of a bare COPY of the CSV into a fresh unindexed table of text columns."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_baseline")
        cursor.execute(f"CREATE TABLE bench_copy_baseline ({columns})")
        start = time.perf_counter()
        with (
            cursor.cursor.copy(
                "COPY bench_copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
            source.open("rb") as f,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_copy_baseline")
    return rows / seconds


def _empty_registry() -> None:
    """TRUNCATE, not a Django delete: that would load a million members to cascade."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Member._meta.db_table} CASCADE")


class Command(BaseCommand):
    help = "Benchmark the member import against a bare COPY of the same file (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument(
            "--small", type=int, default=200_000, help="rows of the XLSX and SQLite runs"
        )
        parser.add_argument("--seed", type=int, default=7)

    def _child(
        self, path: Path, env: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], float, float]:
        """Import in a child process: (result, seconds, the child's peak RSS in MB)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "gonghui.manage", "import_members", str(path), "--json"],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise CommandError(done.stderr)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return json.loads(done.stdout), seconds, max(peak, before) / 1024

    def handle(self, *args: Any, rows: int, small: int, seed: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_import runs on PostgreSQL: set DATABASE_URL.")
        work = Path(tempfile.mkdtemp(prefix="gonghui-bench-"))
        try:
            self._run(work, rows=rows, small=small, seed=seed)
        finally:
            shutil.rmtree(work, ignore_errors=True)  # the generated files: ~80 MB per million

    def _run(self, work: Path, *, rows: int, small: int, seed: int) -> None:
        out = self.stdout.write
        source = work / "members.csv"
        start = time.perf_counter()
        _write_csv(source, rows, seed)
        out(
            f"generated {rows:,} rows ({source.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - start:.1f} s"
        )

        runs = sorted(_copy_baseline(source, rows) for _run in range(3))
        # The fastest of three: the physical limit is what the machine can do, and a COPY of a
        # second is easily slowed by anything else on it (medians of 0.63 and 0.99 M rows/s came
        # an hour apart on one machine), which would flatter every ratio below.
        baseline = runs[-1]
        out(
            f"(a) COPY baseline: {baseline:,.0f} rows/s "
            f"(fastest of 3: {', '.join(f'{run:,.0f}' for run in runs)})"
        )

        _empty_registry()
        result, seconds, peak = self._child(source)
        first = rows / seconds
        out(
            f"(b) full import: {first:,.0f} rows/s ({seconds:.1f} s, created "
            f"{result['created']:,}), ratio {first / baseline:.3f}, peak memory {peak:.0f} MB"
        )
        result, seconds, _peak = self._child(source)
        again = rows / seconds
        out(
            f"(c) re-import: {again:,.0f} rows/s (unchanged {result['unchanged']:,}), "
            f"ratio {again / baseline:.3f}"
        )

        xlsx = work / "members.xlsx"
        _write_xlsx(xlsx, small, seed + 1)
        _empty_registry()
        result, seconds, _peak = self._child(xlsx)
        out(f"XLSX import ({small:,} rows, PostgreSQL): {small / seconds:,.0f} rows/s")

        sqlite = work / "bench.sqlite3"
        env = {"DATABASE_URL": f"sqlite:///{sqlite}"}
        demo = ["demo", "--no-serve", "--appeals", "0", "--password", "bench-pass-123"]
        for step in (["migrate", "-v0"], demo):
            subprocess.run(
                [sys.executable, "-m", "gonghui.manage", *step],
                env={**os.environ, **env},
                check=True,
                capture_output=True,
            )
        small_csv = work / "small.csv"
        _write_csv(small_csv, small, seed)
        result, seconds, _peak = self._child(small_csv, env)
        out(f"SQLite import ({small:,} rows): {small / seconds:,.0f} rows/s")
        _empty_registry()
        out(
            f"import: {first:,.0f} rows/s; copy baseline: {baseline:,.0f} rows/s; "
            f"ratio: {first / baseline:.3f}"
        )
