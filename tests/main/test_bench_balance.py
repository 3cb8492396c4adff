"""bench/run.py measures again when wrk's keep-alive connections landed lopsided on the two
gunicorn workers (8/0 measures one core): the same rule for the plain route and every page."""

from __future__ import annotations

from tests.shared import bench_module

run = bench_module("run.py", "bench_run")


def _measured(*splits: list[int]):
    made = iter(splits)
    calls = []

    def measure():
        split = next(made)
        calls.append(split)
        return run.Measurement(requests=100, seconds=1.0, errors=0, p50_ms=1, p95_ms=2, split=split)

    return measure, calls


def test_even_enough_splits_are_not_lopsided():
    assert not run.lopsided([4, 4])
    assert not run.lopsided([5, 3])
    assert run.lopsided([6, 2])
    assert run.lopsided([8, 0])
    assert not run.lopsided([])  # the python generator reports no split
    assert not run.lopsided([8])


def test_an_even_first_measurement_is_kept_without_another():
    measure, calls = _measured([4, 4])
    kept = run.balanced(measure)
    assert calls == [[4, 4]] and kept.retries == 0


def test_a_lopsided_measurement_is_taken_again_until_even():
    measure, calls = _measured([8, 0], [7, 1], [5, 3], [4, 4])
    kept = run.balanced(measure)
    assert calls == [[8, 0], [7, 1], [5, 3]]
    assert kept.split == [5, 3] and kept.retries == 2


def test_the_most_even_of_the_tries_is_kept_when_none_is_even():
    measure, calls = _measured([8, 0], [6, 2], [7, 1], [8, 0], [4, 4])
    kept = run.balanced(measure)
    assert len(calls) == run.BALANCE_TRIES
    assert kept.split == [6, 2] and kept.retries == run.BALANCE_TRIES - 1
