"""Cluster state as plain data: brokers, controller, topics, partitions, leaders, ISR, groups, lag.

Lessons print it, checks grade it, widgets draw it. Every function takes a bootstrap string or a
Cluster and asks the live cluster through confluent-kafka's AdminClient.

    >>> info = describe_topic(cluster, "months")
    >>> info.partitions[0].leader, info.partitions[0].isr
    (0, [0, 2, 1])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .cluster import connection as _connection  # noqa: F401  (registers the what_* messages used here)
from .cluster.probes import quiet_client_config
from . import kafka_errors, namespace
from .errors import KafkaLabError
from .waiting import wait_for

TIMEOUT = 15.0  # overall, per question
ATTEMPT = 4.0  # one request
UNKNOWN_GRACE = 3.0  # a topic just created may be unknown to the broker asked for this long


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
    from .cluster.handles import SafeAdmin

    bootstrap, key = _bootstrap(target), _key(target)
    if key not in _admins:
        secure = {} if isinstance(target, str) else target.client_settings()  # SASL/TLS of an external cluster
        _admins[key] = SafeAdmin({**quiet_client_config(bootstrap), **secure})
    return _admins[key]


def _key(target) -> str:
    """One client per address, and per login: two students may share a cluster's address."""
    if isinstance(target, str):
        return target
    return f"{target.bootstrap_servers}|{getattr(target, 'dir', '')}"


class _Transient(Exception):
    """A transient Kafka error (its __cause__): _ask tries again with a new client."""


def _ask(target, request, what: str = "", known_topic: bool = False):
    """request(client) -> a future; its result, retried until TIMEOUT while brokers come and go.

    Right after a broker dies the client may still send to it: a few retries with short request
    timeouts ride that out. Unknown topics are not retried (the caller explains them), unless the caller
    has just seen the topic (`known_topic`): then a partition's leader that does not know it yet (a
    broker just started, a topic just made) is asked again.
    """
    def attempt():
        try:
            # held while its request runs: another thread (a widget's) may drop it from _admins meanwhile,
            # and a client destroyed under its request fails it (_DESTROY)
            client = admin(target)
            return (request(client).result(timeout=ATTEMPT + 2),)  # in a tuple: an empty answer is an answer
        except Exception as err:
            not_yet = known_topic and kafka_errors.unknown_topic(err)
            if not kafka_errors.is_kafka(err) or (kafka_errors.unknown_topic(err) and not not_yet):
                raise  # a bug surfaces as itself; an unknown topic is the caller's to explain
            classified = _explain(err, target, what)
            if classified is not None and classified.key != "external_unreachable":
                raise classified from err  # a refused login or a missing ACL: no retry makes it pass
            if not kafka_errors.transient(err) and not not_yet:
                raise
            # a client that knew a broker now dead can stay stuck on it: the next attempt gets a new one
            _admins.pop(_key(target), None)
            raise _Transient() from err

    try:
        return wait_for(attempt, max(0.0, TIMEOUT - ATTEMPT), what or "an answer from the brokers",
                        retry_on=(_Transient,))[0][0]
    except TimeoutError as timeout:
        raise _unreachable(target) from (timeout.__cause__.__cause__ if timeout.__cause__ else None)


def _explain(err, target, what: str = "") -> KafkaLabError | None:
    from .cluster.connection import explain

    return explain(err, None if isinstance(target, str) else target, what)


def _unreachable(target) -> KafkaLabError:
    if isinstance(target, str):
        return KafkaLabError("brokers_unreachable", bootstrap=target)
    return KafkaLabError("broker_unreachable", bootstrap=_bootstrap(target), name=_name(target))


def brokers(target) -> list[Broker]:
    """Live brokers, marked with the controller."""
    desc = _ask(target, lambda c: c.describe_cluster(request_timeout=ATTEMPT))
    controller = desc.controller.id if desc.controller is not None else None
    return sorted((Broker(n.id, n.host, n.port, n.id == controller) for n in desc.nodes), key=lambda b: b.id)


