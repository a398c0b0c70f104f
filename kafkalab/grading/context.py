"""What a check function receives: the notebook's cluster, the student's values, and ways to read both.

In the notebook the values come from the kernel's own namespace; in the grader they are asked from the
submission's kernel as data (kafkalab.grading.values), and student functions are called with inputs the
check picks. Checks read both the same way: ctx.var(), ctx.get(), ctx.function().
"""
from __future__ import annotations

import random
import uuid
from typing import Any

from .. import inspect as _inspect
from ..errors import KafkaLabError
from ..waiting import wait_for
from .values import Callable_, LocalValues, Missing, StudentError, Unanswered


class Fail(Exception):
    """A check's verdict 'not yet': a message key (registered with kafkalab.i18n.register) and its values."""

    def __init__(self, key: str, /, **values):
        self.key = key
        self.values = values
        super().__init__(key)

    def __str__(self) -> str:
        from ..i18n import MESSAGES, lang

        try:  # not t(): a value may itself be named `key`
            return MESSAGES[self.key][lang()].format(**self.values)
        except Exception:
            return f"{self.key} {self.values}"


class Context:
    """Passed to every check: `ctx.cluster`, `ctx.var()`, `ctx.function()`, `ctx.topic()`, `ctx.messages()` ...

    values: a namespace dict (the notebook) or a Values object (LocalValues, KernelValues).
    ctx.random: inputs for student functions, new each run, so a table of known answers does not pass.
    """

    inspect = _inspect

    def __init__(self, values=None, cluster=None, rng: random.Random | None = None):
        self.values = LocalValues(values if values is not None else {}) if values is None or isinstance(values, dict) \
            else values
        self._cluster = cluster
        self.random = rng or random.Random()

    # --- the cluster --------------------------------------------------------------------------
    @property
    def cluster(self):
        """The notebook's cluster (the one kafkalab.up() gave); Fail when none runs."""
        if self._cluster is None:
            from ..cluster import cluster as clusters

            try:
                found = clusters.current()
            except KafkaLabError:
                raise Fail("grading_no_cluster") from None
            try:
                alive = any(found.alive(b.name) for b in found.brokers)
            except Exception:
                alive = True  # engines that cannot tell (external): let the client calls decide
            if not alive:
                raise Fail("grading_cluster_down", name=found.name)
            self._cluster = found
        return self._cluster

    def expect(self, condition, key: str, /, **values) -> None:
        """Fail with message `key` unless `condition` holds."""
        if not condition:
            raise Fail(key, **values)

    # --- the student's namespace ----------------------------------------------------------------
    @staticmethod
    def _asked(ask, name: str, shown: str):
        """ask() -> the kernel's answer; what the kernel could not give becomes a Fail naming `shown`."""
        try:
            return ask()
        except Missing:
            raise Fail("grading_missing_var", name=name) from None
        except StudentError as err:
            raise Fail("grading_student_error", call=shown, error=str(err)) from None
        except Unanswered as err:
            raise Fail("grading_kernel_gone", name=shown, why=str(err)) from None

    def _value(self, name: str):
        return self._asked(lambda: self.values.get(name), name, name)

    def get(self, name: str, default=None) -> Any:
        """The student's variable `name`, or `default` when it is not defined (or still `...`)."""
        try:
            value = self._value(name)
        except Fail as fail:
            if fail.key == "grading_missing_var":
                return default
            raise
        return default if value is Ellipsis else value

    def function(self, name: str):
        """The student's function `name`, to call with inputs the check picks (e.g. ctx.random)."""
        value = self._value(name)
        if value is Ellipsis:
            raise Fail("grading_missing_var", name=name)
        if not isinstance(value, Callable_):
            raise Fail("grading_not_callable", name=name)

        def call(*args):
            return self._asked(lambda: self.values.call(name, args), name, f"{name}({', '.join(map(repr, args))})")

        return call

    def var(self, name: str, type: type | tuple | None = None) -> Any:
        """The student's variable `name`; Fail when it is missing, still a placeholder, or of another type."""
        value = self._value(name)
        if value is Ellipsis:
            raise Fail("grading_missing_var", name=name)
        if type is not None and not isinstance(value, type):
            expected = " | ".join(t.__name__ for t in (type if isinstance(type, tuple) else (type,)))
            raise Fail("grading_wrong_type", name=name, expected=expected, actual=_type_name(value))
        return value

    # --- live state -----------------------------------------------------------------------------
    def topic(self, name: str, with_config: bool = True) -> _inspect.TopicInfo:
        """The topic as the cluster describes it (partitions, leaders, ISR, config); Fail when missing."""
        try:
            return _inspect.describe_topic(self.cluster, name, with_config=with_config)
        except KafkaLabError as err:
            if err.key == "topic_unknown":
                raise Fail("grading_topic_missing", topic=name) from None
            raise

    def group(self, name: str) -> _inspect.GroupInfo:
        """The consumer group with committed offsets and lag; Fail when missing."""
        try:
            return _inspect.describe_group(self.cluster, name)
        except KafkaLabError as err:
            if err.key == "group_unknown":
                raise Fail("grading_group_missing", group=name) from None
            raise

    def messages(self, topic: str, partition: int | None = None, max_messages: int = 10000,
                 timeout: float = 15.0) -> list[tuple[int, int, str | None, str | None]]:
        """Every message kept in `topic` (or one partition) as (partition, offset, key, value), oldest first."""
        return [(r["partition"], r["offset"], r["key"], r["value"])
                for r in self.records(topic, partition, max_messages, timeout)]

    def keyed_in_order(self, stored, key_of, sent, split: str, order: str, name: str) -> dict:
        """The design exercises' per-key order: each key's messages in one partition, in the order `sent`
        has them. stored: messages() rows; key_of(value) -> (key, item); sent: [(key, item)] as sent.
        Fails with message `split` or `order` (the key's placeholder is `name`); returns {key: partition}."""
        from collections import defaultdict

        rows = defaultdict(list)
        for partition, offset, _, value in stored:
            key, item = key_of(value)
            rows[key].append((partition, offset, item))
        keys = list(dict.fromkeys(k for k, _ in sent))
        for key in keys:
            in_partitions = sorted({p for p, _, _ in rows[key]})
            self.expect(len(in_partitions) == 1, split, **{name: key}, partitions=in_partitions)
            found, want = [item for _, _, item in sorted(rows[key])], [item for k, item in sent if k == key]
            self.expect(found == want, order, **{name: key}, found=found, want=want)
        return {key: rows[key][0][0] for key in keys if rows[key]}

    def one_key_each(self, topic: str, group_of, message: str) -> dict:
        """{group: its one key}: every message of a group (group_of(value): a sensor, a chat) carries the
        same, non-empty key; else fails with `message` (values: keys = the groups that do not)."""
        keys: dict = {}
        for _, _, key, value in self.messages(topic):
            keys.setdefault(group_of(value), set()).add(key)
        bad = {group: sorted(k, key=str) for group, k in keys.items() if len(k) != 1 or None in k}
        self.expect(keys and not bad, message, keys=bad)
        return {group: next(iter(k)) for group, k in keys.items()}

    def leaders_and_short(self, topic: str, in_sync: int) -> tuple[dict, list]:
        """({broker: how many of `topic`'s partitions it leads}, [partitions with fewer than `in_sync` in ISR])."""
        info = self.topic(topic, with_config=False)
        leaders: dict = {}
        for p in info.partitions:
            leaders[p.leader] = leaders.get(p.leader, 0) + 1
        return leaders, [p.partition for p in info.partitions if len(p.isr) < in_sync]

    def records(self, topic: str, partition: int | None = None, max_messages: int = 10000,
                timeout: float = 15.0) -> list[dict]:
        """Like messages(), as dicts with partition, offset, key, value and timestamp (ms).

        Reads with explicit assignments from the start to the end offsets known now, without joining or
        committing a group, so the student's groups and lag stay untouched.
        """
        from confluent_kafka import KafkaError, TopicPartition

        info = self.topic(topic, with_config=False)
        starts = _inspect.start_offsets(self.cluster, topic)
        ends = _inspect.end_offsets(self.cluster, topic)
        wanted = [p.partition for p in info.partitions if partition is None or p.partition == partition]
        todo = {p: ends[p] for p in wanted if ends[p] > starts[p]}
        if not todo:
            return []
        consumer = self.cluster.consumer(f"kafkalab-grader-{uuid.uuid4().hex[:8]}", **{
            "enable.auto.commit": False, "enable.partition.eof": True, "logger": _quiet_logger()})
        found = []

        def progress() -> bool:
            """One poll: True when it read a message or ended a partition."""
            msg = consumer.poll(0.5)
            if msg is None:
                return False
            if msg.error():  # the end of a partition, past any transaction markers
                if msg.error().code() == KafkaError._PARTITION_EOF and msg.offset() >= todo.get(msg.partition(), 0):
                    return todo.pop(msg.partition(), None) is not None
                return False
            found.append({"partition": msg.partition(), "offset": msg.offset(), "key": _text(msg.key()),
                          "value": _text(msg.value()), "timestamp": msg.timestamp()[1]})
            if msg.offset() + 1 >= todo.get(msg.partition(), 0):
                todo.pop(msg.partition(), None)
            return True

        try:
            consumer.assign([TopicPartition(topic, p, starts[p]) for p in todo])
            while todo and len(found) < max_messages:
                try:  # the deadline is per step: a slow read is not a short one
                    wait_for(progress, timeout, f"the next message of {topic}", every=0, retry_on=())
                except TimeoutError as err:  # a short read must not pass for the student's missing messages
                    raise KafkaLabError("grading_read_incomplete", topic=topic, partitions=sorted(todo),
                                        seconds=timeout) from err
        finally:
            consumer.close()
        found.sort(key=lambda r: (r["partition"], r["offset"]))
        return found[:max_messages]


def _type_name(value) -> str:
    return getattr(value, "type_name", None) or type(value).__name__


def _text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _quiet_logger():
    import logging

    log = logging.getLogger("kafkalab.grading.consumer")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    return log
