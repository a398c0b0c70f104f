"""Clients a Cluster hands out, remembered weakly and closed by its down(), so they stop reconnecting
(and logging "Connection refused") to nodes that are gone.

Consumers are closed; producers are flushed briefly, purged and closed; an AdminClient cannot be
closed in confluent-kafka. Every client's librdkafka log goes to a logger that shows one readable line per
event (not a line per reconnect) and falls silent at down(). The blocking
calls of a tracked consumer or producer hold a lock, so down() never frees a client's handle under a
poll() running in another thread (a widget's): if that poll takes long, the client closes itself when
the poll returns.
"""
from __future__ import annotations

import logging
import re
import threading
import time
import weakref

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

from .handles import SafeAdmin, SafeConsumer, SafeProducer

from .. import report
from ..i18n import register, t

FLUSH_SECONDS = 1.0  # what down() gives a producer's queued messages before it drops them
LOCK_WAIT = 0.5
CLOSE_SECONDS = 60.0  # librdkafka bounds a consumer's close by session.timeout.ms (45 s), but can hang
MESSAGES_CLIENT_LOG = {"en": "Kafka client {client} of cluster {cluster!r}: {text}",
                       "ru": "Клиент Kafka {client} кластера {cluster!r}: {text}"}
register({
    "client_log": MESSAGES_CLIENT_LOG,
    "consumer_close_slow": {
        "en": "A consumer did not finish closing in {seconds:.0f} s (it was leaving its group {group!r}); it "
              "finishes in the background, and the group's coordinator drops it after session.timeout.ms at "
              "the latest. Carry on.",
        "ru": "Консьюмер не закрылся за {seconds:.0f} с (он выходил из группы {group!r}); он закроется в фоне, "
              "а координатор группы исключит его не позже чем через session.timeout.ms. Можно продолжать.",
    },
})
_made: dict[str, weakref.WeakSet] = {}  # cluster folder -> its live clients
_guard = threading.Lock()


class _Closing:
    """The lock and the close-later flag of a tracked client."""

    def _kl_setup(self) -> None:
        self._kl_lock = threading.RLock()
        self._kl_pending = False
        self._kl_closed = False

    def _kl_call(self, method, *args, **kwargs):
        with self._kl_lock:
            try:
                return method(*args, **kwargs)
            finally:
                if self._kl_pending and not self._kl_closed:
                    self._kl_shut()

    def _kl_shut(self) -> None:
        raise NotImplementedError

    def _kl_close_soon(self) -> None:
        """Close now if no other thread is inside a blocking call, else when that call returns."""
        if self._kl_lock.acquire(timeout=LOCK_WAIT):
            try:
                if not self._kl_closed:
                    self._kl_shut()
            finally:
                self._kl_lock.release()
        else:
            self._kl_pending = True


class TrackedConsumer(_Closing, SafeConsumer):
    """A confluent-kafka Consumer that its cluster's down() closes."""

    def __init__(self, config: dict, prefix: str = ""):
        super().__init__(config)
        self._kl_setup()
        self._kl_prefix = prefix  # a student's namespace: subscribe(["cities"]) reads alice.cities
        self._kl_group = config.get("group.id", "")

    def subscribe(self, topics, *args, **kwargs):
        from .. import namespace

        return super().subscribe([namespace.name(tp, pre=self._kl_prefix) for tp in topics], *args, **kwargs)

    def assign(self, partitions, *args, **kwargs):
        from confluent_kafka import TopicPartition

        from .. import namespace

        if self._kl_prefix:
            partitions = [TopicPartition(namespace.name(tp.topic, pre=self._kl_prefix), tp.partition, tp.offset)
                          for tp in partitions]
        return super().assign(partitions, *args, **kwargs)

    def poll(self, *args, **kwargs):
        return self._kl_call(super().poll, *args, **kwargs)

    def consume(self, *args, **kwargs):
        return self._kl_call(super().consume, *args, **kwargs)

    def close(self, *args, **kwargs):
        """Close the consumer (a second close, e.g. after down(), does nothing). librdkafka's close can
        hang in C (seen once under full CPU load, where no interrupt reaches the kernel): it runs in a
        thread of its own, and after CLOSE_SECONDS the caller carries on with a notice."""
        with self._kl_lock:
            if self._kl_closed:
                return None
            self._kl_closed = True
            outcome: dict = {}

            def close():
                try:
                    outcome["value"] = Consumer.close(self, *args, **kwargs)
                except BaseException as err:  # handed to the caller below
                    outcome["error"] = err

            closer = threading.Thread(target=close, name="kafkalab-consumer-close", daemon=True)
            closer.start()
            closer.join(CLOSE_SECONDS)
            if closer.is_alive():
                report.warn(t("consumer_close_slow", seconds=CLOSE_SECONDS, group=self._kl_group))
                return None
            if "error" in outcome:
                raise outcome["error"]
            return outcome.get("value")

    def _kl_shut(self) -> None:
        try:
            self.close()
        except Exception:  # the consumer may have failed in its own way; it is closed all the same
            pass


