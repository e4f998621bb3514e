"""Named number sequences (`core.Counter`): card numbers, tracking codes, case codes."""

from django.db import IntegrityError, transaction
from django.db.models import F

from gonghui.core.models import Counter


def counter_raise(name: str, count: int = 1) -> int:
    """Raise counter `name` by `count` inside the caller's transaction; returns its new value.

    The numbers `value - count + 1 … value` are the caller's. The counter's row stays locked
    until the transaction ends, so concurrent callers queue and no number is handed out twice
    (a rollback returns them). A counter that does not exist yet starts from 0.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"counter {name!r} must be raised inside a transaction")
    if not Counter.objects.filter(name=name).update(value=F("value") + count):
        try:
            with transaction.atomic():  # savepoint: a concurrent first caller may win the insert
                Counter.objects.create(name=name, value=count)
        except IntegrityError:
            Counter.objects.filter(name=name).update(value=F("value") + count)
    value: int = Counter.objects.values_list("value", flat=True).get(name=name)
    return value