def controller(target) -> int | None:
    """Id of the controller broker (ZooKeeper mode) or the active KRaft controller as brokers see it."""
    desc = _ask(target, lambda c: c.describe_cluster(request_timeout=ATTEMPT))
    return desc.controller.id if desc.controller is not None else None


def topics(target, internal: bool = False) -> list[str]:
    try:
        meta = admin(target).list_topics(timeout=TIMEOUT)
    except Exception as err:
        if not kafka_errors.is_kafka(err):
            raise
        raise (_explain(err, target) or _unreachable(target)) from err
    pre = _prefix(target)  # a student on a shared cluster sees their own topics, by the course's names
    return sorted(namespace.short(name, pre=pre) for name in meta.topics
                  if (internal or not name.startswith("__")) and namespace.mine(name, pre=pre))


def _prefix(target) -> str:
    return "" if isinstance(target, str) else namespace.prefix(target)


def describe_topic(target, topic: str, with_config: bool = False) -> TopicInfo:
    """Partitions of `topic` with leader, replicas and ISR; KafkaLabError when it does not exist."""
    from confluent_kafka import TopicCollection

    from .i18n import t

    short, topic = topic, namespace.name(topic, pre=_prefix(target))

    def ask():
        return _ask(target, lambda c: c.describe_topics(TopicCollection([topic]), request_timeout=ATTEMPT)[topic],
                    t("what_describe_topic", topic=topic))

    unknown: list[Exception] = []

    def known():
        try:
            return ask()
        except Exception as err:
            if not kafka_errors.unknown_topic(err):
                raise
            unknown[:] = [err]  # the controller tells the brokers one by one: the one asked may not know it yet
            return None

    try:
        desc = wait_for(known, UNKNOWN_GRACE, t("what_describe_topic", topic=topic), every=0.25, retry_on=())[0]
    except TimeoutError:
        raise KafkaLabError("topic_unknown", topic=short, topics=", ".join(topics(target)) or "-") from unknown[-1]
    parts = [PartitionInfo(p.id, p.leader.id if p.leader is not None else None,
                           [r.id for r in p.replicas], [r.id for r in p.isr]) for p in desc.partitions]
    info = TopicInfo(short, sorted(parts, key=lambda p: p.partition))
    if with_config:
        info.config = topic_config(target, topic)
    return info


def topic_config(target, topic: str) -> dict[str, str]:
    """The topic's effective configs (retention.ms, min.insync.replicas, ...)."""
    from confluent_kafka.admin import ConfigResource

    resource = ConfigResource("topic", namespace.name(topic, pre=_prefix(target)))
    entries = _ask(target, lambda c: c.describe_configs([resource], request_timeout=ATTEMPT)[resource])
    return {name: entry.value for name, entry in entries.items()}


def end_offsets(target, topic: str) -> dict[int, int]:
    """partition -> offset of the next message to be written (the high watermark)."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec

    topic = namespace.name(topic, pre=_prefix(target))
    info = describe_topic(target, topic)
    request = {TopicPartition(topic, p.partition): OffsetSpec.latest() for p in info.partitions}
    return {tp.partition: _ask(target, lambda c, tp=tp: c.list_offsets({tp: spec}, request_timeout=ATTEMPT)[tp],
                               known_topic=True).offset
            for tp, spec in request.items()}


def start_offsets(target, topic: str) -> dict[int, int]:
    """partition -> offset of the oldest message still kept (moves forward as retention deletes)."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec

    topic = namespace.name(topic, pre=_prefix(target))
    info = describe_topic(target, topic)
    request = {TopicPartition(topic, p.partition): OffsetSpec.earliest() for p in info.partitions}
    return {tp.partition: _ask(target, lambda c, tp=tp: c.list_offsets({tp: spec}, request_timeout=ATTEMPT)[tp],
                               known_topic=True).offset
            for tp, spec in request.items()}


def message_count(target, topic: str) -> int:
    """Messages kept in the topic now (end minus start offset, summed over partitions)."""
    ends, starts = end_offsets(target, topic), start_offsets(target, topic)
    return sum(ends[p] - starts[p] for p in ends)


