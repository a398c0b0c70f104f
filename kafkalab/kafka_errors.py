"""Kafka errors read by their code (confluent-kafka's KafkaError), never by their text."""
from __future__ import annotations

import concurrent.futures

from confluent_kafka import KafkaError, KafkaException

# brokers coming and going, elections, a request cut short: asking again may succeed
TRANSIENT = {KafkaError._TRANSPORT, KafkaError._TIMED_OUT, KafkaError._ALL_BROKERS_DOWN, KafkaError._WAIT_COORD,
             KafkaError._RESOLVE, KafkaError.LEADER_NOT_AVAILABLE, KafkaError.NOT_CONTROLLER,
             KafkaError.REQUEST_TIMED_OUT, KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_NOT_AVAILABLE,
             KafkaError.COORDINATOR_LOAD_IN_PROGRESS, KafkaError.NETWORK_EXCEPTION, KafkaError.BROKER_NOT_AVAILABLE,
             KafkaError.NOT_LEADER_FOR_PARTITION,
             # right after an election: the new leader's high watermark or epoch is not known everywhere yet
             KafkaError.OFFSET_NOT_AVAILABLE, KafkaError.FENCED_LEADER_EPOCH, KafkaError.UNKNOWN_LEADER_EPOCH}
UNKNOWN_TOPIC = {KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC}


def code(err: BaseException) -> int | None:
    """The KafkaError code carried by `err`, or None when it is not a Kafka error."""
    if isinstance(err, KafkaException) and err.args and isinstance(err.args[0], KafkaError):
        return err.args[0].code()
    if isinstance(err, KafkaError):
        return err.code()
    return None


def is_kafka(err: BaseException) -> bool:
    """A Kafka error, or our own wait for a Kafka answer that ran out: anything else is a bug to surface."""
    return code(err) is not None or isinstance(err, concurrent.futures.TimeoutError)


def transient(err: BaseException) -> bool:
    """Worth asking again: a timeout, a transport error, an election in progress."""
    if isinstance(err, concurrent.futures.TimeoutError):
        return True
    kafka = err.args[0] if isinstance(err, KafkaException) and err.args else err
    return code(err) in TRANSIENT or (isinstance(kafka, KafkaError) and kafka.retriable())


def unknown_topic(err: BaseException) -> bool:
    return code(err) in UNKNOWN_TOPIC


def topic_exists(err: BaseException) -> bool:
    return code(err) == KafkaError.TOPIC_ALREADY_EXISTS
