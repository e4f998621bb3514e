import pytest
from django.core.management import CommandError

from gonghui.members.management.commands.bench_import import (
    Command,
    _fastest,
    _median,
    _Run,
    _spread,
)


def _run(seconds: float, created: int = 10) -> _Run:
    return _Run({"created": created}, seconds, 100.0)


def test_an_import_is_reported_by_its_fastest_run_with_every_run_beside_it() -> None:
    runs = [_run(12.4), _run(11.9), _run(12.1)]

    assert _fastest(runs).seconds == 11.9
    assert _median(runs).seconds == 12.1
    assert _spread(runs) == "fastest of 3: 12.4, 11.9, 12.1 s"


def test_a_single_run_is_reported_as_it_is() -> None:
    runs = [_run(5.0)]

    assert _fastest(runs) is _median(runs) is runs[0]
    assert _spread(runs) == "5.0 s"


def test_each_round_prepares_afresh_then_runs_the_steps_in_order() -> None:
    log: list[str] = []

    def step(name: str, seconds: float) -> _Run:
        log.append(name)
        return _run(seconds)

    full, again = Command()._runs(
        2, lambda: log.append("empty"), lambda: step("full", 12.0), lambda: step("again", 6.0)
    )

    assert log == ["empty", "full", "again", "empty", "full", "again"]
    assert [run.seconds for run in full] == [12.0, 12.0]
    assert [run.seconds for run in again] == [6.0, 6.0]


def test_runs_that_end_with_different_counts_stop_the_benchmark() -> None:
    results = iter([_run(12.0, created=10), _run(11.0, created=9)])

    with pytest.raises(CommandError, match="Runs ended differently"):
        Command()._runs(2, lambda: None, lambda: next(results))