def groups(target) -> list[str]:
    result = _ask(target, lambda c: c.list_consumer_groups(request_timeout=ATTEMPT))
    pre = _prefix(target)
    return sorted(namespace.short(g.group_id, pre=pre) for g in result.valid if namespace.mine(g.group_id, pre=pre))


def describe_group(target, group: str) -> GroupInfo:
    """Members, assignments, committed offsets and lag per partition of a consumer group."""
    from confluent_kafka import ConsumerGroupTopicPartitions

    pre = _prefix(target)
    if namespace.short(group, pre=pre) not in groups(target):
        raise KafkaLabError("group_unknown", group=group, groups=", ".join(groups(target)) or "-")
    short, group = namespace.short(group, pre=pre), namespace.name(group, pre=pre)
    desc = _ask(target, lambda c: c.describe_consumer_groups([group], request_timeout=ATTEMPT)[group])
    members: dict[str, list[tuple[str, int]]] = {}
    owner: dict[tuple[str, int], str] = {}
    for m in desc.members:
        assigned = [(tp.topic, tp.partition) for tp in (m.assignment.topic_partitions if m.assignment else [])]
        members[m.member_id] = sorted(assigned)
        for tp in assigned:
            owner[tp] = m.member_id
    listed = _ask(target, lambda c: c.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)],
                                                                  request_timeout=ATTEMPT)[group])
    committed = {(tp.topic, tp.partition): tp.offset for tp in listed.topic_partitions}
    lags = []
    for topic in sorted({t for t, _ in committed} | {t for t, _ in owner}):
        for partition, end in sorted(end_offsets(target, topic).items()):
            offset = committed.get((topic, partition))
            lags.append(PartitionLag(namespace.short(topic, pre=pre), partition, end, offset if offset is not None and offset >= 0 else None,
                                     owner.get((topic, partition))))
    state = getattr(desc.state, "name", str(desc.state))
    members = {m: [(namespace.short(tp, pre=pre), p) for tp, p in parts] for m, parts in members.items()}
    return GroupInfo(short, state, members, lags)


def lag(target, group: str) -> dict[tuple[str, int], int]:
    """(topic, partition) -> lag = end offset - committed offset."""
    return {(p.topic, p.partition): p.lag for p in describe_group(target, group).partitions}


# --- lesson helpers: views the lessons print, and the small experiments they repeat ----------------------
from .i18n import register as _register  # noqa: E402

_register({
    "inspect_broker": {"en": "broker {id}", "ru": "брокер {id}"},
    "inspect_partition": {"en": "partition", "ru": "партиция"},
})


def replica_map(target, topic: str, timeout: float = 60.0):
    """A pandas table of `topic`, one row per partition and one column per broker: `L` the leader,
    `F` a follower in sync, `x` a replica out of sync, empty where the broker holds no replica.

    The brokers are the cluster's own (a dead one keeps its column); for a bootstrap string, the brokers
    that hold a replica. Column and index labels follow the notebook's language.
    """
    import pandas as pd

    from .i18n import t

    info, _ = wait_for(lambda: describe_topic(target, topic), timeout, f"partitions of {topic}")
    ids = ([b.id for b in target.brokers] if hasattr(target, "brokers")
           else sorted({r for p in info.partitions for r in p.replicas}))
    rows = {p.partition: {t("inspect_broker", id=b): ("L" if b == p.leader else "F" if b in p.isr else "x")
                          if b in p.replicas else "" for b in ids} for p in info.partitions}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(t("inspect_partition"))


def read_all(cluster, topic: str, group: str, expected: int, timeout: float = 120.0) -> int:
    """Read `topic` from the beginning in the consumer group `group` (new: it starts at the earliest
    offsets) until `expected` distinct messages came or `timeout` passed; return how many came.

    Messages are told apart by (partition, offset), so a redelivery is not counted twice.
    """
    consumer = cluster.consumer(group, log_level=0)
    consumer.subscribe([topic])
    seen: set[tuple[int, int]] = set()

    def all_read():
        msg = consumer.poll(0.5)
        if msg is not None and msg.error() is None:
            seen.add((msg.partition(), msg.offset()))
        return len(seen) >= expected

    try:
        wait_for(all_read, timeout, f"{expected} messages of {topic}", every=0)
    except TimeoutError:
        pass  # the caller compares the count with what it expected
    finally:
        consumer.close()
    return len(seen)


