"""hotgigs.linger: items held by key, delivered together by a thread of their own, and a
flush that never returns while a delivery of what it waited for is still under way."""

import threading
import time

from hotgigs.linger import Linger


def _wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def test_what_arrives_meanwhile_is_delivered_together_by_key():
    delivered: list[dict[str, list[int]]] = []
    linger = Linger("test-together", lambda pending: delivered.append(pending) or len(pending))

    linger.add({"a": [1]}, 0.2)
    linger.add({"a": [2], "b": [3]}, 0.2)
    _wait_for(lambda: delivered)

    assert delivered == [{"a": [1, 2], "b": [3]}]
    assert linger.pending == {}


def test_a_flush_by_keys_takes_only_those():
    delivered: list[dict[str, list[int]]] = []
    linger = Linger("test-keys", lambda pending: delivered.append(pending) or len(pending))
    linger.pending = {"a": [1], "b": [2]}  # held, no thread started

    assert linger.flush(keys=["a", "c"]) == 1
    assert delivered == [{"a": [1]}]
    assert linger.pending == {"b": [2]}
    assert linger.settle(["c"]) is False  # nothing held under it, nothing in flight


def test_settle_waits_for_the_delivery_in_flight_and_says_counters_may_have_moved():
    release = threading.Event()
    started = threading.Event()
    delivered: list[dict[str, list[int]]] = []

    def slow(pending):  # type: ignore[no-untyped-def]
        started.set()
        release.wait(5)
        delivered.append(pending)
        return len(pending)

    linger = Linger("test-in-flight", slow)
    linger.add({"a": [1]}, 0.0)
    assert started.wait(5)  # the thread took "a" and is delivering it: nothing is held now
    assert linger.pending == {}
    answers: list[bool] = []
    reader = threading.Thread(target=lambda: answers.append(linger.settle(["a"])))
    reader.start()
    reader.join(0.2)

    assert reader.is_alive(), "settle returned while the delivery it depends on was in flight"
    release.set()
    reader.join(5)
    assert answers == [True]
    assert delivered == [{"a": [1]}]
