"""Kafka errors are read by code: transient ones are retried, bugs surface as themselves."""
import concurrent.futures
from types import SimpleNamespace

import pytest
from confluent_kafka import KafkaError, KafkaException

from kafkalab import inspect, kafka_errors
from kafkalab.errors import KafkaLabError

pytestmark = pytest.mark.unit


def kafka(code):
    return KafkaException(KafkaError(code))


def test_codes_not_text():
    assert kafka_errors.unknown_topic(kafka(KafkaError.UNKNOWN_TOPIC_OR_PART))
    assert not kafka_errors.unknown_topic(ValueError("UNKNOWN_TOPIC_OR_PART does not exist"))
    assert kafka_errors.topic_exists(kafka(KafkaError.TOPIC_ALREADY_EXISTS))
    assert not kafka_errors.topic_exists(RuntimeError("Topic 'x' already exists."))
    assert kafka_errors.transient(kafka(KafkaError._TRANSPORT))
    assert kafka_errors.transient(concurrent.futures.TimeoutError())
    assert kafka_errors.transient(kafka(KafkaError.OFFSET_NOT_AVAILABLE))  # list_offsets right after an election
    assert not kafka_errors.transient(kafka(KafkaError.TOPIC_AUTHORIZATION_FAILED))
    assert not kafka_errors.is_kafka(TypeError("a bug"))


@pytest.fixture
def fake_admin(monkeypatch):
    monkeypatch.setattr(inspect, "admin", lambda target: object())
    monkeypatch.setattr(inspect, "_explain", lambda err, target, what="": None)
    monkeypatch.setattr(inspect, "TIMEOUT", 1.0)
    monkeypatch.setattr(inspect, "ATTEMPT", 0.1)


def counting(err):
    """A request whose answer always raises `err`; the list counts the attempts."""
    calls = []

    def request(client):
        def result(timeout):
            calls.append(1)
            raise err
        return SimpleNamespace(result=result)

    return request, calls


def test_a_programming_error_is_not_retried_nor_renamed(fake_admin):
    request, calls = counting(TypeError("describe_topics() got an unexpected keyword"))
    with pytest.raises(TypeError):
        inspect._ask("127.0.0.1:1", request)
    assert len(calls) == 1


def test_a_transient_error_is_retried_then_named_with_its_cause(fake_admin):
    request, calls = counting(kafka(KafkaError._TRANSPORT))
    with pytest.raises(KafkaLabError) as err:
        inspect._ask("127.0.0.1:1", request)
    assert err.value.key == "brokers_unreachable" and len(calls) > 1
    assert kafka_errors.code(err.value.__cause__) == KafkaError._TRANSPORT


def test_a_refusal_is_raised_at_once(fake_admin):
    request, calls = counting(kafka(KafkaError.TOPIC_AUTHORIZATION_FAILED))
    with pytest.raises(KafkaException):
        inspect._ask("127.0.0.1:1", request)
    assert len(calls) == 1


def test_a_client_dropped_by_another_thread_does_not_fail_the_request_it_runs(monkeypatch):
    """A widget's poller drops the shared client from inspect's cache while the notebook's own question is
    still on it (it does so after a timeout): that question must end as the brokers decide (here: nobody
    answers), not with 'Handle is terminating' (_DESTROY) because the client was destroyed under it."""
    import threading

    monkeypatch.setattr(inspect, "TIMEOUT", 3.0)
    monkeypatch.setattr(inspect, "ATTEMPT", 0.5)
    monkeypatch.setattr(inspect, "_explain", lambda err, target, what="": None)
    asked = threading.Event()
    done = threading.Event()

    def dropper():
        asked.wait(5)
        while not done.is_set():
            inspect._admins.pop("127.0.0.1:1", None)
            done.wait(0.005)

    def request(client):
        future = client.describe_cluster(request_timeout=2)
        asked.set()
        return future

    thread = threading.Thread(target=dropper)
    thread.start()
    try:
        with pytest.raises(KafkaLabError) as err:  # with no reference of its own, it raised _DESTROY
            inspect._ask("127.0.0.1:1", request)
    finally:
        done.set()
        thread.join()
        inspect._admins.pop("127.0.0.1:1", None)
    assert err.value.key == "brokers_unreachable"