class TrackedProducer(_Closing, SafeProducer):
    """A confluent-kafka Producer that its cluster's down() flushes briefly and closes."""

    def __init__(self, config: dict, prefix: str = ""):
        super().__init__(config)
        self._kl_setup()
        self._kl_prefix = prefix  # a student's namespace: produce("cities", ...) writes alice.cities

    def produce(self, topic, *args, **kwargs):
        from .. import namespace

        return super().produce(namespace.name(topic, pre=self._kl_prefix), *args, **kwargs)

    def poll(self, *args, **kwargs):
        return self._kl_call(super().poll, *args, **kwargs)

    def flush(self, *args, **kwargs):
        return self._kl_call(super().flush, *args, **kwargs)

    def _kl_shut(self) -> None:
        self._kl_closed = True
        try:
            Producer.flush(self, FLUSH_SECONDS)
            self.purge()  # what could not be delivered in time: the cluster is going away
            if hasattr(Producer, "close"):  # confluent-kafka >= 2.10
                Producer.close(self)
        except Exception:
            pass


class _Events(logging.Filter):
    """Turns librdkafka's log records into one readable line per event, and falls silent at down().

    librdkafka repeats a failure at every reconnect (a dead broker: a "Connection refused" line each
    second per client). A record whose subject (the broker) and text (numbers aside) were seen less than
    QUIET seconds ago is dropped; a new failure, or the same one after a quiet spell, shows again."""

    QUIET = 30.0

    def __init__(self, cluster_name: str):
        super().__init__()
        self.down = False
        self.cluster_name = cluster_name
        self._seen: dict[tuple, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if self.down:
            return False
        if record.args and len(record.args) == 3:  # confluent-kafka's (facility, client name, text)
            facility, client, text = (str(a) for a in record.args)
            text = re.sub(r"^\[thrd:[^\]]*\]: ", "", text)
            text = re.sub(r" \(after \d+ms in state \w+(, \d+ identical error\(s\) suppressed)?\)", "", text)
            subject, _, event = text.partition(": ")  # the broker (host:port/id), then what happened
            key = (client, facility, subject, re.sub(r"\d+", "#", event))
            now = time.monotonic()
            last = self._seen.get(key)
            self._seen[key] = now
            if last is not None and now - last < self.QUIET:
                return False
            record.msg, record.args = "%s", (t("client_log", cluster=self.cluster_name,
                                                 client=client.removeprefix("rdkafka#"), text=text),)
        return True


def _client_logger(cluster_name: str) -> logging.Logger:
    """A logger of one client (not kept in logging's registry), under 'kafkalab.client'."""
    logger = logging.Logger(f"kafkalab.client.{cluster_name}")
    logger.parent = logging.getLogger("kafkalab.client")
    logger.addFilter(_Events(cluster_name))
    return logger


def _with_logger(config: dict, cluster_name: str) -> tuple[dict, _Events | None]:
    """`config` with a readable, mutable logger, unless it brings its own."""
    if "logger" in config:
        return config, None
    logger = _client_logger(cluster_name)
    return {**config, "logger": logger}, logger.filters[0]


def _track(key: str, client) -> None:
    with _guard:
        _made.setdefault(key, weakref.WeakSet()).add(client)


def consumer(key: str, cluster_name: str, config: dict, prefix: str = "") -> TrackedConsumer:
    config, events = _with_logger(config, cluster_name)
    client = TrackedConsumer(config, prefix)
    client._kl_muted = events
    _track(key, client)
    return client


def producer(key: str, cluster_name: str, config: dict, prefix: str = "") -> TrackedProducer:
    config, events = _with_logger(config, cluster_name)
    client = TrackedProducer(config, prefix)
    client._kl_muted = events
    _track(key, client)
    return client


class KeptAdmin(SafeAdmin):
    """An AdminClient that lives while its answers are awaited: `cluster.admin().create_topics(...)["t"]
    .result()` works although nothing else holds the client (a collected client ends its requests with
    "Broker handle destroyed")."""

    def __getattribute__(self, attr):
        value = super().__getattribute__(attr)
        if attr.startswith("_") or not callable(value) or attr in ("poll", "cluster_id"):
            return value

        def call(*args, **kwargs):
            result = value(*args, **kwargs)
            futures = result.values() if isinstance(result, dict) else [result]
            for future in futures:
                if hasattr(future, "add_done_callback"):
                    future._kl_client = self  # the future, held by the caller, holds the client
            return result

        return call


class NamespacedAdmin(KeptAdmin):
    """An AdminClient for a student on a shared cluster: the course's bare names (topics, groups, topic
    config resources) become the student's (cities -> alice.cities) on the way in, and the keys of the
    returned futures are the names the caller gave, so `create_topics([NewTopic("cities", 3)])["cities"]`
    works as written."""

    def __init__(self, config: dict, prefix: str):
        super().__init__(config)
        self._kl_prefix = prefix

    def _n(self, value: str) -> str:
        from .. import namespace

        return namespace.name(value, pre=self._kl_prefix)

    def _tp(self, tp):
        from confluent_kafka import TopicPartition

        return TopicPartition(self._n(tp.topic), tp.partition, tp.offset)

    def _resource(self, res):
        from confluent_kafka.admin import ConfigResource

        if res.restype not in (ConfigResource.Type.TOPIC, ConfigResource.Type.GROUP):
            return res
        return ConfigResource(res.restype, self._n(res.name), set_config=res.set_config_dict or None,
                              incremental_configs=res.incremental_configs or None)

    @staticmethod
    def _rekey(futures: dict, originals: dict) -> dict:
        return {originals.get(k, k): v for k, v in futures.items()}

    def _by_name(self, call, names, *args, **kwargs) -> dict:
        mapped = {self._n(n): n for n in names}
        return self._rekey(call(list(mapped), *args, **kwargs), mapped)

    def create_topics(self, new_topics, *args, **kwargs):
        from confluent_kafka.admin import NewTopic

        renamed = {}
        for nt in new_topics:
            extra = {k: v for k, v in (("replica_assignment", nt.replica_assignment), ("config", nt.config)) if v}
            copy = NewTopic(self._n(nt.topic), nt.num_partitions, nt.replication_factor, **extra)
            renamed[copy.topic] = (copy, nt.topic)
        futures = super().create_topics([c for c, _ in renamed.values()], *args, **kwargs)
        return self._rekey(futures, {k: v[1] for k, v in renamed.items()})

    def delete_topics(self, topics, *args, **kwargs):
        return self._by_name(super().delete_topics, topics, *args, **kwargs)

    def create_partitions(self, new_partitions, *args, **kwargs):
        from confluent_kafka.admin import NewPartitions

        mapped = {self._n(p.topic): p.topic for p in new_partitions}
        copies = [NewPartitions(self._n(p.topic), p.new_total_count,
                                **({"replica_assignment": p.replica_assignment} if p.replica_assignment else {}))
                  for p in new_partitions]
        return self._rekey(super().create_partitions(copies, *args, **kwargs), mapped)

    def describe_topics(self, topics, *args, **kwargs):
        from confluent_kafka import TopicCollection

        mapped = {self._n(n): n for n in topics.topic_names}
        return self._rekey(super().describe_topics(TopicCollection(list(mapped)), *args, **kwargs), mapped)

    def _configs(self, call, resources, *args, **kwargs):
        copies = {}
        for res in resources:
            copy = self._resource(res)
            copies[copy] = res
        return self._rekey(call(list(copies), *args, **kwargs), copies)

    def describe_configs(self, resources, *args, **kwargs):
        return self._configs(super().describe_configs, resources, *args, **kwargs)

    def alter_configs(self, resources, *args, **kwargs):
        return self._configs(super().alter_configs, resources, *args, **kwargs)

    def incremental_alter_configs(self, resources, *args, **kwargs):
        return self._configs(super().incremental_alter_configs, resources, *args, **kwargs)

    def list_offsets(self, topic_partition_offsets, *args, **kwargs):
        copies = {self._tp(tp): tp for tp in topic_partition_offsets}
        request = {copy: topic_partition_offsets[tp] for copy, tp in copies.items()}
        return self._rekey(super().list_offsets(request, *args, **kwargs), copies)

    def delete_records(self, topic_partition_offsets, *args, **kwargs):
        copies = {self._tp(tp): tp for tp in topic_partition_offsets}
        return self._rekey(super().delete_records(list(copies), *args, **kwargs), copies)

    def describe_consumer_groups(self, group_ids, *args, **kwargs):
        return self._by_name(super().describe_consumer_groups, group_ids, *args, **kwargs)

    def delete_consumer_groups(self, group_ids, *args, **kwargs):
        return self._by_name(super().delete_consumer_groups, group_ids, *args, **kwargs)

    def list_consumer_group_offsets(self, list_consumer_group_offsets_request, *args, **kwargs):
        from confluent_kafka import ConsumerGroupTopicPartitions

        mapped, copies = {}, []
        for req in list_consumer_group_offsets_request:
            mapped[self._n(req.group_id)] = req.group_id
            parts = [self._tp(tp) for tp in req.topic_partitions] if req.topic_partitions else None
            copies.append(ConsumerGroupTopicPartitions(self._n(req.group_id), parts))
        return self._rekey(super().list_consumer_group_offsets(copies, *args, **kwargs), mapped)

    def alter_consumer_group_offsets(self, alter_consumer_group_offsets_request, *args, **kwargs):
        from confluent_kafka import ConsumerGroupTopicPartitions

        mapped = {self._n(req.group_id): req.group_id for req in alter_consumer_group_offsets_request}
        copies = [ConsumerGroupTopicPartitions(self._n(req.group_id), [self._tp(tp) for tp in req.topic_partitions])
                  for req in alter_consumer_group_offsets_request]
        return self._rekey(super().alter_consumer_group_offsets(copies, *args, **kwargs), mapped)


def admin(key: str, cluster_name: str, config: dict, prefix: str = "") -> AdminClient:
    """An AdminClient (a NamespacedAdmin for a student); unless `config` brings its own logger, its logs
    fall silent at down()."""
    config, events = _with_logger(config, cluster_name)
    client = NamespacedAdmin(config, prefix) if prefix else KeptAdmin(config)
    client._kl_muted = events
    _track(key, client)
    return client


def live(key: str) -> list:
    """The clients of the cluster `key` that are still referenced somewhere."""
    with _guard:
        return list(_made.get(key, ()))


def close_all(key: str) -> int:
    """Close (or silence) every client made for the cluster `key`; return how many there were."""
    with _guard:
        found = list(_made.pop(key, ()))
    for client in found:
        if getattr(client, "_kl_muted", None) is not None:
            client._kl_muted.down = True
        if isinstance(client, _Closing):
            client._kl_close_soon()
    return len(found)
