"""`python -m gonghui.core.benchdb URL`: drop and re-create the benchmark's PostgreSQL database."""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg


def main(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("gonghui_bench"):
        sys.exit(
            f"refusing to drop {name!r}: a benchmark database's name starts with gonghui_bench"
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main(sys.argv[1])
