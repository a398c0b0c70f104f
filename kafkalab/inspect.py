"""Cluster state as plain data: brokers, controller, topics, partitions, leaders, ISR, groups, lag.

Lessons print it, checks grade it, widgets draw it. Every function takes a bootstrap string or a
Cluster and asks the live cluster through confluent-kafka's AdminClient.

    >>> info = describe_topic(cluster, "months")
    >>> info.partitions[0].leader, info.partitions[0].isr
    (0, [0, 2, 1])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .cluster.probes import quiet_client_config
from .errors import KafkaLabError

TIMEOUT = 10.0


@dataclass
class Broker:
    id: int
    host: str
    port: int
    is_controller: bool = False


@dataclass
class PartitionInfo:
    partition: int
    leader: int | None  # None when the partition has no leader (offline)
    replicas: list[int]
    isr: list[int]


@dataclass
class TopicInfo:
    name: str
    partitions: list[PartitionInfo]
    config: dict[str, str] = field(default_factory=dict)

    @property
    def replication_factor(self) -> int:
        return len(self.partitions[0].replicas) if self.partitions else 0

    def leaders(self) -> dict[int, int | None]:
        return {p.partition: p.leader for p in self.partitions}


@dataclass
class PartitionLag:
    topic: str
    partition: int
    end_offset: int
    committed: int | None  # None: the group has committed nothing for this partition
    member: str | None = None  # consumer id that owns it now

    @property
    def lag(self) -> int:
        return self.end_offset - (self.committed or 0) if self.committed is not None else self.end_offset


@dataclass
class GroupInfo:
    group: str
    state: str
    members: dict[str, list[tuple[str, int]]]  # member id -> assigned (topic, partition)
    partitions: list[PartitionLag]

    @property
    def total_lag(self) -> int:
        return sum(p.lag for p in self.partitions)


def _bootstrap(target) -> str:
    return target if isinstance(target, str) else target.bootstrap_servers


def _name(target) -> str:
    return getattr(target, "name", _bootstrap(target))


_admins: dict[str, object] = {}


def admin(target):
    """A shared AdminClient for the target (kept: a client dropped too early fails its futures)."""
    from confluent_kafka.admin import AdminClient

    bootstrap = _bootstrap(target)
    if bootstrap not in _admins:
        _admins[bootstrap] = AdminClient(quiet_client_config(bootstrap))
    return _admins[bootstrap]


def _result(future, target):
    try:
        return future.result(timeout=TIMEOUT + 5)  # the request's own timeout reports first
    except Exception as err:  # KafkaException, timeouts
        text = str(err)
        if "UNKNOWN_TOPIC" in text or "does not exist" in text or "UNKNOWN_TOPIC_OR_PART" in text:
            raise
        if isinstance(target, str):
            raise KafkaLabError("brokers_unreachable", bootstrap=target) from None
        raise KafkaLabError("broker_unreachable", bootstrap=_bootstrap(target), name=_name(target)) from None


def brokers(target) -> list[Broker]:
    """Live brokers, marked with the controller."""
    desc = _result(admin(target).describe_cluster(request_timeout=TIMEOUT), target)
    controller = desc.controller.id if desc.controller is not None else None
    return sorted((Broker(n.id, n.host, n.port, n.id == controller) for n in desc.nodes), key=lambda b: b.id)


def controller(target) -> int | None:
    """Id of the controller broker (ZooKeeper mode) or the active KRaft controller as brokers see it."""
    desc = _result(admin(target).describe_cluster(request_timeout=TIMEOUT), target)
    return desc.controller.id if desc.controller is not None else None


def topics(target, internal: bool = False) -> list[str]:
    meta = admin(target).list_topics(timeout=TIMEOUT)
    return sorted(name for name in meta.topics if internal or not name.startswith("__"))


def describe_topic(target, topic: str, with_config: bool = False) -> TopicInfo:
    """Partitions of `topic` with leader, replicas and ISR; KafkaLabError when it does not exist."""
    from confluent_kafka import TopicCollection

    client = admin(target)
    try:
        desc = _result(client.describe_topics(TopicCollection([topic]), request_timeout=TIMEOUT)[topic], target)
    except KafkaLabError:
        raise
    except Exception:
        raise KafkaLabError("topic_unknown", topic=topic, topics=", ".join(topics(target)) or "-") from None
    parts = [PartitionInfo(p.id, p.leader.id if p.leader is not None else None,
                           [r.id for r in p.replicas], [r.id for r in p.isr]) for p in desc.partitions]
    info = TopicInfo(topic, sorted(parts, key=lambda p: p.partition))
    if with_config:
        info.config = topic_config(target, topic)
    return info


def topic_config(target, topic: str) -> dict[str, str]:
    """The topic's effective configs (retention.ms, min.insync.replicas, ...)."""
    from confluent_kafka.admin import ConfigResource

    resource = ConfigResource("topic", topic)
    entries = _result(admin(target).describe_configs([resource])[resource], target)
    return {name: entry.value for name, entry in entries.items()}


