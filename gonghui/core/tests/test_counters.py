"""Named counters hand each number out once, also to concurrent transactions."""

import threading

import pytest
from django.db import connection, transaction

from gonghui.core.counters import counter_raise
from gonghui.core.models import Counter


@pytest.mark.django_db
def test_a_new_counter_starts_at_the_first_block():
    with transaction.atomic():
        assert counter_raise("demo", 5) == 5
        assert counter_raise("demo") == 6


@pytest.mark.django_db
def test_a_rolled_back_raise_returns_its_numbers():
    with transaction.atomic():
        counter_raise("demo", 3)

    def raise_then_fail() -> None:
        with transaction.atomic():
            counter_raise("demo", 10)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        raise_then_fail()
    assert Counter.objects.get(name="demo").value == 3


def test_a_raise_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        counter_raise("demo")


@pytest.mark.django_db(transaction=True)
def test_concurrent_raises_never_share_a_number():
    got: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    value = counter_raise("busy")
                with lock:
                    got.append(value)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(got) == list(range(1, 41))