def assignment(info: GroupInfo) -> dict[str, list[int]]:
    """client.id -> its partitions, sorted, from the coordinator's view of a group (`describe_group`).

    A member id starts with the member's client.id (`c1-5f0e...`), which is how the lessons name members.
    """
    by_client = {member.split("-")[0]: [p for _, p in parts] for member, parts in info.members.items()}
    return dict(sorted(by_client.items()))


def settle_group(target, group: str, consumers, members: int, partitions: int,
                 timeout: float = 120.0) -> tuple[GroupInfo, float]:
    """Poll every consumer of `consumers` (a dict or a list) until the coordinator reports `group` STABLE
    with `members` members owning `partitions` partitions in all; return (describe_group, seconds).

    The consumers must be polled: a classic group's members join and get their partitions inside poll().
    """
    consumers = list(consumers.values()) if isinstance(consumers, dict) else list(consumers)

    def done():
        for c in consumers:
            c.poll(0.05)
        info = describe_group(target, group)
        owned = sum(len(p) for p in info.members.values())
        return info if len(info.members) == members and owned == partitions and info.state == "STABLE" else None

    return wait_for(done, timeout, f"group {group}: {members} members on {partitions} partitions", every=0)


def rebalances(cluster, topic: str, protocol: str = "classic", partitions: int | None = None,
               timeout: float = 120.0) -> tuple[dict, list[dict]]:
    """The rebalance experiment: in the group `<topic>-<protocol>`, c1, c2 and c3 join one after another,
    then c1 leaves (close()); return (the consumers still open, one row per step).

    `protocol` is the consumer's `group.protocol`: "classic" (librdkafka's default) or "consumer"
    (KIP-848, Kafka 4.x). Each row: `group.protocol`, `step` (+c1, ..., -c1), `seconds` from the change
    until every member holds its new partitions (each partition exactly once, as the members see it),
    `held` (partitions the members that stay held before), `kept` (of those, still theirs after),
    `on_revoke` (partitions those members gave up through the on_revoke callback), and per member its
    partitions. The caller closes the consumers it gets back.
    """
    import time

    if partitions is None:
        partitions = len(describe_topic(cluster, topic).partitions)
    group, members, revoked, rows = f"{topic}-{protocol}", {}, {}, []
    config = {"group.protocol": protocol} if protocol != "classic" else {}  # classic: librdkafka's default

    def owned():
        return {name: sorted(tp.partition for tp in c.assignment()) for name, c in members.items()}

    def settled():
        for c in members.values():
            c.poll(0.05)
        now = owned()
        every = sorted(p for ps in now.values() for p in ps)
        return now if every == list(range(partitions)) and all(now.values()) else None

    def join(name):
        members[name] = cluster.consumer(group, **{"client.id": name, **config})
        members[name].subscribe([topic], on_revoke=lambda consumer, parts, name=name:
                                revoked.update({name: revoked.get(name, 0) + len(parts)}))

    def leave(name):
        members.pop(name).close()

    for step, action, name in (("+c1", join, "c1"), ("+c2", join, "c2"), ("+c3", join, "c3"), ("-c1", leave, "c1")):
        before, began = owned(), time.monotonic()
        revoked.clear()
        action(name)
        after, _ = wait_for(settled, timeout, f"{group} settled after {step}", every=0)
        staying = [m for m in before if m in after]
        rows.append({"group.protocol": protocol, "step": step, "seconds": round(time.monotonic() - began, 1),
                     "held": sum(len(before[m]) for m in staying),
                     "kept": sum(len(set(before[m]) & set(after[m])) for m in staying),
                     "on_revoke": sum(revoked.get(m, 0) for m in staying),
                     **{m: ",".join(map(str, ps)) for m, ps in after.items()}})
    return members, rows
