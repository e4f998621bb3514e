"""With GONGHUI_RATE_LIMIT_REDIS_URL set, the public endpoints' counters live in Redis.

The machine's Redis (127.0.0.1:6379) is used; database 15 and a fresh key prefix per test keep
the counts apart. Without a reachable Redis these tests skip, unless GONGHUI_REQUIRE_REDIS=1
(.ci/run sets it) makes that a failure.
"""

import os
import threading
import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from gonghui.core.models import RateLimitBucket
from gonghui.core.ratelimit import hit
from gonghui.core.ratelimit_settings import Rate
from gonghui.testing import run_gonghui

REDIS_URL = os.environ.get("GONGHUI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_counts(settings):
    settings.RATE_LIMIT_REDIS_URL = REDIS_URL
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    try:
        caches["ratelimit"].get("ping")
    except Exception as exc:  # redis.ConnectionError: no server here
        if os.environ.get("GONGHUI_REQUIRE_REDIS") == "1":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return settings


@pytest.mark.django_db
def test_the_limit_holds_with_counts_in_redis_and_none_in_the_database(redis_counts):
    redis_counts.RATE_LIMITS = {
        **redis_counts.RATE_LIMITS,
        "portal_join_status.address": Rate(2, 3600),
    }
    client = Client(REMOTE_ADDR="10.7.7.7")
    statuses = [
        client.post("/portal/join/status/", {"code": f"CODE000{n}", "last4": "1234"}).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert not RateLimitBucket.objects.exists()


def test_concurrent_hits_are_each_counted_once_in_redis(redis_counts):
    rate, threads, per_thread = Rate(1000, 3600), 6, 20
    seen: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        counts = [hit("busy", rate, now=5_000_000)[0] for _ in range(per_thread)]
        with lock:
            seen.extend(counts)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert sorted(seen) == list(range(1, threads * per_thread + 1))


def test_a_new_window_starts_a_new_count_in_redis(redis_counts):
    rate = Rate(5, 60)
    hit("win", rate, now=1_000_000)
    hit("win", rate, now=1_000_001)

    assert hit("win", rate, now=1_000_060) == (1, 1_000_080)


def test_a_redis_url_of_another_scheme_stops_the_start():
    child = run_gonghui("check", GONGHUI_RATE_LIMIT_REDIS_URL="http://127.0.0.1:6379")
    assert child.returncode != 0
    assert "GONGHUI_RATE_LIMIT_REDIS_URL must start with redis://" in child.stderr
