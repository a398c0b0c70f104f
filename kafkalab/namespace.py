"""Per-student namespaces on a shared cluster: with KAFKALAB_STUDENT=alice the course's topic and group
names get the prefix 'alice.' (cities -> alice.cities, group g1 -> alice.g1), the prefix the
instructor's prefixed ACLs allow (see kafkalab.classroom).

One small mapping, used everywhere a name enters: Cluster.create_topic/producer/consumer, inspect,
the checks, and the %kafka magic (`--topic X`, `--group X`, like the notes' port mapping).
Internal topics (__consumer_offsets) and names that already carry the prefix are left alone.
"""
from __future__ import annotations

import os
import re

from .errors import KafkaLabError
from .i18n import register, t

register({
    "student_name_bad": {
        "en": "KAFKALAB_STUDENT='{student}': use letters, digits, '-' and '_' only.",
        "ru": "KAFKALAB_STUDENT='{student}': допустимы только буквы, цифры, '-' и '_'.",
    },
    "tool_group_added": {
        "en": "note: --group {group} added (on the shared cluster a consumer reads in a group of your namespace)",
        "ru": "примечание: добавлен --group {group} (на общем кластере консьюмер читает в группе вашего пространства имён)",
    },
    "namespace_left": {
        "en": "Not cleared on the shared cluster yet: {names}. A group with running consumers stays until they "
              "close; a topic the cluster is still deleting goes soon. Run the step again to retry.",
        "ru": "На общем кластере пока не удалено: {names}. Группа с работающими консьюмерами остаётся, пока они не "
              "закрыты; топик, который кластер ещё удаляет, скоро исчезнет. Повторите шаг, чтобы попробовать снова.",
    },
    "namespace_unreachable": {
        "en": "Not every broker of the shared cluster answered: your topics there may not be cleared yet.",
        "ru": "Ответили не все брокеры общего кластера: ваши топики на нём, возможно, ещё не удалены.",
    },
    "tool_names_prefixed": {
        "en": "note: '{old}' -> '{new}' (your namespace on the shared cluster)",
        "ru": "примечание: '{old}' -> '{new}' (ваше пространство имён на общем кластере)",
    },
})
SEPARATOR = "."
STUDENT_RE = re.compile(r"^[A-Za-z0-9_-]+$")
NAME_OPTIONS = ("--topic", "--group")


def student(target=None) -> str:
    """The student: the one an external cluster was joined as, else $KAFKALAB_STUDENT, else ''; none on a
    cluster of one's own (a lesson's Kafka 4.x part beside the shared cluster)."""
    if getattr(getattr(target, "engine", None), "controls_nodes", False):
        return ""
    found = (getattr(target, "state", None) or {}).get("student") or os.environ.get("KAFKALAB_STUDENT", "")
    found = found.strip()
    if found and not STUDENT_RE.match(found):
        raise KafkaLabError("student_name_bad", student=found)
    return found


def prefix(target=None) -> str:
    """'alice.' or '' when no student is set."""
    who = student(target)
    return f"{who}{SEPARATOR}" if who else ""


def name(value: str, target=None, pre: str | None = None) -> str:
    """cities -> alice.cities (unchanged without a student, for __internal names, or already prefixed)."""
    pre = prefix(target) if pre is None else pre
    if not pre or not isinstance(value, str) or value.startswith("__") or value.startswith(pre):
        return value
    return pre + value


def short(value: str, target=None, pre: str | None = None) -> str:
    """alice.cities -> cities: the name as the course writes it."""
    pre = prefix(target) if pre is None else pre
    return value[len(pre):] if pre and value.startswith(pre) else value


def mine(value: str, target=None, pre: str | None = None) -> bool:
    """Whether a topic or group belongs to the student (always True without a student)."""
    pre = prefix(target) if pre is None else pre
    return not pre or value.startswith(pre)


def console_group(target, tool: str, args: list[str]) -> tuple[list[str], list[str]]:
    """kafka-console-consumer without --group (and without --partition) makes up a group of its own,
    console-consumer-NNNNN, outside the student's namespace, which the class cluster's ACLs refuse:
    give it the same made-up name inside the namespace, and, like Kafka's own made-up group, no commits.
    kafka-consumer-perf-test's perf-consumer-NNNNN likewise."""
    import random

    pre = prefix(target)
    flags = {a.split("=", 1)[0] for a in args}
    if not pre or flags & {"--group", "--partition"}:
        return args, []
    if tool == "kafka-console-consumer":
        group = f"{pre}console-consumer-{random.randint(10000, 99999)}"
        return ([*args, "--group", group, "--consumer-property", "enable.auto.commit=false"],
                [t("tool_group_added", group=group)])
    if tool == "kafka-consumer-perf-test":  # its own made-up group is perf-consumer-NNNNN
        group = f"{pre}perf-consumer-{random.randint(10000, 99999)}"
        return [*args, "--group", group], [t("tool_group_added", group=group)]
    return args, []


def map_tool_args(target, args: list[str]) -> tuple[list[str], list[str]]:
    """`--topic X` / `--group X` (and --topic=X, and kafka-configs' --entity-name of topics and groups)
    -> the student's names; notes saying so."""
    pre = prefix(target)
    if not pre:
        return args, []
    out, notes = list(args), []
    # kafka-configs names a topic or a group as --entity-type topics|groups --entity-name X
    named = set(NAME_OPTIONS)
    for i, arg in enumerate(out[:-1]):
        if arg == "--entity-type" and out[i + 1] in ("topics", "groups"):
            named.add("--entity-name")
    for i, arg in enumerate(out):
        if arg in named and i + 1 < len(out):
            new = name(out[i + 1], pre=pre)
            if new != out[i + 1]:
                notes.append(t("tool_names_prefixed", old=out[i + 1], new=new))
                out[i + 1] = new
        elif "=" in arg and arg.split("=", 1)[0] in named:
            option, value = arg.split("=", 1)
            new = name(value, pre=pre)
            if new != value:
                notes.append(t("tool_names_prefixed", old=value, new=new))
                out[i] = f"{option}={new}"
    return out, notes


def clear(cluster) -> None:
    """Delete the student's own topics and consumer groups (alice.*) from a shared cluster, so a lesson
    run again (`up(..., fresh=True)`) or `down` starts clean; without a student namespace, nothing.
    What stays (a group with live members, a deletion the cluster has not finished) is named in a warning."""
    from confluent_kafka import KafkaException

    from . import report
    from .cluster.reset import wipe

    pre = prefix(cluster)
    if not pre:
        return
    try:
        settings = cluster.client_settings()
    except (KafkaException, KafkaLabError, TimeoutError):  # its client properties are gone (the class was removed)
        return
    left = wipe(cluster, lambda topic: topic.startswith(pre), settings)[2]
    if left:
        report.warn(t("namespace_left", names=", ".join(sorted(left))))
