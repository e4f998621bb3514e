"""gunicorn settings of `make serve` and the systemd unit (`-c python:gonghui.gunicorn_conf`).

Threaded workers (gthread): requests mostly wait on the database, so a few processes with
several threads each serve many at once. Everything is read strictly from the environment:

- `GONGHUI_BIND` (default `127.0.0.1:8000`): where to listen; the reverse proxy connects here.
- `GONGHUI_WEB_WORKERS` (default 2 × CPUs + 1) and `GONGHUI_WEB_THREADS` (default 4).
- `GONGHUI_WEB_TIMEOUT` (default 60): seconds before a stuck worker is restarted.

The access log never holds a query string or a Referer: searches by ID number or phone travel
in them, and personal data must not reach a log.
"""

import os

from gonghui.core.env import env_int, env_str

wsgi_app = "gonghui.wsgi:application"
bind = [env_str("GONGHUI_BIND", "127.0.0.1:8000") or "127.0.0.1:8000"]
worker_class = "gthread"
workers = env_int("GONGHUI_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1, minimum=1)
threads = env_int("GONGHUI_WEB_THREADS", 4, minimum=1)
timeout = env_int("GONGHUI_WEB_TIMEOUT", 60, minimum=1)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in any library never grows without bound.
max_requests = 2000
max_requests_jitter = 200

accesslog = "-"
errorlog = "-"
# Proxy-reported client, peer, time, method, path (no query), status, bytes, milliseconds.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
