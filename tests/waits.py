"""What the tests share for waiting: kafkalab's one wait primitive, failing the test at its deadline, and
reading a number of messages."""
import time

import pytest
from confluent_kafka import KafkaException

from kafkalab.waiting import wait_for


def until(condition, timeout: float = 60.0, what: str = "a condition", every: float = 0.2, retry_on=(), shown=None):
    """condition()'s first value that is not None, False or empty (a leader id 0 counts); the test fails at the
    deadline, saying what it waited for, the last cause, and what `shown()` gives then (the cluster as it
    stands). Exceptions surface at once, unless of a `retry_on` type."""
    try:
        return wait_for(condition, timeout, what, every=every, retry_on=retry_on)[0]
    except TimeoutError as err:
        state = ""
        if shown is not None:
            try:
                state = f"; then: {shown()}"
            except Exception as failed:  # noqa: BLE001 - the state is a diagnostic, the timeout is the failure
                state = f"; then: {type(failed).__name__}: {failed}"
        pytest.fail(f"{err}{state}")


def read(consumer, want: int, timeout: float = 30.0, errors: str = "skip") -> list:
    """Up to `want` messages of a subscribed or assigned consumer, within `timeout`, then closes it.
    An error event is skipped (a broker that has just died), or raised with errors='raise'. Fewer
    messages at the deadline are returned as they are: the caller's assertion shows what came."""
    got = []

    def enough() -> bool:
        msg = consumer.poll(0.5)
        if msg is not None and msg.error():
            if errors == "raise":
                raise KafkaException(msg.error())
        elif msg is not None:
            got.append(msg)
        return len(got) >= want

    try:
        wait_for(enough, timeout, f"{want} messages", every=0, retry_on=())
    except TimeoutError:
        pass
    finally:
        consumer.close()
    return got


def consume_all(cluster, topic, expected, timeout=60.0):
    """(partition, offset, key, value) of `expected` messages of `topic`, read from the start of every
    partition by assignment: no group, so no coordinator to wait for and no rebalance to read twice."""
    from confluent_kafka import OFFSET_BEGINNING, TopicPartition

    from kafkalab import inspect

    consumer = cluster.consumer(f"check-{time.monotonic_ns()}", **{"enable.auto.commit": False})
    partitions = inspect.describe_topic(cluster, topic).partitions
    consumer.assign([TopicPartition(topic, p.partition, OFFSET_BEGINNING) for p in partitions])
    return [(m.partition(), m.offset(), m.key(), m.value()) for m in read(consumer, expected, timeout)]