def end_offsets(target, topic: str) -> dict[int, int]:
    """partition -> offset of the next message to be written (the high watermark)."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec

    info = describe_topic(target, topic)
    request = {TopicPartition(topic, p.partition): OffsetSpec.latest() for p in info.partitions}
    futures = admin(target).list_offsets(request, request_timeout=TIMEOUT)
    return {tp.partition: _result(f, target).offset for tp, f in futures.items()}


def start_offsets(target, topic: str) -> dict[int, int]:
    """partition -> offset of the oldest message still kept (moves forward as retention deletes)."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec

    info = describe_topic(target, topic)
    request = {TopicPartition(topic, p.partition): OffsetSpec.earliest() for p in info.partitions}
    futures = admin(target).list_offsets(request, request_timeout=TIMEOUT)
    return {tp.partition: _result(f, target).offset for tp, f in futures.items()}


def message_count(target, topic: str) -> int:
    """Messages kept in the topic now (end minus start offset, summed over partitions)."""
    ends, starts = end_offsets(target, topic), start_offsets(target, topic)
    return sum(ends[p] - starts[p] for p in ends)


def groups(target) -> list[str]:
    result = _result(admin(target).list_consumer_groups(request_timeout=TIMEOUT), target)
    return sorted(g.group_id for g in result.valid)


def describe_group(target, group: str) -> GroupInfo:
    """Members, assignments, committed offsets and lag per partition of a consumer group."""
    from confluent_kafka import ConsumerGroupTopicPartitions

    client = admin(target)
    if group not in groups(target):
        raise KafkaLabError("group_unknown", group=group, groups=", ".join(groups(target)) or "-")
    desc = _result(client.describe_consumer_groups([group], request_timeout=TIMEOUT)[group], target)
    members: dict[str, list[tuple[str, int]]] = {}
    owner: dict[tuple[str, int], str] = {}
    for m in desc.members:
        assigned = [(tp.topic, tp.partition) for tp in (m.assignment.topic_partitions if m.assignment else [])]
        members[m.member_id] = sorted(assigned)
        for tp in assigned:
            owner[tp] = m.member_id
    committed_req = client.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)],
                                                       request_timeout=TIMEOUT)
    committed = {(tp.topic, tp.partition): tp.offset
                 for tp in _result(committed_req[group], target).topic_partitions}
    lags = []
    for topic in sorted({t for t, _ in committed} | {t for t, _ in owner}):
        for partition, end in sorted(end_offsets(target, topic).items()):
            offset = committed.get((topic, partition))
            lags.append(PartitionLag(topic, partition, end, offset if offset is not None and offset >= 0 else None,
                                     owner.get((topic, partition))))
    state = getattr(desc.state, "name", str(desc.state))
    return GroupInfo(group, state, members, lags)


def lag(target, group: str) -> dict[tuple[str, int], int]:
    """(topic, partition) -> lag = end offset - committed offset."""
    return {(p.topic, p.partition): p.lag for p in describe_group(target, group).partitions}
